// Witnesses from the exact evaluator: the key an identity's policy reaches and KFP forbids, where to
// look for an object that exists, and a key inside the run's namespace the same policy allows.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import { fillTemplate, parsePolicy } from "../../src/core/policy/document.js";
import type { PolicySubject } from "../../src/core/policy/exact-questions.js";
import { probeRunOf } from "../../src/core/sweep-rules.js";
import { policyAllows, untriedPublicGrants, witnessesOf } from "../../src/core/witness.js";

const BUCKET = "kfp";
const RUN_ID = "20261201T000000Z-0123456789ab";
const reference = (profile: string) =>
  parsePolicy(fillTemplate(readFileSync("fixtures/reference-policies/profile.json", "utf8"), BUCKET, profile), "reference");
const extra = (resource: string) =>
  parsePolicy(JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/${resource}` }] }), "extra");
const subject = (profile: string, ...more: ReturnType<typeof extra>[]): PolicySubject => ({
  role: { kind: "profile", profile },
  identityPolicies: [reference(profile), ...more],
  bucketPolicy: [],
});
const context = { layout: LAYOUTS.deploykf, bucket: BUCKET, runId: RUN_ID, profiles: ["team-1", "team-2", "team-3"] };

describe("witnessesOf", () => {
  it("the reference profile policy: none", () => {
    expect(witnessesOf("team-1", subject("team-1"), context).witnesses).toEqual([]);
  });

  it("artifacts/*/metrics/*: a get witness under each other team's metrics/, with a key to plant inside the run's namespace there", () => {
    const witnesses = witnessesOf("team-1", subject("team-1", extra("artifacts/*/metrics/*")), context).witnesses;
    expect(witnesses.map((w) => [w.operation, w.dir, w.owner])).toEqual([
      ["get", "artifacts/team-2/metrics/", "team-2"],
      ["get", "artifacts/team-3/metrics/", "team-3"],
    ]);
    for (const w of witnesses) {
      expect(w.key.startsWith(w.dir)).toBe(true);
      expect(w.plantKey).toBe(`${w.dir}.kfp-s3-probe/${RUN_ID}/witness`);
      expect(probeRunOf(w.plantKey ?? "")).toBe(RUN_ID);
      expect(policyAllows(subject("team-1", extra("artifacts/*/metrics/*")), BUCKET, "get", w.plantKey ?? "")).toBe(true);
    }
  });

  it("a grant no run namespace under its directory matches (artifacts/team-2/x*): the plant goes under the key itself", () => {
    const [witness] = witnessesOf("team-1", subject("team-1", extra("artifacts/team-2/x*")), context).witnesses;
    expect(witness).toMatchObject({ operation: "get", key: "artifacts/team-2/x", dir: "artifacts/team-2/", owner: "team-2" });
    expect(witness?.plantKey).toBe(`artifacts/team-2/x.kfp-s3-probe/${RUN_ID}/witness`);
  });

  it("a grant on a profile the run does not know: the evaluator's own key, owned by a profile that does not exist yet", () => {
    const [witness] = witnessesOf("team-1", subject("team-1", extra("artifacts/ghost/*")), context).witnesses;
    expect(witness).toMatchObject({ operation: "get", dir: "artifacts/ghost/", owner: "ghost" });
  });
});

it("a condition the evaluator does not read: named in unread, never guessed", () => {
  const conditional = parsePolicy(
    JSON.stringify({
      Statement: [
        {
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${BUCKET}/artifacts/*`,
          Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        },
      ],
    }),
    "conditional",
  );
  const { unread } = witnessesOf("team-1", subject("team-1", conditional), context);
  expect(unread.join(" ")).toMatch(/aws:SourceIp/);
});

it("a grant that reaches only keys with a folder in the namespace (…/metrics/*/x): a name sweep still recognises", () => {
  const deep = parsePolicy(
    JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/artifacts/*/metrics/*/*.json` }] }),
    "deep",
  );
  const [witness] = witnessesOf("team-1", subject("team-1", deep), context).witnesses;
  expect(witness?.plantKey === undefined || probeRunOf(witness.plantKey) === RUN_ID).toBe(true);
});

it("a Resource too complex to search (a wildcard then 40 ?): named in unread, so the run is not proven on it", () => {
  const { witnesses, unread } = witnessesOf("team-1", subject("team-1", extra(`*a${"?".repeat(40)}`)), context);
  expect(witnesses).toEqual([]);
  expect(unread).toContain("key patterns too complex to decide exactly");
});

it("a bucket policy's Allow with NotPrincipal takes in the anonymous caller: a witness, where it was dropped as naming nobody", () => {
  const bucketPolicy = parsePolicy(
    JSON.stringify({
      Statement: [
        {
          Effect: "Allow",
          NotPrincipal: { AWS: "arn:aws:iam::111122223333:user/auditor" },
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${BUCKET}/artifacts/team-3/*`,
        },
      ],
    }),
    "bucket",
  );
  const anonymous: PolicySubject = { role: { kind: "anonymous" }, identityPolicies: [], bucketPolicy: [bucketPolicy] };
  expect(witnessesOf("anonymous", anonymous, context).witnesses.map((w) => [w.operation, w.owner])).toEqual([["get", "team-3"]]);
  // A signed identity it may leave out: not read offline, so named in unread.
  const team1 = { ...subject("team-1"), bucketPolicy: [bucketPolicy] };
  expect(witnessesOf("team-1", team1, context).unread.join(" ")).toMatch(/NotPrincipal/);
});

