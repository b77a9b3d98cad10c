// The bench's HTML part (bench/scale.ts runs it): 300 profiles in 4 shards at once, merged with
// --html, and the page opened from file:// in Debian's headless Chromium (scripts/chromium.sh):
// its size, the time to its first drawn matrix, and how long each filter and sort takes to answer
// (from the control's change to the matrix drawn again). Figures, not thresholds.
import { statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { chromiumPath, launchChromium } from "../testkit/chromium.js";
import { shardsAtOnce } from "./job-and-shards.js";
import { cli, measure, type NodeUnderTest, root, SHARDED } from "./kit.js";

/** Milliseconds from the action to the matrix's next draw, and what the page timed of the draw itself. */
async function answer(page: Page, action: () => Promise<unknown>): Promise<{ wallMs: number; drawMs: string }> {
  const before = Number(await page.locator("body").getAttribute("data-renders"));
  const started = performance.now();
  await action();
  await page.locator(`body[data-renders="${before + 1}"]`).waitFor({ state: "attached" });
  const wallMs = performance.now() - started;
  return { wallMs, drawMs: (await page.locator("body").getAttribute("data-render-ms")) ?? "?" };
}

export async function htmlBench(node: NodeUnderTest): Promise<void> {
  const { profiles, shards } = SHARDED;
  const { files } = await shardsAtOnce(node, profiles, shards);
  const html = join(files[0] ?? "", "..", "merged.html");
  const merged = await measure([cli, "merge", "--output", "json", "--html", html, ...files], { node });
  const browser = await launchChromium(chromiumPath(root));
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    const started = performance.now();
    await page.goto(pathToFileURL(html).href);
    await page.locator('body[data-renders="1"]').waitFor({ state: "attached" });
    const openMs = performance.now() - started;
    const status = await page.locator("#matrix-status").textContent();
    console.log(`the HTML report: ${profiles} profiles in ${shards} shards, merged with --html (merge ${(merged.wallMs / 1000).toFixed(1)} s)`);
    console.log(`  ${(statSync(html).size / 1e6).toFixed(1)} MB; opened and first matrix drawn in ${(openMs / 1000).toFixed(2)} s; ${status}`);
    const steps: [string, () => Promise<unknown>][] = [
      ["filter to LEAK", () => page.selectOption("#filter-verdict", "leak")],
      ["every verdict again", () => page.selectOption("#filter-verdict", "all")],
      ["rows by name", () => page.selectOption("#sort-rows", "name")],
      ['name "team-17"', () => page.fill("#filter-name", "team-17")],
    ];
    for (const [label, action] of steps) {
      const { wallMs, drawMs } = await answer(page, action);
      console.log(`  ${label.padEnd(20)} answered in ${wallMs.toFixed(0).padStart(5)} ms (the draw itself ${drawMs} ms)`);
    }
    console.log(`  page errors: ${errors.length === 0 ? "none" : errors.join("; ")}\n`);
  } finally {
    await browser.close();
  }
}
