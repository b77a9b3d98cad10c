// What a verdict means is decided once, in VERDICTS: the summary, the exit code, SARIF's level,
// JUnit's element and the order of findings all follow its row.
import type { Log } from "sarif";
import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../../src/core/exit-codes.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { planFor } from "../../src/core/plan.js";
import { countVerdicts } from "../../src/core/summary.js";
import { assess, type CheckResult, type Observation } from "../../src/core/verdict.js";
import { VERDICT_NAMES, VERDICTS, type Verdict } from "../../src/core/verdicts.js";
import { renderJunit } from "../../src/report/junit.js";
import { buildReport, type Report } from "../../src/report/model.js";
import { renderSarif } from "../../src/report/sarif.js";
import { findingLines } from "../../src/report/text.js";
import { reportContext } from "../support/report-context.js";

const plan = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, { profilesInRun: ["team-1"], unownedProfile: "nobody" });
const template = plan.checks.find((c) => c.operation === "get" && c.target?.relation === "own");
const denied: Observation = { outcome: "denied", evidence: [] };

/** One check of the given verdict (the judge's verdict replaced: the renderers read only the verdict). */
function resultOf(verdict: Verdict): CheckResult {
  if (!template) throw new Error("no own get check planned");
  const result = assess(template, denied, { strict: false, bucket: "kfp" });
  return { ...result, verdict, ...(verdict === "ok" ? { cause: undefined, remedy: undefined } : {}) };
}

function reportOf(verdict: Verdict): Report {
  return buildReport({ plans: [plan], results: [resultOf(verdict)], cleanup: { created: 0, removed: 0, leftovers: [] } }, reportContext());
}

const SARIF_LEVEL = { failure: "error", error: "error", warning: "warning", undecided: "note", skipped: "note", pass: "note" } as const;
const JUNIT_ELEMENT = {
  failure: "<failure",
  error: "<error",
  warning: "<system-out>",
  undecided: "<system-out>",
  skipped: "<skipped",
  pass: "",
} as const;

describe("VERDICTS", () => {
  it("the JSON summary counts every verdict, in the table's order (the schema's)", () => {
    expect(Object.keys(countVerdicts([]))).toEqual(["ok", "missing", "leak", "exposed", "degraded", "ambiguous", "error", "not-run"]);
    expect(Object.keys(countVerdicts([]))).toEqual(VERDICT_NAMES);
  });

  it.each(VERDICT_NAMES)("%s: the exit code, SARIF's level and JUnit's element follow its row", (verdict) => {
    const { severity, failing } = VERDICTS[verdict];
    expect(exitCodeFor([resultOf(verdict)]) !== 0).toBe(failing);
    const report = reportOf(verdict);
    const results = (JSON.parse(renderSarif(report)) as Log).runs[0]?.results ?? [];
    expect(results.map((r) => r.level)).toEqual(verdict === "ok" ? [] : [SARIF_LEVEL[severity]]);
    const junit = renderJunit(report);
    const testcase = junit.slice(junit.indexOf('<testcase classname="kfp-s3-probe.team-1"'));
    const inner = testcase.slice(testcase.indexOf(">") + 1, testcase.indexOf("</testcase>")).trim();
    expect(inner.startsWith(JUNIT_ELEMENT[severity]), inner).toBe(true);
    if (severity === "pass") expect(inner).toBe("");
  });

  it("findings are listed worst first, by rank", () => {
    const results = VERDICT_NAMES.map(resultOf);
    const report = buildReport({ plans: [plan], results, cleanup: { created: 0, removed: 0, leftovers: [] } }, reportContext());
    // Diagnoses come first, as lines of their own; then one line per finding.
    const words = findingLines(report)
      .map((line) => line.split(" ")[0]?.toLowerCase())
      .filter((word): word is Verdict => VERDICT_NAMES.some((verdict) => verdict === word));
    expect(words).toEqual([...words].sort((a, b) => VERDICTS[a].rank - VERDICTS[b].rank));
    // Every verdict but ok and not-run is a finding line.
    expect(words).toEqual(["leak", "missing", "error", "degraded", "exposed", "ambiguous"]);
  });
});
