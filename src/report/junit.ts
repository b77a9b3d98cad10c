// --junit FILE: the report as JUnit XML for CI, one testcase per cell. A LEAK or MISSING is a
// failure carrying its fix, an error an error, a check not run a skipped test; warnings pass,
// with the warning in system-out. Then one testcase per KFP component and identity (a failure
// where it fails), and the leftovers as one failure.
import { type Severity, severityOf } from "../core/verdicts.js";
import { failingWords, unjudgedWords, warningWords } from "./component-words.js";
import { failsAndCounts, isMutedComponent, type Report, type ReportCheck } from "./model.js";
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

/** Muted (--ignore-file, --severity): it passes, as the exit code counts it, and says so in system-out. */
function mutedOut(check: ReportCheck, why: string): string {
  const by = check.muted?.by === "ignore-file" ? `--ignore-file line ${check.muted.line}: ${check.muted.rule}` : "--severity";
  return `<system-out>${xmlEscape(`MUTED ${verdictWord(check.verdict)} (${by}): ${why}`)}</system-out>`;
}

/** The testcase's severity as the run counts it: a muted finding passes. */
const countedSeverity = (check: ReportCheck): Severity => (check.muted ? "pass" : severityOf(check.verdict));

function testcase(check: ReportCheck): string {
  const name = xmlEscape(`${check.operation} ${check.prefix ?? "(bucket)"} (expected ${check.expected})`);
  const open = `    <testcase classname="kfp-s3-probe.${xmlEscape(check.identity)}" name="${name}" time="${((check.durationMs ?? 0) / 1000).toFixed(3)}">`;
  const why = whyOf(check);
  const element = check.muted ? mutedOut(check, why) : ELEMENTS[severityOf(check.verdict)](check, why, check.hint ? `fix: ${check.hint}` : "");
  return element === undefined ? `${open}</testcase>` : `${open}\n      ${element}\n    </testcase>`;
}

export function renderJunit(report: Report): string {
  const count = (checks: ReportCheck[]) => ({
    tests: checks.length,
    failures: checks.filter((c) => countedSeverity(c) === "failure").length,
    errors: checks.filter((c) => countedSeverity(c) === "error").length,
    skipped: checks.filter((c) => countedSeverity(c) === "skipped").length,
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
  const extra = [componentsSuite(report, seconds), cleanupSuite(report, seconds)].flatMap((suite) => (suite ? [suite] : []));
  const sum = (field: "tests" | "failures" | "skipped") => extra.reduce((n, suite) => n + suite[field], all[field]);
  const totals = { ...all, tests: sum("tests"), failures: sum("failures"), skipped: sum("skipped") };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kfp-s3-probe ${xmlEscape(report.store.bucket)} run ${xmlEscape(report.runId)}" ${attributes(totals)} time="${seconds}">`,
    ...suites,
    ...extra.map((suite) => suite.xml),
    "</testsuites>",
    "",
  ].join("\n");
}

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  skipped: number;
}

/** Each KFP component with each identity's keys: a failure naming what its users see, on which request, and the fix. */
function componentsSuite(report: Report, seconds: string): Suite | undefined {
  const components = report.components ?? [];
  if (components.length === 0) return undefined;
  const failures = components.filter(failsAndCounts).length;
  const cases = components.map((c) => {
    const open = `    <testcase classname="kfp-s3-probe.components.${xmlEscape(c.identity)}" name="${xmlEscape(`${c.component} works (KFP ${c.kfp})`)}" time="0.000">`;
    if (c.unjudged) return `${open}\n      <skipped message="${xmlEscape(`not judged: ${unjudgedWords(c)}`)}"/>\n    </testcase>`;
    const warning = warningWords(c, report.store.endpoint);
    if (c.works && warning) return `${open}\n      <system-out>${xmlEscape(`WARNS: ${warning}`)}</system-out>\n    </testcase>`;
    if (c.works) return `${open}</testcase>`;
    const words = failingWords(c, report.store.endpoint);
    if (isMutedComponent(c)) return `${open}\n      <system-out>${xmlEscape(`MUTED FAILS: ${words}`)}</system-out>\n    </testcase>`;
    return `${open}\n      <failure type="FAILS" message="${xmlEscape(words)}">${xmlEscape(words)}</failure>\n    </testcase>`;
  });
  const skipped = components.filter((c) => c.unjudged).length;
  const head = `  <testsuite name="components" tests="${components.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${report.startedAt}" time="${seconds}">`;
  return { xml: [head, ...cases, "  </testsuite>"].join("\n"), tests: components.length, failures, skipped };
}

/** Leftovers are a failure of their own: the probe promised to leave the store as it found it. */
function cleanupSuite(report: Report, seconds: string): Suite | undefined {
  const { leftovers } = report.cleanup;
  if (leftovers.length === 0) return undefined;
  const lines = leftovers.map(
    (l) =>
      `s3://${report.store.bucket}/${l.key}${l.uploadId ? ` (upload ${l.uploadId})` : ""}${l.versionId ? ` (version ${l.versionId})` : ""}: ${l.reason}`,
  );
  const message = `${leftovers.length} probe object(s) or upload(s) not removed`;
  const xml = [
    `  <testsuite name="cleanup" tests="1" failures="1" errors="0" skipped="0" timestamp="${report.startedAt}" time="${seconds}">`,
    `    <testcase classname="kfp-s3-probe.cleanup" name="every probe object removed" time="${seconds}">`,
    `      <failure type="LEFTOVER" message="${xmlEscape(message)}">${xmlEscape([...lines, "remove them with: kfp-s3-probe sweep --delete"].join("\n"))}</failure>`,
    "    </testcase>",
    "  </testsuite>",
  ].join("\n");
  return { xml, tests: 1, failures: 1, skipped: 0 };
}
