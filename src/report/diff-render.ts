// The words of a diff (diff.ts): text for people, JSON as the data, and SARIF with baselineState
// (new, absent) so that a code-scanning dashboard shows what came and what went.
import type { Log, ReportingDescriptor, Result } from "sarif";
import { CAUSE_NAMES } from "../core/cause.js";
import { failureWords } from "./component-words.js";
import type { DiffCell, ReportDiff } from "./diff.js";
import { CAUSE_WORDS } from "./hint.js";
import { componentResult } from "./sarif.js";
import { verdictWord, whyOf } from "./verdict-words.js";

const place = (cell: DiffCell) => `${cell.identity} ${cell.operation} ${cell.prefix ?? "(bucket)"}`;
const was = (verdict: DiffCell["before"]) => (verdict ? verdictWord(verdict) : "not checked");

function cellLine(cell: DiffCell, fixed: boolean): string {
  if (fixed) return `  FIXED  ${verdictWord(cell.before ?? "ok")} ${place(cell)}: now ${was(cell.after)}`;
  const fix = cell.check.hint ? `\n         fix: ${cell.check.hint}` : "";
  return `  NEW    ${verdictWord(cell.after ?? "ok")} ${place(cell)}: ${whyOf(cell.check)} (was ${was(cell.before)})${fix}`;
}

function namesLine(what: string, names: { added: string[]; gone: string[] }): string[] {
  return [
    ...(names.added.length > 0 ? [`  new ${what}: ${names.added.join(", ")}`] : []),
    ...(names.gone.length > 0 ? [`  gone ${what}: ${names.gone.join(", ")}`] : []),
  ];
}

export function renderDiffText(diff: ReportDiff): string {
  const changes = [
    ...diff.newFindings.map((cell) => cellLine(cell, false)),
    ...diff.fixedFindings.map((cell) => cellLine(cell, true)),
    ...diff.diagnoses.added.map((d) => `  NEW    DIAGNOSIS ${d.kind}: ${d.message}`),
    ...diff.diagnoses.gone.map((d) => `  GONE   DIAGNOSIS ${d.kind}: ${d.message}`),
    ...diff.components.failing.map((c) => `  NEW    FAILS ${c.component} with ${c.identity}'s keys: ${failureWords(c, diff.endpoint)}`),
    ...diff.components.fixed.map((c) => `  FIXED  ${c.component} with ${c.identity}'s keys: works now`),
    ...namesLine("identities", diff.identities),
    ...namesLine("profiles", diff.profiles),
    ...(diff.assurance.before !== diff.assurance.after ? [`  assurance: ${diff.assurance.before} -> ${diff.assurance.after}`] : []),
  ];
  const verdict = diff.worse
    ? `worse: ${diff.newFindings.length} new LEAK/MISSING cell(s), ${diff.diagnoses.added.length} new diagnosis(es), ${diff.components.failing.length} KFP component(s) newly failing; exit 1`
    : `not worse: ${diff.fixedFindings.length} cell(s) fixed; exit 0`;
  return `${[
    `kfp-s3-probe diff  bucket ${diff.bucket}  run ${diff.old.runId} (exit ${diff.old.exitCode}) -> ${diff.new.runId} (exit ${diff.new.exitCode})`,
    ...(changes.length > 0 ? changes : ["  no change in findings, diagnoses, components, identities or profiles"]),
    verdict,
  ].join("\n")}\n`;
}

export const renderDiffJson = (diff: ReportDiff): string => `${JSON.stringify({ schema: "kfp-s3-probe/diff", schemaVersion: 1, ...diff })}\n`;

function sarifResult(cell: DiffCell, bucket: string, fixed: boolean): Result {
  const cause = cell.check.cause ?? "unexpected-answer";
  const verdict = fixed ? cell.before : cell.after;
  return {
    ruleId: cause,
    ruleIndex: CAUSE_NAMES.indexOf(cause),
    level: fixed ? "note" : "error",
    baselineState: fixed ? "absent" : "new",
    message: {
      text: `${fixed ? "fixed" : "new"} ${verdictWord(verdict ?? "ok")} ${place(cell)}${!fixed && cell.check.hint ? `. Fix: ${cell.check.hint}` : ""}`,
    },
    locations: [{ physicalLocation: { artifactLocation: { uri: `s3://${bucket}/${cell.prefix ?? ""}` } } }],
    partialFingerprints: { "kfp-s3-probe/v1": [cell.identity, cell.operation, cell.prefix ?? "", cause].join("|") },
    properties: { identity: cell.identity, operation: cell.operation, before: cell.before, after: cell.after },
  };
}

export function renderDiffSarif(diff: ReportDiff): string {
  const rules: ReportingDescriptor[] = CAUSE_NAMES.map((cause) => ({ id: cause, shortDescription: { text: CAUSE_WORDS[cause].title } }));
  const log: Log = {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: { driver: { name: "kfp-s3-probe", rules } },
        results: [
          ...diff.newFindings.map((cell) => sarifResult(cell, diff.bucket, false)),
          ...diff.fixedFindings.map((cell) => sarifResult(cell, diff.bucket, true)),
          ...diff.components.failing.flatMap((c) =>
            componentResult(c, { endpoint: diff.endpoint, bucket: diff.bucket }).map((r) => ({ ...r, baselineState: "new" as const })),
          ),
        ],
        invocations: [{ executionSuccessful: true, exitCode: diff.worse ? 1 : 0 }],
        properties: { bucket: diff.bucket, oldRunId: diff.old.runId, newRunId: diff.new.runId },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
