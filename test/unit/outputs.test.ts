// The CI outputs: JUnit read back by a JUnit parser (junit2json), and one verdict vocabulary in
// text, JSON, JUnit and SARIF.
import { parse as parseJunit, type TestCase } from "junit2json";
import type { Log } from "sarif";
import { describe, expect, it } from "vitest";
import yargs from "yargs";
import { withReportOptions } from "../../src/cli/commands/subcommand.js";
import { FIELDS } from "../../src/cli/settings/fields.js";
import { LAYOUTS } from "../../src/core/layout.js";
import type { Operation } from "../../src/core/operations.js";
import { planFor } from "../../src/core/plan.js";
import { assess, type Observation } from "../../src/core/verdict.js";
import type { Verdict } from "../../src/core/verdicts.js";
import { FILE_FORMATS, FORMATS, type FormatName, fileOptionOf, rendererOf, STDOUT_FORMATS } from "../../src/report/formats.js";
import { renderHtml } from "../../src/report/html.js";
import { renderJunit } from "../../src/report/junit.js";
import { buildReport, type Report, type ReportCheck, type ReportComponent } from "../../src/report/model.js";
import { renderOpenMetrics } from "../../src/report/openmetrics.js";
import { renderSarif } from "../../src/report/sarif.js";
import { findingLines, renderText } from "../../src/report/text.js";
import { reportContext, workingComponent } from "../support/report-context.js";

const VERDICTS: Verdict[] = ["ok", "leak", "missing", "exposed", "degraded", "ambiguous", "error", "not-run"];
/** A real operation of its own per verdict, so that each format's line of it can be found. */
const OPERATION_OF: Record<Verdict, Operation> = {
  ok: "list",
  leak: "put",
  missing: "head",
  exposed: "get",
  degraded: "delete",
  ambiguous: "put-checksum",
  error: "multipart",
  "not-run": "abort-multipart",
};
const WORDS = { leak: "LEAK", missing: "MISSING", exposed: "EXPOSED", degraded: "DEGRADED", ambiguous: "AMBIGUOUS", error: "ERROR" };

/** A real report of one profile, then one check of each verdict, each with its own duration. */
function reportWithEveryVerdict(): Report {
  const plan = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, { profilesInRun: ["team-1"], unownedProfile: "nobody" });
  const results = plan.checks.map((check) => {
    const observation: Observation = { outcome: check.target?.prefix?.includes("team-1") ? "allowed" : "denied", evidence: [] };
    return assess(check, observation, { strict: false, bucket: "kfp" });
  });
  const base = buildReport({ plans: [plan], results, cleanup: { created: 3, removed: 2, leftovers: [] } }, reportContext());
  const template = base.checks.find((c) => c.operation === "get" && c.prefix === "artifacts/team-1/") as ReportCheck;
  const checks = VERDICTS.map((verdict, i) => ({
    ...template,
    operation: OPERATION_OF[verdict],
    verdict,
    durationMs: 100 * (i + 1),
    ...(verdict === "ok" || verdict === "not-run" ? {} : { cause: "missing-action" as const, hint: `fix the ${verdict}` }),
  }));
  return {
    ...base,
    checks,
    cleanup: { ...base.cleanup, leftovers: [{ key: "artifacts/team-1/.kfp-s3-probe/run/x", identity: "team-1", reason: "AccessDenied" }] },
  };
}

