import { describe, expect, it } from "vitest";
import { canaryKey, isProbeKey, isValidProfileName, LAYOUTS, profileAreaRoots, profilePrefixes } from "../../src/core/layout.js";
import { expectationFor, type MatrixMode, planFor, type RunContext, targetsFor } from "../../src/core/plan.js";
import { judge } from "../../src/core/verdict.js";

const deploykf = LAYOUTS.deploykf;
const alone: RunContext = { profilesInRun: ["team-1"], unownedProfile: "kfp-s3-probe-nobody-abcdef" };

describe("KFP key layout", () => {
  it("deployKF puts profile artifacts under artifacts/<profile>/ and v2/artifacts/<profile>/", () => {
    expect(profilePrefixes(deploykf, "team-1")).toEqual(["artifacts/team-1/", "v2/artifacts/team-1/"]);
    expect(profileAreaRoots(deploykf)).toEqual(["artifacts/", "v2/artifacts/"]);
  });

  it("upstream KFP gives each namespace private-artifacts/<profile>/ and private/<profile>/ (its profile controller's grant)", () => {
    expect(profilePrefixes(LAYOUTS.kubeflow, "alice")).toEqual(["private-artifacts/alice/", "private/alice/"]);
    expect(profileAreaRoots(LAYOUTS.kubeflow)).toEqual(["private-artifacts/", "private/"]);
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
    const plan = planFor("backend", { kind: "backend" }, deploykf, alone);
    expect(plan.targets.map((t) => t.prefix)).toEqual(["pipelines/", "artifacts/", "v2/artifacts/"]);
    // Uploads as KFP makes them where artifacts are written: CRC32 put, multipart, abort.
    expect(plan.targets.map((t) => t.operations.length)).toEqual([5, 8, 8]);
    expect(plan.checks).toHaveLength(3 + 5 + 2 * 8);
    const expectations = new Set(plan.checks.map((c) => `${c.operation}:${c.expectation}`));
    expect(expectations).toContain("multipart:required");
    expect(expectations).toContain("put-checksum:required");
    // The reference policies do not grant it: recommended, not required.
    expect(expectations).toContain("abort-multipart:recommended");
    expect(plan.checks.filter((c) => c.expectation !== "required").map((c) => c.operation)).toEqual(["abort-multipart", "abort-multipart"]);
  });

  it("a profile needs everything under its own two prefixes and nothing under pipelines/", () => {
    const role = { kind: "profile", profile: "team-1" } as const;
    const targets = targetsFor(role, deploykf, alone).slice(0, 3);
    expect(targets.map((t) => [t.prefix, t.relation, t.owner])).toEqual([
      ["artifacts/team-1/", "own", "team-1"],
      ["v2/artifacts/team-1/", "own", "team-1"],
      ["pipelines/", "backend-only", null],
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

describe("cross-profile targets", () => {
  const context: RunContext = { profilesInRun: ["team-1", "team-2", "team-10"], unownedProfile: "kfp-s3-probe-nobody-abcdef" };
  const team1 = { kind: "profile", profile: "team-1" } as const;

  it("every other profile in the run, a profile that exists nowhere, near-miss names and the prefix without its slash", () => {
    const targets = targetsFor(team1, deploykf, context);
    expect(targets.map((t) => `${t.relation} ${t.prefix}`)).toEqual([
      "own artifacts/team-1/",
      "own v2/artifacts/team-1/",
      "backend-only pipelines/",
      "foreign artifacts/team-10/",
      "foreign v2/artifacts/team-10/",
      "foreign artifacts/team-2/",
      "foreign v2/artifacts/team-2/",
      "unowned artifacts/kfp-s3-probe-nobody-abcdef/",
      "unowned v2/artifacts/kfp-s3-probe-nobody-abcdef/",
      // team-10 is in the run, so it is foreign with an owner, not a near-miss guess.
      "near-miss artifacts/team-1-x/",
      "near-miss v2/artifacts/team-1-x/",
      "near-miss artifacts/team-1",
      "near-miss v2/artifacts/team-1",
    ]);
    expect(targets.find((t) => t.prefix === "artifacts/team-2/")?.owner).toBe("team-2");
    expect(targets.find((t) => t.prefix === "artifacts/team-1")?.operations).toEqual(["put", "head", "get", "delete"]);
  });

  it("--read-only plans no upload checks; --no-multipart keeps the CRC32 put only", () => {
    const team1 = { kind: "profile", profile: "team-1" } as const;
    expect(targetsFor(team1, deploykf, { ...alone, uploads: false })[0]?.operations).toEqual(["list", "put", "head", "get", "delete"]);
    expect(targetsFor(team1, deploykf, { ...alone, multipart: false })[0]?.operations).toEqual([
      "list",
      "put",
      "head",
      "get",
      "delete",
      "put-checksum",
    ]);
  });

  it("alone in a run, a profile still gets the unowned and near-miss targets (team-10 among them)", () => {
    const prefixes = targetsFor(team1, deploykf, alone).map((t) => t.prefix);
    expect(prefixes).toContain("artifacts/team-10/");
    expect(prefixes).toContain("v2/artifacts/kfp-s3-probe-nobody-abcdef/");
  });

  it("foreign prefixes: object operations forbidden, listing is key-name exposure", () => {
    for (const t of targetsFor(team1, deploykf, context).filter((t) => t.relation !== "own" && t.relation !== "backend-only")) {
      for (const operation of t.operations) {
        expect(expectationFor(team1, t, operation)).toBe(operation === "list" ? "exposure" : "forbidden");
      }
    }
  });

  it("the number of checks grows linearly in profiles × targets", () => {
    const checksFor = (profiles: number) => {
      const names = Array.from({ length: profiles }, (_, i) => `p${i + 1}`);
      const ctx: RunContext = { profilesInRun: names, unownedProfile: "nobody", matrix };
      return names.reduce((n, name) => n + planFor(name, { kind: "profile", profile: name }, deploykf, ctx).checks.length, 0);
    };
    // Each profile: 3 bucket checks, 3 own/backend prefixes, 2 unowned, 4 near-miss, 2 no-slash;
    // 3 upload checks under each of its 2 own prefixes; per other profile 2 prefixes of 5 checks
    // (full), or a read under one and a write under the other (pairs).
    const fixed = 3 + 5 * (2 + 1 + 2 + 4) + 4 * 2 + 3 * 2;
    let matrix: MatrixMode = "full";
    for (const profiles of [1, 2, 4, 8]) expect(checksFor(profiles)).toBe(profiles * (fixed + 10 * (profiles - 1)));
    matrix = "pairs";
    for (const profiles of [1, 2, 4, 8]) expect(checksFor(profiles)).toBe(profiles * (fixed + 2 * (profiles - 1)));
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
