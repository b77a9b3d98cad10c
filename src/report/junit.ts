// --junit FILE: the report as JUnit XML for CI, one testcase per cell. A LEAK or MISSING is a
// failure carrying its fix, an error an error, a check not run a skipped test; warnings pass,
// with the warning in system-out.
import type { Report, ReportCheck } from "./model.js";

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);
}

function testcase(check: ReportCheck): string {
  const name = xmlEscape(`${check.operation} ${check.prefix ?? "(bucket)"} (expected ${check.expected})`);
  const open = `    <testcase classname="kfp-s3-probe.${xmlEscape(check.identity)}" name="${name}" time="0">`;
  const why =
    check.reason ?? (check.verdict === "leak" ? "allowed, must be denied" : check.verdict === "missing" ? "denied, KFP needs it" : check.verdict);
  const body = check.hint ? `fix: ${check.hint}` : "";
  switch (check.verdict) {
    case "leak":
    case "missing":
      return `${open}\n      <failure type="${check.verdict.toUpperCase()}" message="${xmlEscape(why)}">${xmlEscape(body)}</failure>\n    </testcase>`;
    case "error":
      return `${open}\n      <error type="${xmlEscape(check.errorKind ?? "error")}" message="${xmlEscape(why)}">${xmlEscape(body)}</error>\n    </testcase>`;
    case "not-run":
      return `${open}\n      <skipped message="${xmlEscape(why)}"/>\n    </testcase>`;
    case "ok":
      return `${open}</testcase>`;
    default:
      return `${open}\n      <system-out>${xmlEscape(`${check.verdict}: ${why}${body ? `; ${body}` : ""}`)}</system-out>\n    </testcase>`;
  }
}

export function renderJunit(report: Report): string {
  const count = (checks: ReportCheck[]) => ({
    tests: checks.length,
    failures: checks.filter((c) => c.verdict === "leak" || c.verdict === "missing").length,
    errors: checks.filter((c) => c.verdict === "error").length,
    skipped: checks.filter((c) => c.verdict === "not-run").length,
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
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kfp-s3-probe ${xmlEscape(report.store.bucket)} run ${xmlEscape(report.runId)}" ${attributes(count(report.checks))} time="${seconds}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
