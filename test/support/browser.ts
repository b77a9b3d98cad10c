// The browser tests' view of a page: what it said went wrong and what it asked for, and when its
// matrix is drawn. The browser itself is testkit/chromium.ts's (the bench's HTML part uses it too).
import type { Page } from "playwright-core";

export { chromiumPath, launchChromium } from "../../testkit/chromium.js";

/** What a page said went wrong (console errors, uncaught exceptions) and every address it asked for. */
export function watch(page: Page): { errors: string[]; requests: string[] } {
  const seen = { errors: [] as string[], requests: [] as string[] };
  page.on("console", (message) => {
    if (message.type() === "error") seen.errors.push(message.text());
  });
  page.on("pageerror", (error) => seen.errors.push(String(error)));
  page.on("request", (request) => seen.requests.push(request.url()));
  return seen;
}

/** After the page's script drew the matrix for the n-th time (the matrix is drawn anew on each filter and sort). */
export async function drawn(page: Page, count: number): Promise<void> {
  // Not waitForFunction: the page's Content-Security-Policy forbids the eval it uses.
  await page.locator(`body[data-renders="${count}"]`).waitFor({ state: "attached" });
}