describe("JUnit, read by a JUnit parser", () => {
  const report = reportWithEveryVerdict();

  it("parses; counts, per-case time, failures, errors, skips and warnings are what the report says", async () => {
    const parsed = await parseJunit(renderJunit(report));
    const suites = parsed as { tests?: number; failures?: number; errors?: number; testsuite?: { name?: string; testcase?: TestCase[] }[] };
    expect(suites.tests).toBe(report.checks.length + 1);
    expect(suites.failures).toBe(3); // LEAK, MISSING and the leftovers
    expect(suites.errors).toBe(1);
    const cases = suites.testsuite?.flatMap((s) => s.testcase ?? []) ?? [];
    const byOperation = (verdict: Verdict) => cases.find((c) => c.name?.startsWith(`${OPERATION_OF[verdict]} `)) as TestCase;
    VERDICTS.forEach((verdict, i) => {
      expect(byOperation(verdict).time).toBeCloseTo(0.1 * (i + 1), 3);
    });
    expect(byOperation("leak").failure?.[0]).toMatchObject({ type: "LEAK", message: "allowed, must be denied", inner: "fix: fix the leak" });
    expect(byOperation("missing").failure?.[0]?.type).toBe("MISSING");
    expect(byOperation("error").error?.[0]?.type).toBe("ERROR");
    expect(byOperation("not-run").skipped).toHaveLength(1);
    // Warnings pass, and stay visible.
    for (const warning of ["exposed", "degraded", "ambiguous"] as const) {
      expect(byOperation(warning).failure).toBeUndefined();
      expect(byOperation(warning)["system-out"]?.[0]).toMatch(new RegExp(`^${warning.toUpperCase()}: .*; fix: fix the ${warning}$`));
    }
    const cleanup = suites.testsuite?.find((s) => s.name === "cleanup")?.testcase?.[0];
    expect(cleanup?.failure?.[0]).toMatchObject({ type: "LEFTOVER", message: "1 probe object(s) or upload(s) not removed" });
    expect(cleanup?.failure?.[0]?.inner).toContain("kfp-s3-probe sweep --delete");
  });
});

describe("muted findings (--ignore-file, --severity) in JUnit and SARIF", () => {
  it("a muted LEAK passes in JUnit, saying MUTED and the rule, and is a suppressed result in SARIF, as the exit code counts it", async () => {
    const base = reportWithEveryVerdict();
    const muted = { by: "ignore-file" as const, line: 3, rule: "grant-too-wide team-1 artifacts/team-1/ put" };
    const report = { ...base, checks: base.checks.map((c) => (c.verdict === "leak" ? { ...c, muted } : c)) };
    const parsed = (await parseJunit(renderJunit(report))) as { failures?: number; testsuite?: { testcase?: TestCase[] }[] };
    expect(parsed.failures).toBe(2); // MISSING and the leftovers
    const leak = parsed.testsuite?.flatMap((s) => s.testcase ?? []).find((c) => c.name?.startsWith(`${OPERATION_OF.leak} `));
    expect(leak?.failure).toBeUndefined();
    expect(leak?.["system-out"]?.[0]).toBe(`MUTED LEAK (--ignore-file line 3: ${muted.rule}): allowed, must be denied`);
    const sarif = JSON.parse(renderSarif(report)) as Log;
    const results = sarif.runs[0]?.results ?? [];
    expect(results.find((r) => r.properties?.verdict === "leak")?.suppressions).toEqual([
      { kind: "external", justification: `--ignore-file line 3: ${muted.rule}` },
    ]);
    expect(results.filter((r) => r.suppressions).length).toBe(1);
  });
});

