// --help and --version answered before anything else loads: the help text was rendered by the
// build (at the common widths), so a bare `kfp-s3-probe --help` costs about a bare node start.
// Anything else, or a terminal of another width, goes through the full parser.
import { existsSync, readFileSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { helpWidth } from "./help-width.js";

declare const __KFP_S3_PROBE_HELP__: Record<string, string> | undefined;

function prerenderedHelp(): Record<string, string> | undefined {
  if (typeof __KFP_S3_PROBE_HELP__ === "object") return __KFP_S3_PROBE_HELP__;
  // dist/src/cli/quick.js → dist/help-texts.json, written by the build.
  const file = new URL("../../help-texts.json", import.meta.url);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : undefined;
}

/** The terminal's width, or undefined for a pipe or a file: process.stdout is made only for a terminal. */
export function terminalColumns(): number | undefined {
  return isatty(1) ? process.stdout.columns : undefined;
}

/** The answer to a bare --version or --help, or undefined for everything else. */
export async function quickAnswer(argv: string[], columns: number | undefined): Promise<string | undefined> {
  if (argv.length !== 1) return undefined;
  const [word] = argv;
  // version.ts is shared with the commands, so it is a chunk of its own: --help does not load it.
  if (word === "--version" || word === "version") return `kfp-s3-probe ${(await import("../version.js")).toolVersion()}\n`;
  if (word === "--help" || word === "-h") return prerenderedHelp()?.[String(helpWidth(columns))];
  return undefined;
}

/**
 * The answer on stdout by write(2). Making process.stdout for a pipe costs a tenth of a bare node
 * start, more than the rest of --help; the stream is made only where the pipe has no room.
 */
export function writeAnswer(text: string): Promise<void> {
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
    return Promise.resolve();
  } catch {
    // EAGAIN from a pipe opened non-blocking, and the like: the stream waits for room.
    return new Promise((done) => process.stdout.write(bytes.subarray(written), () => done()));
  }
}