describe("grants of actions the probe never sends", () => {
  const granting = (action: string, resource: string) =>
    parsePolicy(JSON.stringify({ Statement: [{ Effect: "Allow", Action: action, Resource: `arn:aws:s3:::${BUCKET}${resource}` }] }), "extra");

  it("the reference profile policy: none", () => {
    expect(witnessesOf("team-1", subject("team-1"), context).untried).toEqual([]);
  });

  it.each([
    ["s3:GetObjectVersion", "/*", ""],
    ["s3:DeleteObjectVersion", "/artifacts/team-2/*", "artifacts/team-2/"],
    ["s3:PutObjectAcl", "/*", ""],
    ["s3:AbortMultipartUpload", "/v2/artifacts/*", "v2/artifacts/"],
    ["s3:GetObjectVersion*", "/*", ""],
  ])("%s on %s beyond its own: named with a key the evaluator found, no live witness", (action, resource, keyStart) => {
    const { witnesses, untried } = witnessesOf("team-1", subject("team-1", granting(action, resource)), context);
    expect(witnesses).toEqual([]);
    const grant = untried.find((g) => g.action === action);
    expect(grant?.key.startsWith(keyStart)).toBe(true);
    expect(grant?.key.startsWith("artifacts/team-1/")).toBe(false);
  });

  it("a bucket action that changes who may reach it (s3:PutBucketPolicy) or lists every version's name: named on the bucket, for a profile, not the backend", () => {
    const { untried } = witnessesOf("team-1", subject("team-1", granting("s3:PutBucketPolicy", ""), granting("s3:ListBucketVersions", "")), context);
    expect(untried).toEqual([
      { action: "s3:ListBucketVersions", key: "" },
      { action: "s3:PutBucketPolicy", key: "" },
    ]);
    const backend: PolicySubject = {
      role: { kind: "backend" },
      identityPolicies: [granting("s3:*", ""), granting("s3:*", "/artifacts/*")],
      bucketPolicy: [],
    };
    expect(witnessesOf("backend", backend, context).untried).toEqual([]);
  });

  it("a bucket policy naming the backend's user, the caller's ARN known: nothing unread, nothing untried (the reference stays provable)", () => {
    const bucketPolicy = parsePolicy(
      JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::111122223333:user/backend" },
            Action: "s3:*",
            Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
          },
        ],
      }),
      "bucket",
    );
    const team1: PolicySubject = { ...subject("team-1"), bucketPolicy: [bucketPolicy], arn: "arn:aws:iam::111122223333:user/team-1" };
    expect(witnessesOf("team-1", team1, context)).toMatchObject({ witnesses: [], unread: [], untried: [] });
  });

  it("s3:ListBucketVersions limited by s3:prefix to another team's prefix: named, with that prefix", () => {
    const versions = parsePolicy(
      JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Action: "s3:ListBucketVersions",
            Resource: `arn:aws:s3:::${BUCKET}`,
            Condition: { StringLike: { "s3:prefix": "artifacts/team-2/*" } },
          },
        ],
      }),
      "versions",
    );
    const { untried } = witnessesOf("team-1", subject("team-1", versions), context);
    expect(untried).toEqual([{ action: "s3:ListBucketVersions", key: expect.stringMatching(/^artifacts\/team-2\//) }]);
  });

  it("--no-anonymous: a bucket policy that lets anyone list is named too", () => {
    const listable = parsePolicy(
      JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${BUCKET}` }] }),
      "bucket",
    );
    expect(untriedPublicGrants([listable], context)?.untried).toEqual([{ action: "s3:ListBucket", key: "" }]);
  });

  it("the same on its own prefixes only: none", () => {
    const own = granting("s3:DeleteObjectVersion", "/artifacts/team-1/*");
    expect(witnessesOf("team-1", subject("team-1", own), context).untried).toEqual([]);
  });
});

describe("policyAllows", () => {
  it("decides one key exactly", () => {
    const s = subject("team-1", extra("artifacts/*/metrics/*"));
    expect(policyAllows(s, BUCKET, "get", "artifacts/team-2/metrics/loss.json")).toBe(true);
    expect(policyAllows(s, BUCKET, "get", "artifacts/team-2/model.bin")).toBe(false);
    expect(policyAllows(s, BUCKET, "put", "artifacts/team-2/metrics/loss.json")).toBe(false);
  });
});
