// --help and --version answered before anything else loads: the help text was rendered by the
// build (at the common widths; COLUMNS where stdout is a pipe), so a bare `kfp-s3-probe --help` costs about a bare node start.
// Anything else, or a terminal of another width, goes through the full parser.
import { builtin } from "./builtins.js";
import { helpColumns, helpWidth } from "./help-width.js";

declare const __KFP_S3_PROBE_HELP__: Record<string, string> | undefined;

async function prerenderedHelp(): Promise<Record<string, string> | undefined> {
  if (typeof __KFP_S3_PROBE_HELP__ === "object") return __KFP_S3_PROBE_HELP__;
  // dist/src/cli/start/quick.js → dist/help-texts.json, written by the build.
  const { existsSync, readFileSync } = await builtin("fs");
  const file = new URL("../../../help-texts.json", import.meta.url);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : undefined;
}

/**
 * The terminal's width, else COLUMNS. A pipe or a file is no character device and has no width of its
 * own: process.stdout, made to ask it, would cost a tenth of a bare node start.
 */
async function terminalColumns(): Promise<number | undefined> {
  const { fstatSync } = await builtin("fs");
  let terminal = false;
  try {
    terminal = fstatSync(1).isCharacterDevice();
  } catch {
    // No stdout to ask: as a pipe.
  }
  return helpColumns(terminal ? { isTTY: true, columns: process.stdout.columns } : {}, process.env);
}

/** The answer to a bare --version or --help, or undefined for everything else. */
export async function quickAnswer(argv: string[]): Promise<string | undefined> {
  if (argv.length !== 1) return undefined;
  const [word] = argv;
  // version.ts is shared with the commands, so it is a chunk of its own: --help does not load it.
  if (word === "--version" || word === "version") return `kfp-s3-probe ${(await import("../../version.js")).toolVersion()}\n`;
  if (word === "--help" || word === "-h") return (await prerenderedHelp())?.[String(helpWidth(await terminalColumns()))];
  return undefined;
}

/** The answer on stdout by write(2), without making process.stdout; the stream only where the pipe has no room. */
export async function writeAnswer(text: string): Promise<void> {
  const { writeSync } = await builtin("fs");
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch {
    // EAGAIN from a pipe opened non-blocking, and the like: the stream waits for room.
    await new Promise((done) => process.stdout.write(bytes.subarray(written), done));
  }
}
