// --help and --version answered before anything else loads: the help text was rendered by the
// build (at the common widths), so a bare `kfp-s3-probe --help` costs about a bare node start.
// Anything else, or a terminal of another width, goes through the full parser.
import { existsSync, readFileSync } from "node:fs";
import { toolVersion } from "../version.js";
import { helpWidth } from "./help-width.js";

declare const __KFP_S3_PROBE_HELP__: Record<string, string> | undefined;

function prerenderedHelp(): Record<string, string> | undefined {
  if (typeof __KFP_S3_PROBE_HELP__ === "object") return __KFP_S3_PROBE_HELP__;
  // dist/src/cli/quick.js → dist/help-texts.json, written by the build.
  const file = new URL("../../help-texts.json", import.meta.url);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : undefined;
}

/** The answer to a bare --version or --help, or undefined for everything else. */
export function quickAnswer(argv: string[], columns: number | undefined): string | undefined {
  if (argv.length !== 1) return undefined;
  const [word] = argv;
  if (word === "--version" || word === "version") return `kfp-s3-probe ${toolVersion()}\n`;
  if (word === "--help" || word === "-h") return prerenderedHelp()?.[String(helpWidth(columns))];
  return undefined;
}
