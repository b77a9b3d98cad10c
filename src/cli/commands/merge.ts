// `kfp-s3-probe merge REPORT.json…`: the shards' JSON reports (or their pods' logs) as one report,
// in any output format, with the exit code a single run would have had.
import { readFile } from "node:fs/promises";
import { UsageError } from "../../core/usage-error.js";
import { mergeReports, reportFromText } from "../../report/merge.js";
import { defineCommand } from "./command.js";
import { writeReport } from "./report-output.js";
import { parseOrHelp, subcommandParser, withReportOptions } from "./subcommand.js";

function mergeParser(argv: string[]) {
  return (
    withReportOptions(subcommandParser(argv, "merge"))
      .usage(
        "Usage: kfp-s3-probe merge SHARD.json… [--output text|json|sarif] [--junit FILE] [--sarif FILE]\n\n" +
          "Combines the JSON reports of every shard of one run (kfp-s3-probe --shard I/N --output json, or the\n" +
          "pods of `kfp-s3-probe job --parallelism N`) into one report, and exits as one run would have.\n" +
          "A pod's log (stderr's finding lines around the report) is read as it is.",
      )
      // The reports are positional: unknown flags are refused, file names are not.
      .strictOptions()
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

export const command = defineCommand({
  name: "merge",
  options: (argv: string[]) => parseOrHelp(mergeParser(argv), argv),
  complete: async (args) => ({ args, files: args._.map(String) }),
  validate({ files }) {
    if (files.length === 0) throw new UsageError("merge: name the shards' reports, e.g. kfp-s3-probe merge shard-*.json");
  },
  async run({ args, files }, { io }) {
    const report = mergeReports(await Promise.all(files.map(readReport)));
    await writeReport(report, args, io);
    return report.exitCode;
  },
});
