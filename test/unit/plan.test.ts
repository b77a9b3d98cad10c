import { describe, expect, it } from "vitest";
import { canaryKey, isProbeKey, isValidProfileName, LAYOUTS, profileAreaRoots, profilePrefixes } from "../../src/core/layout.js";
import { expectationFor, planFor, targetsFor } from "../../src/core/plan.js";
import { judge } from "../../src/core/verdict.js";

const deploykf = LAYOUTS.deploykf;

describe("KFP key layout", () => {
  it("deployKF puts profile artifacts under artifacts/<profile>/ and v2/artifacts/<profile>/", () => {
    expect(profilePrefixes(deploykf, "team-1")).toEqual(["artifacts/team-1/", "v2/artifacts/team-1/"]);
    expect(profileAreaRoots(deploykf)).toEqual(["artifacts/", "v2/artifacts/"]);
    expect(profilePrefixes(LAYOUTS.kubeflow, "alice")).toEqual(["private-artifacts/alice/"]);
  });

  it("canary keys live in a run-scoped namespace under the prefix", () => {
    const key = canaryKey("artifacts/team-1/", "20261124T120000Z-abcdef", "team-1");
    expect(key).toBe("artifacts/team-1/.kfp-s3-probe/20261124T120000Z-abcdef/team-1");
    expect(isProbeKey(key)).toBe(true);
    expect(isProbeKey("artifacts/team-1/run-1/output.txt")).toBe(false);
  });

  it.each([
    ["team-1", true],
    ["a", true],
    ["Team-1", false],
    ["team_1", false],
    ["-team", false],
    ["team-", false],
    ["", false],
    ["x".repeat(64), false],
    ["x".repeat(63), true],
  ])("profile name %j valid: %s", (name, valid) => {
    expect(isValidProfileName(name)).toBe(valid);
  });
});

describe("expectations of the reference policies", () => {
  it("the backend needs every operation on pipelines/, artifacts/ and v2/artifacts/", () => {
    const plan = planFor("backend", { kind: "backend" }, deploykf);
    expect(plan.targets.map((t) => t.prefix)).toEqual(["pipelines/", "artifacts/", "v2/artifacts/"]);
    expect(plan.checks).toHaveLength(3 + 3 * 5);
    expect(new Set(plan.checks.map((c) => c.expectation))).toEqual(new Set(["required"]));
  });

  it("a profile needs everything under its own two prefixes and nothing under pipelines/", () => {
    const role = { kind: "profile", profile: "team-1" } as const;
    const targets = targetsFor(role, deploykf);
    expect(targets).toEqual([
      { prefix: "artifacts/team-1/", relation: "own" },
      { prefix: "v2/artifacts/team-1/", relation: "own" },
      { prefix: "pipelines/", relation: "backend-only" },
    ]);
    const [own1, own2, pipelines] = targets;
    for (const operation of ["list", "put", "head", "get", "delete"] as const) {
      expect(expectationFor(role, own1 ?? null, operation)).toBe("required");
      expect(expectationFor(role, own2 ?? null, operation)).toBe("required");
    }
    for (const operation of ["put", "head", "get", "delete"] as const) {
      expect(expectationFor(role, pipelines ?? null, operation)).toBe("forbidden");
    }
    expect(expectationFor(role, pipelines ?? null, "list")).toBe("exposure");
  });

  it("a profile's bucket-wide list is key-name exposure; HeadBucket and GetBucketLocation are optional", () => {
    const role = { kind: "profile", profile: "team-1" } as const;
    expect(expectationFor(role, null, "list-bucket")).toBe("exposure");
    expect(expectationFor(role, null, "head-bucket")).toBe("optional");
    expect(expectationFor(role, null, "get-bucket-location")).toBe("optional");
  });
});

describe("verdicts", () => {
  const seen = (outcome: "allowed" | "denied" | "ambiguous" | "error" | "not-run") => ({ outcome, evidence: [] });
  it.each([
    ["required", "allowed", false, "ok"],
    ["required", "denied", false, "missing"],
    ["forbidden", "denied", false, "ok"],
    ["forbidden", "allowed", false, "leak"],
    ["exposure", "allowed", false, "exposed"],
    ["exposure", "allowed", true, "leak"],
    ["exposure", "denied", true, "ok"],
    ["optional", "allowed", false, "ok"],
    ["optional", "denied", true, "ok"],
    ["required", "ambiguous", false, "ambiguous"],
    ["forbidden", "error", false, "error"],
    ["required", "not-run", false, "not-run"],
  ] as const)("expected %s, observed %s (strict %s): %s", (expectation, outcome, strict, verdict) => {
    expect(judge(expectation, seen(outcome), { strict })).toBe(verdict);
  });
});