describe("JUnit: KFP's components", () => {
  const base = reportWithEveryVerdict();
  const works = workingComponent("argo-executor");
  const remedy = { where: "kfp-setting", change: "set", value: "minio://kfp/v2/artifacts/team-1" } as const;
  const first: NonNullable<ReportComponent["warnings"]>[number] = {
    call: "ListObjectsV2",
    purpose: "download an input artifact",
    operation: null,
    prefix: null,
    shape: null,
    outcome: "misdirected",
    fallback: { root: "minio://mlpipeline/v2/artifacts", endpoint: "http://seaweedfs.kubeflow:9000" },
    cause: "launcher-config-missing",
    remedy,
    hint: "create the kfp-launcher ConfigMap",
    effect: "artifacts-elsewhere",
    evidence: [],
  };
  const fails: ReportComponent = { ...works, component: "v2-launcher", works: false, failing: [first], effect: "artifacts-elsewhere", fix: remedy };

  it("one testcase per component and identity; a failing one is a failure saying what its users see and the fix, counted in the totals", async () => {
    const report = { ...base, components: [works, fails] };
    const parsed = (await parseJunit(renderJunit(report))) as {
      tests?: number;
      failures?: number;
      testsuite?: { name?: string; testcase?: TestCase[] }[];
    };
    expect(parsed.tests).toBe(report.checks.length + 1 + 2);
    expect(parsed.failures).toBe(3 + 1);
    const suite = parsed.testsuite?.find((s) => s.name === "components");
    expect(suite?.testcase?.map((c) => [c.classname, c.name, c.failure?.[0]?.type ?? "pass"])).toEqual([
      ["kfp-s3-probe.components.team-1", "argo-executor works (KFP 2.17.x)", "pass"],
      ["kfp-s3-probe.components.team-1", "v2-launcher works (KFP 2.17.x)", "FAILS"],
    ]);
    expect(suite?.testcase?.[1]?.failure?.[0]?.message).toMatch(
      /^its tasks read and write their artifacts elsewhere, .*minio:\/\/mlpipeline\/v2\/artifacts .*\[launcher-config-missing\]; fix: create the kfp-launcher ConfigMap$/,
    );
    // A component none of whose requests was decided (its root in another bucket): skipped, and said so in the text.
    const unjudged: ReportComponent = { ...works, component: "v2-launcher", undecided: 6, unjudged: { reason: "other-bucket", bucket: "elsewhere" } };
    const notJudged = { ...base, components: [works, unjudged] };
    const parsedNotJudged = (await parseJunit(renderJunit(notJudged))) as {
      skipped?: number;
      testsuite?: { name?: string; testcase?: TestCase[] }[];
    };
    const skippedCase = parsedNotJudged.testsuite?.find((s) => s.name === "components")?.testcase?.[1];
    expect(skippedCase?.skipped?.[0]?.message).toBe(
      "not judged: its pipeline root is in bucket elsewhere, which this run did not probe: run it with --bucket elsewhere too",
    );
    expect(Number(parsedNotJudged.skipped)).toBe(report.checks.filter((c) => c.verdict === "not-run").length + 1);
    const notJudgedText = renderText(notJudged, false, { width: 300 });
    expect(notJudgedText).toMatch(/^components: 1 of 2 work: argo-executor \(team-1\)$/m);
    expect(notJudgedText).toMatch(/^ {2}NOT JUDGED {2}v2-launcher with team-1's keys: its pipeline root is in bucket elsewhere/m);
    // A component that goes on with a warning (the API server's bucket check from 2.16) passes, and says so.
    const warned: ReportComponent = {
      ...works,
      identity: "backend",
      component: "api-server",
      warnings: [
        {
          call: "HeadBucket",
          purpose: "at start, the bucket exists",
          operation: "head-bucket",
          prefix: null,
          shape: null,
          outcome: "denied",
          cause: "missing-action",
          remedy: { where: "identity-policy", change: "grant", actions: ["s3:ListBucket"], resource: "arn:aws:s3:::kfp" },
          effect: "warns-at-start",
          evidence: [],
        },
      ],
    };
    const withWarning = { ...base, components: [warned] };
    const xml = (await parseJunit(renderJunit(withWarning))) as { failures?: number; testsuite?: { name?: string; testcase?: TestCase[] }[] };
    const warnedCase = xml.testsuite?.find((s) => s.name === "components")?.testcase?.[0];
    expect(warnedCase?.failure).toBeUndefined();
    expect(warnedCase?.["system-out"]?.[0]).toMatch(
      /^WARNS: it logs a warning at start and goes on \(its bucket check fails\): HeadBucket under the bucket \(the head-bucket cell\) denied \[missing-action\]/,
    );
    expect(renderText(withWarning, false, { width: 300 })).toMatch(/^ {2}WARNS {2}api-server with backend's keys: it logs a warning at start/m);
    // Failing and warning: the failure says both.
    const failingToo = { ...warned, works: false, failing: fails.failing, effect: fails.effect, fix: fails.fix };
    const both = (await parseJunit(renderJunit({ ...base, components: [failingToo] }))) as { testsuite?: { name?: string; testcase?: TestCase[] }[] };
    expect(both.testsuite?.find((s) => s.name === "components")?.testcase?.[0]?.failure?.[0]?.message).toMatch(
      /\[launcher-config-missing\].*; it also warns: it logs a warning at start/,
    );
    // Partly muted: the words are those of the failure that counts.
    const [misdirected] = fails.failing;
    if (!misdirected) throw new Error("no failure");
    const mutedFirst = { ...misdirected, muted: { by: "severity" as const } };
    const denied = {
      ...misdirected,
      outcome: "denied" as const,
      fallback: undefined,
      call: "PutObject" as const,
      prefix: "v2/artifacts/team-1/",
      cause: "missing-action" as const,
      effect: "outputs-not-uploaded" as const,
    };
    const partly: ReportComponent = { ...fails, failing: [mutedFirst, denied] };
    expect(renderText({ ...base, components: [partly] }, false, { width: 300 })).toMatch(
      /FAILS {2}v2-launcher with team-1's keys: a task's output artifacts cannot be uploaded: PutObject under v2\/artifacts\/team-1\//,
    );
    // No components judged (a library run, an older report): no suite.
    expect(renderJunit({ ...base, components: null })).not.toContain('name="components"');
  });
});

describe("one verdict vocabulary", () => {
  const report = reportWithEveryVerdict();
  const json = JSON.parse(JSON.stringify(report)) as Report;

  it("each finding carries the same word in the text report, the stderr lines, JUnit and SARIF: the JSON verdict in capitals", () => {
    const text = renderText(report, false, { width: 200 });
    const lines = findingLines(report);
    const junit = renderJunit(report);
    const sarif = JSON.parse(renderSarif(report)) as Log;
    for (const [verdict, word] of Object.entries(WORDS) as [Verdict, string][]) {
      const operation = OPERATION_OF[verdict];
      expect(json.checks.find((c) => c.operation === operation)?.verdict).toBe(verdict);
      expect(lines.some((l) => l.startsWith(`${word} team-1 ${operation} `))).toBe(true);
      // Listable key names are one line per identity in the text report, whatever the cells.
      const what = verdict === "exposed" ? "can list key names" : `${operation} `;
      expect(text).toMatch(new RegExp(`^ {2}${word} +team-1 +${what}`, "m"));
      expect(junit).toMatch(new RegExp(`(type="${word}"|>${word}: )`));
      expect(sarif.runs[0]?.results?.find((r) => r.properties?.operation === operation)?.message.text).toMatch(
        new RegExp(`^${word} team-1 ${operation} `),
      );
    }
    // The words of old, one per format, are gone.
    expect(`${text}\n${lines.join("\n")}\n${junit}`).not.toMatch(/\b(WARN|UNSURE|NOT RUN)\b/);
  });
});

describe("the formats table", () => {
  it("--output chooses among the formats that go to stdout; JUnit, SARIF, HTML and OpenMetrics have a flag naming a file", () => {
    expect([...STDOUT_FORMATS]).toEqual(["text", "json", "sarif", "html", "openmetrics"]);
    expect(Object.entries(FORMATS).flatMap(([name, format]) => ("file" in format ? [[name, format.file.flag]] : []))).toEqual([
      ["junit", "--junit"],
      ["sarif", "--sarif"],
      ["html", "--html"],
      ["openmetrics", "--metrics"],
    ]);
  });

  it("a format written to a file: its flag in the settings table (words, place in the report) and the subcommands' options follow from its row", async () => {
    for (const format of FILE_FORMATS) {
      const { flag, describe, report, short } = FORMATS[format].file;
      expect(FIELDS[fileOptionOf(format)]).toEqual({ kind: "string", group: "output", report, describe });
      const parsed = await withReportOptions(yargs([flag, "out.file"])).parseAsync();
      expect(parsed[fileOptionOf(format)]).toBe("out.file");
      expect(short).toMatch(/^also write .* to FILE$/);
    }
  });

  it("each format's renderer loads when asked and renders the report as its own renderer does", async () => {
    const report = reportWithEveryVerdict();
    const rendered = Object.fromEntries(
      await Promise.all((Object.keys(FORMATS) as FormatName[]).map(async (name) => [name, (await rendererOf(name))(report, { colour: false })])),
    );
    expect(rendered).toEqual({
      text: renderText(report, false),
      json: `${JSON.stringify(report)}\n`,
      junit: renderJunit(report),
      sarif: renderSarif(report),
      html: renderHtml(report),
      openmetrics: renderOpenMetrics(report),
    });
  });
});
