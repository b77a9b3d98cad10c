// SARIF 2.1.0 for code-scanning dashboards: one rule per cause code, one result per check that is
// not ok, rendered from the same Report as every other format.
import type { Log, ReportingDescriptor, Result } from "sarif";
import { CAUSES, type Cause } from "../core/cause.js";
import { type Severity, severityOf } from "../core/verdict.js";
import type { Report, ReportCheck } from "./model.js";
import { verdictWord, whyOf } from "./verdict-words.js";

const RULE_TEXT: Record<Cause, string> = {
  "missing-action": "An identity lacks an action KFP needs",
  "delete-needs-read": "DeleteObject without GetObject: KFP deletes through gocloud, which reads first",
  "recommended-action": "A recommended action is missing (s3:AbortMultipartUpload)",
  "grant-too-wide": "An identity may reach what it must not",
  "key-names-listable": "Key names of other prefixes are listable",
  "public-access": "Anyone, without keys, may do it",
  "no-object-to-read": "A read could not be decided: no object to read",
  "undecided-answer": "The store's answer does not decide",
  "policy-not-evaluated": "The policy uses something the offline evaluator does not read",
  "not-run": "A check was not run",
  "checksum-rejected": "The store rejects uploads with a CRC32 checksum",
  unreachable: "No connection to the endpoint",
  dns: "The endpoint's host name does not resolve",
  "tls-mismatch": "TLS or plain HTTP mismatch, or an untrusted certificate",
  timeout: "No answer in time",
  "wrong-secret": "The secret key does not match the access key id",
  "unknown-key": "The store does not know the access key id",
  "expired-token": "The session token has expired",
  "clock-skew": "The clocks differ by more than 15 minutes",
  "wrong-region": "The bucket is in another region",
  "no-such-bucket": "The bucket does not exist",
  "addressing-style": "The store refuses this addressing style",
  "key-exists": "A probe key existed before the run",
  "not-implemented": "The store does not implement a request KFP needs",
  throttled: "The store kept asking to slow down",
  "store-failure": "The store failed (5xx)",
  interrupted: "The run was cut short",
  "unexpected-answer": "An answer the probe does not know",
};

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
    ruleIndex: CAUSES.indexOf(check.cause ?? "unexpected-answer"),
    level: LEVELS[severityOf(check.verdict)],
    message: {
      text: `${verdictWord(check.verdict)} ${check.identity} ${check.operation} ${where}: ${why}${check.hint ? `. Fix: ${check.hint}` : ""}`,
    },
    locations: [{ physicalLocation: { artifactLocation: { uri: `s3://${bucket}/${check.prefix ?? ""}` } } }],
    partialFingerprints: { "kfp-s3-probe/v1": [check.identity, check.operation, check.prefix ?? "", check.cause ?? ""].join("|") },
    properties: {
      identity: check.identity,
      operation: check.operation,
      verdict: check.verdict,
      expected: check.expected,
      ...(check.remedy ? { remedy: check.remedy } : {}),
    },
  };
}

export function renderSarif(report: Report): string {
  const rules: ReportingDescriptor[] = CAUSES.map((cause) => ({ id: cause, shortDescription: { text: RULE_TEXT[cause] } }));
  const log: Log = {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: { driver: { name: "kfp-s3-probe", version: report.tool.version, rules } },
        results: report.checks.filter((c) => c.verdict !== "ok").map((c) => result(c, report.store.bucket)),
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
