// --junit FILE: the report as JUnit XML for CI, one testcase per cell. A LEAK or MISSING is a
// failure carrying its fix, an error an error, a check not run a skipped test; warnings pass,
// with the warning in system-out.
import { type Severity, severityOf } from "../core/verdicts.js";
import type { Report, ReportCheck } from "./model.js";
import { verdictWord, whyOf } from "./verdict-words.js";

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);
}

/** The element a check's severity becomes inside its testcase; warnings and undecided cells pass, said in system-out. */
const ELEMENTS: Record<Severity, (check: ReportCheck, why: string, body: string) => string | undefined> = {
  failure: (check, why, body) => `<failure type="${verdictWord(check.verdict)}" message="${xmlEscape(why)}">${xmlEscape(body)}</failure>`,
  error: (check, why, body) =>
    `<error type="${verdictWord(check.verdict)}" message="${xmlEscape(why)}">${xmlEscape([check.errorKind ? `kind: ${check.errorKind}` : "", body].filter(Boolean).join("\n"))}</error>`,
  skipped: (_check, why) => `<skipped message="${xmlEscape(why)}"/>`,
  pass: () => undefined,
  warning: (check, why, body) => systemOut(check, why, body),
  undecided: (check, why, body) => systemOut(check, why, body),
};

function systemOut(check: ReportCheck, why: string, body: string): string {
  return `<system-out>${xmlEscape(`${verdictWord(check.verdict)}: ${why}${body ? `; ${body}` : ""}`)}</system-out>`;
}

function testcase(check: ReportCheck): string {
  const name = xmlEscape(`${check.operation} ${check.prefix ?? "(bucket)"} (expected ${check.expected})`);
  const open = `    <testcase classname="kfp-s3-probe.${xmlEscape(check.identity)}" name="${name}" time="${((check.durationMs ?? 0) / 1000).toFixed(3)}">`;
  const element = ELEMENTS[severityOf(check.verdict)](check, whyOf(check), check.hint ? `fix: ${check.hint}` : "");
  return element === undefined ? `${open}</testcase>` : `${open}\n      ${element}\n    </testcase>`;
}

export function renderJunit(report: Report): string {
  const count = (checks: ReportCheck[]) => ({
    tests: checks.length,
    failures: checks.filter((c) => severityOf(c.verdict) === "failure").length,
    errors: checks.filter((c) => severityOf(c.verdict) === "error").length,
    skipped: checks.filter((c) => severityOf(c.verdict) === "skipped").length,
  });
  const attributes = (counts: ReturnType<typeof count>) =>
    `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}"`;
  const seconds = (report.durationMs / 1000).toFixed(3);
  const suites = report.identities.map((identity) => {
    const checks = report.checks.filter((c) => c.identity === identity.name);
    return [
      `  <testsuite name="${xmlEscape(`${identity.name} (${identity.description})`)}" ${attributes(count(checks))} timestamp="${report.startedAt}" time="${seconds}">`,
      ...checks.map(testcase),
      "  </testsuite>",
    ].join("\n");
  });
  const all = count(report.checks);
  const leftovers = cleanupSuite(report, seconds);
  const totals = leftovers ? { ...all, tests: all.tests + 1, failures: all.failures + 1 } : all;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kfp-s3-probe ${xmlEscape(report.store.bucket)} run ${xmlEscape(report.runId)}" ${attributes(totals)} time="${seconds}">`,
    ...suites,
    ...(leftovers ? [leftovers] : []),
    "</testsuites>",
    "",
  ].join("\n");
}

/** Leftovers are a failure of their own: the probe promised to leave the store as it found it. */
function cleanupSuite(report: Report, seconds: string): string | undefined {
  const { leftovers } = report.cleanup;
  if (leftovers.length === 0) return undefined;
  const lines = leftovers.map(
    (l) =>
      `s3://${report.store.bucket}/${l.key}${l.uploadId ? ` (upload ${l.uploadId})` : ""}${l.versionId ? ` (version ${l.versionId})` : ""}: ${l.reason}`,
  );
  const message = `${leftovers.length} probe object(s) or upload(s) not removed`;
  return [
    `  <testsuite name="cleanup" tests="1" failures="1" errors="0" skipped="0" timestamp="${report.startedAt}" time="${seconds}">`,
    `    <testcase classname="kfp-s3-probe.cleanup" name="every probe object removed" time="${seconds}">`,
    `      <failure type="LEFTOVER" message="${xmlEscape(message)}">${xmlEscape([...lines, "remove them with: kfp-s3-probe sweep --delete"].join("\n"))}</failure>`,
    "    </testcase>",
    "  </testsuite>",
  ].join("\n");
}
