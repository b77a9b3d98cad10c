// The HTML page's data and escaping, the OpenMetrics text read back by a strict parser of the
// format, and diff's comparison, on reports made in memory (the browser and the real runs:
// test/integration/html-report.test.ts).
import type { Log } from "sarif";
import { describe, expect, it } from "vitest";
import type { Remedy } from "../../src/core/cause.js";
import { LAYOUTS, unownedProfileName } from "../../src/core/layout.js";
import { planFor } from "../../src/core/plan.js";
import { assess, type Observation } from "../../src/core/verdict.js";
import { CANARY, diffReports } from "../../src/report/diff.js";
import { renderDiffSarif, renderDiffText } from "../../src/report/diff-render.js";
import { renderHtml } from "../../src/report/html.js";
import { BUCKET_COLUMN, pageDataOf } from "../../src/report/html-data.js";
import { buildReport, type Report, type ReportComponent } from "../../src/report/model.js";
import { escapeLabelValue, prometheusText, renderOpenMetrics } from "../../src/report/openmetrics.js";
import { parseOpenMetrics } from "../support/openmetrics.js";
import { reportContext, workingComponent } from "../support/report-context.js";

const RUN_A = "20261201T000000Z-aaaaaaaaaaaa";
const RUN_B = "20261202T000000Z-bbbbbbbbbbbb";

