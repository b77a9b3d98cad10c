// SARIF 2.1.0 for code-scanning dashboards: one rule per cause code, one result per check that is
// not ok and per KFP component that fails, rendered from the same Report as every other format.
import type { Log, ReportingDescriptor, Result } from "sarif";
import { CAUSE_NAMES } from "../core/cause.js";
import { type Severity, severityOf } from "../core/verdicts.js";
import { failureWords } from "./component-words.js";
import { CAUSE_WORDS } from "./hint.js";
import { isMutedComponent, type Report, type ReportCheck, type ReportComponent } from "./model.js";
import { verdictWord, whyOf } from "./verdict-words.js";

/** SARIF's level of each severity: failures and errors are errors, warnings warnings, the rest notes. */
const LEVELS: Record<Severity, Result.level> = {
  failure: "error",
  error: "error",
  warning: "warning",
  undecided: "note",
  skipped: "note",
  pass: "note",
};

function result(check: ReportCheck, bucket: string): Result {
  const where = check.prefix ?? "(bucket)";
  const why = whyOf(check);
  return {
    ruleId: check.cause ?? "unexpected-answer",
    ruleIndex: CAUSE_NAMES.indexOf(check.cause ?? "unexpected-answer"),
    level: LEVELS[severityOf(check.verdict)],
    message: {
      text: `${verdictWord(check.verdict)} ${check.identity} ${check.operation} ${where}: ${why}${check.hint ? `. Fix: ${check.hint}` : ""}`,
    },
    locations: [{ physicalLocation: { artifactLocation: { uri: `s3://${bucket}/${check.prefix ?? ""}` } } }],
    partialFingerprints: { "kfp-s3-probe/v1": [check.identity, check.operation, check.prefix ?? "", check.cause ?? ""].join("|") },
    // Muted by --ignore-file or --severity: kept, but suppressed, as the exit code does not count it.
    ...(check.muted
      ? {
          suppressions: [
            {
              kind: "external" as const,
              justification: check.muted.by === "ignore-file" ? `--ignore-file line ${check.muted.line}: ${check.muted.rule}` : "--severity",
            },
          ],
        }
      : {}),
    properties: {
      identity: check.identity,
      operation: check.operation,
      verdict: check.verdict,
      expected: check.expected,
      ...(check.remedy ? { remedy: check.remedy } : {}),
    },
  };
}

/** A failing component, by its first failure's cause: what its users see, on which request, and the fix. */
export function componentResult(component: ReportComponent, store: Pick<Report["store"], "endpoint" | "bucket">): Result[] {
  const [first] = component.failing;
  if (!first) return [];
  const { identity } = component;
  return [
    {
      ruleId: first.cause,
      ruleIndex: CAUSE_NAMES.indexOf(first.cause),
      level: "error",
      message: { text: `FAILS ${component.component} with ${identity}'s keys: ${failureWords(component, store.endpoint)}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: `s3://${store.bucket}/${first.prefix ?? ""}` } } }],
      partialFingerprints: { "kfp-s3-probe/v1": [identity, component.component, first.call, first.cause].join("|") },
      properties: { identity, component: component.component, effect: first.effect, remedy: first.remedy },
      ...(isMutedComponent(component)
        ? { suppressions: [{ kind: "external" as const, justification: "every failure muted (--ignore-file, --severity)" }] }
        : {}),
    },
  ];
}

export function renderSarif(report: Report): string {
  const rules: ReportingDescriptor[] = CAUSE_NAMES.map((cause) => ({ id: cause, shortDescription: { text: CAUSE_WORDS[cause].title } }));
  const log: Log = {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: { driver: { name: "kfp-s3-probe", version: report.tool.version, rules } },
        results: [
          ...report.checks.filter((c) => c.verdict !== "ok").map((c) => result(c, report.store.bucket)),
          ...(report.components ?? []).flatMap((c) => componentResult(c, report.store)),
        ],
        invocations: [
          {
            executionSuccessful: report.cleanup.leftovers.length === 0,
            exitCode: report.exitCode,
            toolExecutionNotifications: report.cleanup.leftovers.map((l) => ({
              level: "error" as const,
              message: { text: `LEFTOVER s3://${report.store.bucket}/${l.key}${l.uploadId ? ` (upload ${l.uploadId})` : ""}: ${l.reason}` },
            })),
          },
        ],
        properties: { runId: report.runId, endpoint: report.store.endpoint, bucket: report.store.bucket },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
