// `kfp-s3-probe diff OLD.json NEW.json`: what changed between two runs' JSON reports (or pod logs):
// new and fixed LEAK/MISSING cells, new and gone identities and profiles, diagnoses that came or
// went. Exit 1 when anything got worse, 0 otherwise.
import { readFile, writeFile } from "node:fs/promises";
import { UsageError } from "../../core/usage-error.js";
import { diffReports } from "../../report/diff.js";
import { renderDiffJson, renderDiffSarif, renderDiffText } from "../../report/diff-render.js";
import { reportFromText } from "../../report/merge.js";
import { defineCommand } from "./command.js";
import { parseOrHelp, subcommandParser } from "./subcommand.js";

const RENDERERS = { text: renderDiffText, json: renderDiffJson, sarif: renderDiffSarif };
const OUTPUTS = Object.keys(RENDERERS) as (keyof typeof RENDERERS)[];

function diffParser(argv: string[]) {
  return subcommandParser(argv, "diff")
    .usage(
      "Usage: kfp-s3-probe diff OLD.json NEW.json [--output text|json|sarif] [--sarif FILE]\n\n" +
        "Compares two JSON reports of one bucket (kfp-s3-probe --output json, merge's, or a pod's log):\n" +
        "new and fixed LEAK/MISSING cells, new and gone identities and profiles, diagnoses that came or\n" +
        "went. Exit 1 when anything got worse (a new LEAK or MISSING cell, a new diagnosis), 0 otherwise.",
    )
    .option("output", { type: "string", choices: OUTPUTS, default: "text", describe: "format on stdout" })
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
  options: (argv: string[]) => parseOrHelp(diffParser(argv), argv),
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