/** team-1's report; `leaky`: it may also read and write team-2's and the canary's prefixes. */
function report(runId: string, leaky: boolean, name = "team-1"): Report {
  const unownedProfile = unownedProfileName(runId);
  const plan = planFor(name, { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, { profilesInRun: ["team-1", "team-2"], unownedProfile });
  const results = plan.checks.map((check) => {
    const own = check.target?.prefix?.includes("team-1/") ?? true;
    const observation: Observation = {
      outcome: own || leaky ? "allowed" : "denied",
      evidence: [{ request: "GetObject", key: `${check.target?.prefix ?? ""}x`, status: 200 }],
    };
    return assess(check, check.operation === "abort-multipart" ? { outcome: "denied", evidence: [] } : observation, { strict: false, bucket: "kfp" });
  });
  const context = reportContext();
  return buildReport(
    { plans: [plan], results, cleanup: { created: 1, removed: 1, leftovers: [] } },
    {
      ...context,
      run: { ...context.run, runId },
      identities: [{ name, role: { kind: "profile", profile: "team-1" }, credentialSource: "env", accessKeyIdHint: "AKIA…" }],
    },
  );
}

describe("the HTML page", () => {
  it("one cell per identity and prefix, its verdict the worst of its checks; the bucket's checks a column of their own", () => {
    const leaky = report(RUN_A, true);
    const data = pageDataOf(leaky);
    expect(data.prefixes).toContain(BUCKET_COLUMN);
    const team2 = data.prefixes.indexOf("artifacts/team-2/");
    const cell = data.cells.find((c) => c[1] === team2);
    expect(cell && data.verdicts[cell[2]]?.name).toBe("leak");
    expect(data.cells.reduce((n, c) => n + c[3].length, 0)).toBe(leaky.checks.length);
  });

  it("a report's strings cannot end its script or add markup: the data reads back whole", () => {
    const hostile = '</script><script>alert(1)</script><!-- "quoted" & <b>';
    const base = report(RUN_A, true);
    const page = renderHtml({ ...base, checks: base.checks.map((c) => ({ ...c, reason: hostile })), notes: [hostile] });
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain("&lt;/script&gt;&lt;script&gt;alert(1)");
    const json = /<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? "";
    const data = JSON.parse(json) as { strings: string[] };
    expect(data.strings).toContain(hostile);
    // The page's own two scripts, and no other.
    expect(page.match(/<script\b/g)?.length).toBe(2);
  });
});

describe("OpenMetrics", () => {
  it("reads back through a strict parser of the format: gauges with HELP, units, # EOF; per identity and verdict the counts", () => {
    const leaky = report(RUN_A, true);
    const families = parseOpenMetrics(renderOpenMetrics(leaky));
    const checks = families.find((f) => f.name === "kfp_s3_probe_checks");
    const leaks = checks?.samples.find((s) => s.labels.identity === "team-1" && s.labels.verdict === "leak")?.value;
    expect(leaks).toBe(leaky.summary.leak);
    expect(leaks).toBeGreaterThan(0);
    expect(families.find((f) => f.name === "kfp_s3_probe_duration_seconds")?.unit).toBe("seconds");
    expect(families.find((f) => f.name === "kfp_s3_probe_exit_code")?.samples[0]?.value).toBe(1);
  });

  it("a gauge per identity and KFP component: 1 where it works, 0 where it fails", () => {
    const base = workingComponent("argo-executor");
    const unjudged = { ...base, component: "ui-artifact-proxy" as const, unjudged: { reason: "nothing-decided" as const } };
    const components = [base, { ...base, component: "v2-launcher" as const, works: false }, unjudged];
    const families = parseOpenMetrics(renderOpenMetrics({ ...report(RUN_A, false), components }));
    const works = families.find((f) => f.name === "kfp_s3_probe_component_works")?.samples;
    expect(works?.map((s) => [s.labels.identity, s.labels.component, s.value])).toEqual([
      ["team-1", "argo-executor", 1],
      ["team-1", "v2-launcher", 0],
    ]);
  });

  it("label values escaped: a name with a quote, a backslash and a line feed reads back as it was", () => {
    const odd = 'te"am\\1\nx';
    expect(escapeLabelValue(odd)).toBe('te\\"am\\\\1\\nx');
    const families = parseOpenMetrics(renderOpenMetrics(report(RUN_A, false, odd)));
    const names = new Set(families.find((f) => f.name === "kfp_s3_probe_checks")?.samples.map((s) => s.labels.identity));
    expect(names.has(odd)).toBe(true);
  });

  it("the parser refuses what the format does not allow", () => {
    const good = renderOpenMetrics(report(RUN_A, false));
    expect(() => parseOpenMetrics(good.replace("# EOF\n", ""))).toThrow(/EOF/);
    expect(() => parseOpenMetrics(good.replace('verdict="ok"', 'verdict="o"k"'))).toThrow();
    expect(() => parseOpenMetrics(`${good.replace("# EOF\n", "")}kfp_s3_probe_checks 1\n# EOF\n`)).toThrow(/outside|interleaved/);
    expect(() =>
      parseOpenMetrics(good.replace("# UNIT kfp_s3_probe_duration_seconds seconds", "# UNIT kfp_s3_probe_duration_seconds bytes")),
    ).toThrow(/unit/);
  });

  it("for a Pushgateway: the same families as Prometheus text, without # UNIT and # EOF", () => {
    const text = prometheusText(renderOpenMetrics(report(RUN_A, false)));
    expect(text).not.toMatch(/^# (UNIT|EOF)/m);
    expect(parseOpenMetrics(`${text}# EOF\n`).length).toBe(parseOpenMetrics(renderOpenMetrics(report(RUN_A, false))).length);
  });
});

describe("diff", () => {
  it("a new LEAK is worse, named by identity and prefix; the canary of each run is one cell", () => {
    const diff = diffReports(report(RUN_A, false), report(RUN_B, true));
    expect(diff.worse).toBe(true);
    expect(diff.newFindings.map((c) => `${c.operation} ${c.prefix}`)).toEqual(
      expect.arrayContaining(["get artifacts/team-2/", `get artifacts/${CANARY}/`]),
    );
    expect(diff.newFindings.every((c) => c.before === "ok" && c.after === "leak")).toBe(true);
    expect(renderDiffText(diff)).toContain("NEW    LEAK team-1 get artifacts/team-2/: allowed, must be denied (was OK)");
  });

  it("two clean runs: nothing changed (their canaries and namespaces differ); the way back is fixed, not worse", () => {
    const same = diffReports(report(RUN_A, false), report(RUN_B, false));
    expect(same).toMatchObject({ worse: false, newFindings: [], fixedFindings: [], identities: { added: [], gone: [] } });
    const back = diffReports(report(RUN_A, true), report(RUN_B, false));
    expect(back.worse).toBe(false);
    expect(back.fixedFindings.length).toBe(report(RUN_A, true).summary.leak);
    expect(renderDiffText(back)).toMatch(/^not worse: \d+ cell\(s\) fixed; exit 0$/m);
  });

  it("a KFP component that fails now and worked before is worse, said with what its users see; working again is fixed", () => {
    const works = workingComponent("v2-launcher");
    const remedy: Remedy = { where: "identity-policy", change: "grant", actions: ["s3:ListBucket"], resource: "arn:aws:s3:::kfp" };
    const fails: ReportComponent = {
      ...works,
      works: false,
      failing: [
        {
          call: "ListObjectsV2",
          purpose: "download an input artifact",
          operation: "list",
          prefix: "v2/artifacts/team-1/",
          shape: null,
          outcome: "denied",
          cause: "missing-action",
          remedy,
          effect: "inputs-not-downloaded",
          evidence: [],
        },
      ],
      effect: "inputs-not-downloaded",
      fix: remedy,
    };
    const before = { ...report(RUN_A, false), components: [works] };
    const after = { ...report(RUN_B, false), components: [fails] };
    const diff = diffReports(before, after);
    expect(diff.worse).toBe(true);
    expect(diff.components.failing.map((c) => `${c.identity} ${c.component}`)).toEqual(["team-1 v2-launcher"]);
    const text = renderDiffText(diff);
    expect(text).toContain(
      "NEW    FAILS v2-launcher with team-1's keys: a task's input artifacts cannot be downloaded: ListObjectsV2 under v2/artifacts/team-1/",
    );
    expect(text).toMatch(/^worse: 0 new LEAK\/MISSING cell\(s\), 0 new diagnosis\(es\), 1 KFP component\(s\) newly failing; exit 1$/m);
    const sarif = JSON.parse(renderDiffSarif(diff)) as Log;
    expect(sarif.runs[0]?.results?.map((r) => [r.ruleId, r.baselineState, r.properties?.component])).toEqual([
      ["missing-action", "new", "v2-launcher"],
    ]);
    const back = diffReports(after, { ...report(RUN_B, false), components: [works] });
    expect(back).toMatchObject({ worse: false, components: { failing: [], fixed: [expect.objectContaining({ component: "v2-launcher" })] } });
    expect(renderDiffText(back)).toContain("FIXED  v2-launcher with team-1's keys: works now");
    // Failing in both: not new.
    expect(diffReports(after, after).components.failing).toEqual([]);
  });

  it("identities that came and went are listed", () => {
    const diff = diffReports(report(RUN_A, false), report(RUN_B, false, "team-1b"));
    expect(diff.identities).toEqual({ added: ["team-1b"], gone: ["team-1"] });
  });
});
