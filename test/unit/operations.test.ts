// The operations table is the one place an operation is described: the plan, the remedies, the
// offline evaluator, the generated policy and the text columns say what its row says.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findingFor } from "../../src/core/cause.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { OPERATION_NAMES, OPERATIONS, type Operation } from "../../src/core/operations.js";
import { expectationFor, type PlannedCheck, planFor, type RunContext } from "../../src/core/plan.js";
import { generatePolicy } from "../../src/core/policy/generate.js";
import { policyRequest } from "../../src/core/policy/offline.js";
import { buildReport } from "../../src/report/model.js";
import { renderText } from "../../src/report/text.js";
import { reportContext } from "../support/report-context.js";

const context: RunContext = { profilesInRun: ["team-1", "team-2"], unownedProfile: "nobody", matrix: "full" };
const backend = planFor("backend", { kind: "backend" }, LAYOUTS.deploykf, context);
const team1 = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, context);
const anonymous = planFor("anonymous", { kind: "anonymous" }, LAYOUTS.deploykf, context);
const checks: PlannedCheck[] = [...backend.checks, ...team1.checks, ...anonymous.checks];

describe("the operations table", () => {
  it("an operation without a row is a type error, not a default", () => {
    // @ts-expect-error: "copy" is no operation
    expect(OPERATIONS.copy).toBeUndefined();
    // @ts-expect-error: the plan takes operations of the table only
    expect(() => expectationFor({ kind: "backend" }, null, "copy")).toThrow(TypeError);
  });

  it("the plan tries every operation of the table, in the table's order, and only those", () => {
    const planned = new Set(checks.map((c) => c.operation));
    expect([...planned].sort()).toEqual([...OPERATION_NAMES].sort());
    const order = (operations: Operation[]) => operations.map((o) => OPERATION_NAMES.indexOf(o));
    for (const target of [...backend.targets, ...team1.targets]) {
      expect(order(target.operations)).toEqual([...order(target.operations)].sort((a, b) => a - b));
    }
    // A bucket operation is planned without a prefix, an object operation under one.
    for (const check of checks) expect(check.target === null, check.operation).toBe(OPERATIONS[check.operation].scope === "bucket");
  });

  it("the unsigned caller tries the rows marked anonymous; the pairs matrix the read, then the write", () => {
    const anonymousOperations = OPERATION_NAMES.filter((o) => OPERATIONS[o].anonymous);
    expect([...new Set(anonymous.checks.map((c) => c.operation))]).toEqual(anonymousOperations);
    const pairs = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, { ...context, matrix: "pairs" });
    const foreign = pairs.targets.filter((t) => t.relation === "foreign");
    expect(foreign.map((t) => t.operations)).toEqual([["get"], ["put"]]);
    expect([OPERATIONS.get.pair, OPERATIONS.put.pair]).toEqual(["read", "write"]);
  });

  it("the offline request of each check is its row's action on its row's resource", () => {
    for (const check of checks) {
      const row = OPERATIONS[check.operation];
      const request = policyRequest(check, "kfp", "identity");
      expect(request.action, check.operation).toBe(row.action);
      if (row.resource === "object") expect(request.resource.startsWith(`arn:aws:s3:::kfp/${check.target?.prefix}`)).toBe(true);
      else expect(request.resource).toBe("arn:aws:s3:::kfp");
      expect("s3:prefix" in request.context, check.operation).toBe(row.resource === "listing");
    }
  });

  it("a grant or a removal names the row's action; a listing's grant is held to the prefix", () => {
    for (const check of checks) {
      const grant = findingFor({ check }, "missing", "kfp")?.remedy;
      expect(grant?.actions, check.operation).toEqual([OPERATIONS[check.operation].action]);
      expect(grant?.condition !== undefined, check.operation).toBe(OPERATIONS[check.operation].resource === "listing" && check.target !== null);
      expect(findingFor({ check }, "leak", "kfp")?.remedy.actions).toEqual([OPERATIONS[check.operation].action]);
    }
    const del = team1.checks.find((c) => c.operation === "delete") as PlannedCheck;
    expect(findingFor({ check: del, knownCause: "delete-needs-read" }, "missing", "kfp")?.remedy.actions).toEqual([OPERATIONS.head.action]);
  });

  it("a row's listing shape and its resource agree: only a listing under a prefix is held by s3:prefix", () => {
    for (const operation of OPERATION_NAMES) {
      const row = OPERATIONS[operation];
      expect(row.lists === "prefix", operation).toBe(row.resource === "listing");
      if (row.scope === "bucket") expect(row.resource, operation).toBe("bucket");
    }
  });

  it("the generated policy grants every action of the table, in deployKF's order", () => {
    const granted = generatePolicy({ kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, "kfp", "reference").Statement.map((s) => s.Action);
    expect(granted).toEqual([
      ["s3:GetBucketLocation", "s3:ListBucket"],
      ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
    ]);
    expect(new Set(granted.flat())).toEqual(new Set(OPERATION_NAMES.map((o) => OPERATIONS[o].action)));
  });

  it("docs/report-schema.md names every operation in the check's `operation` row", () => {
    const schema = readFileSync(fileURLToPath(new URL("../../docs/report-schema.md", import.meta.url)), "utf8");
    const row = schema.split("\n").find((line) => line.startsWith("| `operation` |")) ?? "";
    expect([...row.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).slice(1)).toEqual(OPERATION_NAMES);
  });

  it("the text report's columns and bucket line are the rows' labels", () => {
    const results = backend.checks.map((check) => ({ ...check, observation: { outcome: "allowed" as const, evidence: [] }, verdict: "ok" as const }));
    const identities = [{ name: "backend", role: { kind: "backend" as const }, credentialSource: "dir", accessKeyIdHint: "…ABCD" }];
    const run = { plans: [backend], results, cleanup: { created: 0, removed: 0, leftovers: [] } };
    const text = renderText(buildReport(run, reportContext({ identities })), false);
    const objectLabels = OPERATION_NAMES.filter((o) => OPERATIONS[o].scope === "object").map((o) => OPERATIONS[o].label);
    expect(text).toMatch(new RegExp(`^ +${objectLabels.join(" +")}$`, "m"));
    const bucketLabels = OPERATION_NAMES.filter((o) => OPERATIONS[o].scope === "bucket").map((o) => `${OPERATIONS[o].label} yes`);
    expect(text).toContain(`bucket: ${bucketLabels.join(", ")}`);
  });
});
