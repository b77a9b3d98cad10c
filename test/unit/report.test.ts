import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../../src/core/exit-codes.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { planFor } from "../../src/core/plan.js";
import { assess, type CheckResult, type Observation } from "../../src/core/verdict.js";
import type { ProbeRun } from "../../src/probe/engine.js";
import { buildReport, REPORT_SCHEMA_VERSION } from "../../src/report/model.js";
import { REDACTED, Redactor } from "../../src/report/redact.js";
import { renderText } from "../../src/report/text.js";

const plan = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, { profilesInRun: ["team-1"], unownedProfile: "nobody" });

function runWith(observe: (operation: string, prefix: string | null) => Observation): ProbeRun {
  const results: CheckResult[] = plan.checks.map((check) => {
    const observation = observe(check.operation, check.target?.prefix ?? null);
    return assess(check, observation, { strict: false, bucket: "kubeflow-pipelines" });
  });
  return {
    plans: [plan],
    results,
    cleanup: {
      created: 2,
      removed: 1,
      leftovers: [{ key: "artifacts/team-1/.kfp-s3-probe/r/team-1", identity: "team-1", reason: "DeleteObject denied to team-1" }],
    },
  };
}

const context = {
  run: {
    toolVersion: "0.1.0",
    runId: "20261124T120000Z-0123456789ab",
    startedAt: new Date("2026-11-24T12:00:00Z"),
    finishedAt: new Date("2026-11-24T12:00:01Z"),
  },
  store: { endpoint: "http://127.0.0.1:9000", bucket: "kubeflow-pipelines", region: "us-east-1", forcePathStyle: true },
  options: { layout: "deploykf", readOnly: false, strict: false },
  identities: [
    { name: "team-1", role: { kind: "profile", profile: "team-1" } as const, credentialSource: "secret directory /s", accessKeyIdHint: "…MPLE" },
  ],
};

const allowedEverywhere = (): Observation => ({ outcome: "allowed", evidence: [{ request: "X", status: 200 }] });

describe("report", () => {
  it("JSON: versioned schema, one entry per check with expected, observed, verdict, hint and evidence", () => {
    const report = buildReport(runWith(allowedEverywhere), context);
    expect(report.schema).toBe("kfp-s3-probe/report");
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.checks).toHaveLength(plan.checks.length);
    const putPipelines = report.checks.find((c) => c.prefix === "pipelines/" && c.operation === "put");
    expect(putPipelines).toMatchObject({ expected: "forbidden", observed: "allowed", verdict: "leak", relation: "backend-only" });
    expect(putPipelines?.hint).toMatch(/remove s3:PutObject on arn:aws:s3:::kubeflow-pipelines\/pipelines\/\*/);
    expect(putPipelines?.evidence).toEqual([{ request: "X", status: 200 }]);
    expect(report.summary.leak).toBe(plan.checks.filter((c) => c.expectation === "forbidden").length);
    expect(report.summary.exposed).toBe(plan.checks.filter((c) => c.expectation === "exposure").length);
    expect(report.exitCode).toBe(1);
    expect(report.durationMs).toBe(1000);
  });

  it("text: leaks first, each with its fix, and every leftover key in full", () => {
    const text = renderText(buildReport(runWith(allowedEverywhere), context), false);
    const findings = text.slice(text.indexOf("Findings"));
    expect(findings.indexOf("EXPOSED")).toBeGreaterThan(0);
    expect(findings.indexOf("LEAK")).toBeLessThan(findings.indexOf("EXPOSED"));
    expect(text).toMatch(
      /LEAK +team-1 {2}put, head, get, delete pipelines\/: allowed, must be denied \[grant-too-wide\]\n +fix: remove s3:PutObject, s3:GetObject, s3:DeleteObject on arn:aws:s3:::kubeflow-pipelines\/pipelines\/\*/,
    );
    expect(text).toContain("s3://kubeflow-pipelines/artifacts/team-1/.kfp-s3-probe/r/team-1");
    expect(text).toMatch(/1 NOT removed/);
    expect(text).toMatch(/exit 1$/m);
  });

  it("text: the last line says what the run cost; JSON carries the count, null where it was not counted", () => {
    const counted = buildReport(runWith(allowedEverywhere), { ...context, run: { ...context.run, requests: { sent: 262, retries: 3 } } });
    expect(counted.requests).toEqual({ sent: 262, retries: 3 });
    const lines = renderText(counted, false).trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^262 requests sent, 3 of them retries, in \d+\.\d s$/);
    expect(lines.at(-2)).toMatch(/^Summary: /);
    const uncounted = buildReport(runWith(allowedEverywhere), context);
    expect(uncounted.requests).toBeNull();
    expect(renderText(uncounted, false).trimEnd().split("\n").at(-1)).toMatch(/^Summary: /);
  });

  it("no colour codes unless asked", () => {
    const report = buildReport(runWith(allowedEverywhere), context);
    expect(renderText(report, false)).not.toContain("\u001b[");
  });

  it("exit code: findings beat connection errors; connection errors alone are 3", () => {
    const refused = (): Observation => ({ outcome: "error", errorKind: "connection", evidence: [] });
    expect(exitCodeFor(runWith(refused).results)).toBe(3);
    expect(exitCodeFor(runWith((op, prefix) => (prefix === "pipelines/" && op === "put" ? allowedEverywhere() : refused())).results)).toBe(1);
    const denied = (): Observation => ({ outcome: "denied", evidence: [] });
    const ownOnly = (_op: string, prefix: string | null) =>
      prefix?.includes("team-1/") && !prefix.includes("nobody") ? allowedEverywhere() : denied();
    expect(exitCodeFor(runWith(ownOnly).results)).toBe(0);
  });
});

describe("redaction", () => {
  it("replaces every occurrence of every secret, and ignores empty or tiny values", () => {
    const redactor = new Redactor();
    redactor.add("wJalrXUtnFEMI/K7MDENG", "token+/=value", "", undefined, "ab");
    const text = "secret wJalrXUtnFEMI/K7MDENG twice wJalrXUtnFEMI/K7MDENG and token+/=value; ab stays";
    expect(redactor.redact(text)).toBe(`secret ${REDACTED} twice ${REDACTED} and ${REDACTED}; ab stays`);
  });
});
