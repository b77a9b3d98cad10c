// `kfp-s3-probe diff OLD.json NEW.json`: what changed between two runs' JSON reports (or pod logs):
// new and fixed LEAK/MISSING cells, new and gone identities and profiles, diagnoses that came or
// went. Exit 1 when anything got worse, 0 otherwise.
import { readFile, writeFile } from "node:fs/promises";
import { UsageError } from "../../core/usage-error.js";
import { diffReports } from "../../report/diff.js";
import { renderDiffJson, renderDiffSarif, renderDiffText } from "../../report/diff-render.js";
import { reportFromText } from "../../report/merge.js";
import type { HelpPage } from "../settings/help.js";
import { defineCommand } from "./command.js";
import { parseOrHelp, subcommandParser } from "./subcommand.js";

const RENDERERS = { text: renderDiffText, json: renderDiffJson, sarif: renderDiffSarif };
const OUTPUTS = Object.keys(RENDERERS) as (keyof typeof RENDERERS)[];

const HELP: HelpPage = {
  usage: ["kfp-s3-probe diff OLD.json NEW.json [-o text|json|sarif] [--sarif FILE]"],
  examples: [
    { about: "What changed since last week's run:", command: "kfp-s3-probe diff last-week.json today.json" },
    {
      about: "For CI, failing when anything got worse, with SARIF for a dashboard:",
      command: "kfp-s3-probe diff main.json branch.json -o json --sarif diff.sarif",
    },
  ],
  about: [
    "Compares two JSON reports of one bucket (kfp-s3-probe --output json, merge's, or a pod's log): new and fixed LEAK/MISSING cells, new and gone identities and profiles, diagnoses that came or went.",
  ],
  exitCodes: [
    ["asExpected", "nothing got worse"],
    ["findings", "something got worse: a new LEAK or MISSING cell, a new diagnosis"],
    ["usage", "bad usage, or a report that cannot be read (one line names it)"],
    ["internal", "an internal error of the probe"],
  ],
};

function diffParser(argv: string[]) {
  return subcommandParser(argv, "diff")
    .option("output", { alias: "o", type: "string", choices: OUTPUTS, default: "text", describe: "format on stdout" })
    .option("sarif", { type: "string", describe: "also write SARIF 2.1.0 to FILE (baselineState new and absent)" })
    .strictOptions();
}

async function readReport(file: string) {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`diff: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  return reportFromText(text, file, "diff");
}

export const command = defineCommand({
  name: "diff",
  options: (argv: string[]) => parseOrHelp(diffParser(argv), argv, HELP),
  complete: async (args) => ({ args, files: args._.map(String) }),
  validate({ files }) {
    if (files.length !== 2) throw new UsageError("diff: name two reports, the older first: kfp-s3-probe diff OLD.json NEW.json");
  },
  async run({ args, files }, { io }) {
    const [older, newer] = await Promise.all(files.map(readReport));
    if (!older || !newer) throw new UsageError("diff: name two reports");
    if (older.store.bucket !== newer.store.bucket)
      throw new UsageError(`diff: the reports are of two buckets (${older.store.bucket}, ${newer.store.bucket}): compare runs of one bucket`);
    const diff = diffReports(older, newer);
    io.stdout.write(RENDERERS[args.output as keyof typeof RENDERERS](diff));
    if (args.sarif) {
      await writeFile(args.sarif, renderDiffSarif(diff)).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`diff: cannot write --sarif ${args.sarif} (${error.code ?? "unwritable"})`);
      });
    }
    return diff.worse ? 1 : 0;
  },
});
