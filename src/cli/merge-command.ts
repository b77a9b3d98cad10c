// `kfp-s3-probe merge REPORT.json…`: the shards' JSON reports (or their pods' logs) as one report,
// in any output format, with the exit code a single run would have had.
import { readFile, writeFile } from "node:fs/promises";
import yargs from "yargs";
import { EXIT_CODES } from "../core/exit-codes.js";
import { UsageError } from "../core/usage-error.js";
import { FORMATS, STDOUT_FORMATS } from "../report/formats.js";
import { mergeReports, reportFromText } from "../report/merge.js";
import type { Io } from "./io.js";

function mergeParser(argv: string[]) {
  return (
    yargs(argv)
      .scriptName("kfp-s3-probe merge")
      .usage(
        "Usage: kfp-s3-probe merge SHARD.json… [--output text|json|sarif] [--junit FILE] [--sarif FILE]\n\n" +
          "Combines the JSON reports of every shard of one run (kfp-s3-probe --shard I/N --output json, or the\n" +
          "pods of `kfp-s3-probe job --parallelism N`) into one report, and exits as one run would have.\n" +
          "A pod's log (stderr's finding lines around the report) is read as it is.",
      )
      .option("output", { type: "string", choices: STDOUT_FORMATS, default: "text", describe: "format on stdout" })
      .option("junit", { type: "string", describe: "also write JUnit XML to FILE" })
      .option("sarif", { type: "string", describe: "also write SARIF 2.1.0 to FILE" })
      // The reports are positional: unknown flags are refused, file names are not.
      .strictOptions()
      .version(false)
      .help("help")
      .exitProcess(false)
      .fail((message, error) => {
        throw new UsageError(`merge: ${(message ?? error?.message ?? "bad usage").replace(/\s*\n\s*/g, " ")} (see kfp-s3-probe merge --help)`);
      })
  );
}

async function readReport(file: string) {
  try {
    return { report: reportFromText(await readFile(file, "utf8"), file), source: file };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`merge: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
}

export async function mergeCommand(argv: string[], io: Io): Promise<number> {
  let helpShown = false;
  const args = await mergeParser(argv).parseAsync(argv, {}, (error, _argv, output) => {
    if (!error && output) {
      helpShown = true;
      io.stdout.write(`${output}\n`);
    }
  });
  if (helpShown) return EXIT_CODES.asExpected;
  const files = args._.map(String);
  if (files.length === 0) throw new UsageError("merge: name the shards' reports, e.g. kfp-s3-probe merge shard-*.json");
  const report = mergeReports(await Promise.all(files.map(readReport)));
  const colour = io.stdout.isTTY === true && !io.env.NO_COLOR;
  io.stdout.write(FORMATS[args.output as keyof typeof FORMATS].render(report, { colour, text: { width: Number(io.env.COLUMNS) || 100 } }));
  for (const [format, file] of [
    ["junit", args.junit],
    ["sarif", args.sarif],
  ] as const) {
    if (file) await writeFile(file, FORMATS[format].render(report, { colour: false }));
  }
  return report.exitCode;
}
