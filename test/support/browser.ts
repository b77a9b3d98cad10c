// Debian's headless Chromium, driven by playwright-core (which never downloads a browser): the
// flags keep it off the network (this machine has none; without them it tries Google's hosts at
// every start). scripts/chromium.sh installs it when missing.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The browser's path, installed first where it is missing (as root). */
export function chromiumPath(projectRoot: string): string {
  const out = execFileSync("bash", [join(projectRoot, "scripts", "chromium.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return out.trim().split("\n").pop() ?? "/usr/bin/chromium";
}

export function launchChromium(executablePath: string): Promise<Browser> {
  // playwright-core gives each launch a fresh, empty profile of its own.
  return chromium.launch({ executablePath, args: FLAGS });
}

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
