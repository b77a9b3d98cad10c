// `kfp-s3-probe merge REPORT…`: the shards' JSON reports, their pods' logs (files, a directory of
// them, or stdin: `kubectl logs -l … | kfp-s3-probe merge -`) as one report, in any output format,
// with the exit code a single run would have had.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../core/usage-error.js";
import { mergeReports } from "../../report/merge.js";
import { type ReadInput, reportsInText } from "../../report/pod-log.js";
import type { Io } from "../io.js";
import { mutingOf } from "../settings/config.js";
import type { HelpPage } from "../settings/help.js";
import { findingsExitCode } from "../settings/validate.js";
import { defineCommand } from "./command.js";
import { writeReport } from "./report-output.js";
import { parseOrHelp, subcommandParser, withReportOptions } from "./subcommand.js";

const HELP: HelpPage = {
  usage: ["kfp-s3-probe merge SHARD... [-o text|json|sarif] [--junit FILE] [--sarif FILE] [--exit-code N]"],
  examples: [
    { about: "The shards' JSON reports as one text report:", command: "kfp-s3-probe merge shard-0.json shard-1.json shard-2.json" },
    {
      about: "A Job's pods' logs, from stdin:",
      command: "kubectl logs -n kubeflow -l kfp-s3-probe/run=RUN --tail=-1 --prefix | kfp-s3-probe merge -",
    },
    {
      about: "One JSON report for CI, and SARIF for a code-scanning dashboard:",
      command: "kfp-s3-probe merge shard-*.json -o json --sarif probe.sarif",
    },
  ],
  about: [
    "Combines the JSON reports of every shard of one run (kfp-s3-probe --shard I/N --output json, or the pods of `kfp-s3-probe job --parallelism N`) into one report, and exits as one run would have. SHARD is a report, a pod's log as kubectl prints it, a directory of them, or - for stdin.",
  ],
  exitCodes: [
    ["asExpected", "every shard's checks as the roles expect"],
    ["findings", "a LEAK, a MISSING, a failed check or a failing KFP component in a shard (--exit-code N: N)"],
    ["usage", "bad usage, or a report that cannot be read (one line names it)"],
    ["unreachable", "a shard could not connect or authenticate"],
    ["internal", "an internal error of the probe"],
    ["leftovers", "a shard could not remove everything it created"],
    ["unproven", "--require-proof in the shards: nothing found, but not proven for all keys"],
    ["interrupted", "a shard was interrupted (Ctrl-C, SIGTERM)"],
  ],
};

function mergeParser(argv: string[]) {
  return (
    withReportOptions(subcommandParser(argv, "merge"))
      .option("severity", {
        type: "string",
        describe:
          "as the run's: the finding severities counted toward the exit code, comma-separated (failure, error, warning, undecided, skipped); the others are listed as muted",
      })
      .option("ignore-file", {
        type: "string",
        describe:
          "as the run's: a file of known findings to mute, a line each, CAUSE [IDENTITY [PREFIX [OPERATION]]]; on top of what the shards muted",
      })
      .option("exit-code", {
        type: "number",
        default: 1,
        describe: "the exit code for findings (a LEAK, a MISSING, a failed check); other codes stay as they are",
      })
      // The reports are positional: unknown flags are refused, file names are not.
      .strictOptions()
  );
}

function unreadable(name: string, error: unknown): UsageError {
  return new UsageError(`merge: cannot read ${name} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
}

async function textOfStdin(io: Io): Promise<string> {
  const stdin = io.stdin;
  if (!stdin) throw new UsageError("merge: - reads standard input, and there is none here; name the files instead");
  if (stdin.isTTY)
    throw new UsageError("merge: - reads standard input, which is a terminal: pipe the logs in (kubectl logs … | kfp-s3-probe merge -)");
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** A directory's files (not its subdirectories), in name order, as if each were named. */
async function filesIn(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(directory, entry.name));
  if (files.length === 0) throw new UsageError(`merge: ${directory} is a directory without files: put the shards' reports or logs in it`);
  return files.sort();
}

async function readFileInput(file: string): Promise<ReadInput> {
  try {
    return reportsInText(await readFile(file, "utf8"), file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw unreadable(file, error);
  }
}

/** One named input: "-" (stdin), a directory, or a file; every report in it. */
async function readInput(name: string, io: Io): Promise<ReadInput[]> {
  if (name === "-") return [reportsInText(await textOfStdin(io), "stdin")];
  const kind = await stat(name).catch((error: unknown) => {
    throw unreadable(name, error);
  });
  if (!kind.isDirectory()) return [await readFileInput(name)];
  return Promise.all((await filesIn(name)).map(readFileInput));
}

export const command = defineCommand({
  name: "merge",
  options: (argv: string[]) => parseOrHelp(mergeParser(argv), argv, HELP),
  complete: async (args) => ({
    args,
    inputs: args._.map(String),
    findingsCode: findingsExitCode(args["exit-code"]),
    muting: mutingOf(args.severity, args["ignore-file"]),
  }),
  validate({ inputs }) {
    if (inputs.length === 0) throw new UsageError("merge: name the shards' reports, e.g. kfp-s3-probe merge shard-*.json, or - for stdin");
    if (inputs.filter((name) => name === "-").length > 1) throw new UsageError("merge: - (stdin) given twice: name it once");
  },
  async run({ args, inputs, findingsCode, muting }, { io }) {
    const read = (await Promise.all(inputs.map((name) => readInput(name, io)))).flat();
    const report = mergeReports(
      read.flatMap((input) => input.reports),
      { unreported: read.flatMap((input) => input.unreported), findingsCode, muting },
    );
    await writeReport(report, args, io);
    return report.exitCode;
  },
});
