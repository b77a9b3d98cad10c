// Debian's headless Chromium, driven by playwright-core (which never downloads a browser), for the
// browser tests and the bench's HTML part: the flags keep it off the network (this machine has
// none; without them it tries Google's hosts at every start). scripts/chromium.sh installs it when
// missing.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

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
