// Witnesses tried on the store: with team-1's policies in hand, the key the exact evaluator finds
// it may read under another team's metrics/ is read on an object KFP stored there, or on one the
// owner plants inside the run's namespace; nothing is left (issue 21).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assessAssurance } from "../../src/core/assurance.js";
import { fillTemplate, parsePolicy } from "../../src/core/policy/document.js";
import type { PolicySubject } from "../../src/core/policy/exact-questions.js";
import { policyAllows, witnessOperationOf } from "../../src/core/witness.js";
import type { ProbeIdentity } from "../../src/probe/engine.js";
import { assuranceLines } from "../../src/report/assurance-words.js";
import { MemoryStore } from "../../testkit/memory-store.js";
import { MEMORY_BUCKET, MEMORY_RUN_ID, memoryBackend, memoryProfile, probeInMemory } from "../support/memory-run.js";

const BUCKET = MEMORY_BUCKET;
const RUN_ID = MEMORY_RUN_ID;
const reference = (profile: string) =>
  parsePolicy(fillTemplate(readFileSync("fixtures/reference-policies/profile.json", "utf8"), BUCKET, profile), "reference");
const metrics = parsePolicy(
  JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/artifacts/*/metrics/*` }] }),
  "metrics",
);
const leaky: PolicySubject = { role: { kind: "profile", profile: "team-1" }, identityPolicies: [reference("team-1"), metrics], bucketPolicy: [] };

/** The store enforces team-1's policy as the evaluator reads it. */
function team1(store: MemoryStore): ProbeIdentity {
  return {
    name: "team-1",
    role: { kind: "profile", profile: "team-1" },
    port: store.portFor((action, key) => {
      const operation = witnessOperationOf(action);
      return operation !== undefined && policyAllows(leaky, BUCKET, operation, key);
    }),
  };
}

const team2 = (store: MemoryStore) => memoryProfile(store, "team-2");

function probe(identities: ProbeIdentity[], policies?: Map<string, PolicySubject>) {
  return probeInMemory(identities, { discover: true, ...(policies ? { policies } : {}) });
}

const witnessCell = (run: Awaited<ReturnType<typeof probe>>) =>
  run.results.find((r) => r.identity === "team-1" && r.target?.prefix === "artifacts/team-2/metrics/" && r.operation === "get");

describe("witnesses, live", () => {
  it("team-1 alone, policy in hand, team-2 holding a metrics object: LEAK get on team-2's metrics/, the key read in its evidence", async () => {
    const store = new MemoryStore();
    store.objects.set("artifacts/team-2/a-run/main.log", new Uint8Array(1));
    store.objects.set("artifacts/team-2/metrics/loss.json", new Uint8Array(1));
    const run = await probe([team1(store)], new Map([["team-1", leaky]]));
    const cell = witnessCell(run);
    expect(cell?.verdict).toBe("leak");
    expect(cell?.observation.evidence.at(-1)).toMatchObject({
      request: "GetObject (first byte)",
      key: "artifacts/team-2/metrics/loss.json",
      status: 200,
    });
    // The sampled pairs read of team-2 was decided on another object, and denied: only the witness finds it.
    expect(run.results.find((r) => r.identity === "team-1" && r.target?.prefix === "artifacts/team-2/" && r.operation === "get")?.verdict).toBe("ok");
    expect([...store.objects.keys()].sort()).toEqual(["artifacts/team-2/a-run/main.log", "artifacts/team-2/metrics/loss.json"]);
  });

  it("no metrics object yet: team-2 plants one inside the run's namespace under metrics/, team-1 reads it, and it is removed", async () => {
    const store = new MemoryStore();
    const run = await probe([team1(store), team2(store)], new Map([["team-1", leaky]]));
    const cell = witnessCell(run);
    expect(cell?.verdict).toBe("leak");
    expect(cell?.observation.evidence.map((e) => e.request)).toEqual(["PutObject (witness, as team-2)", "GetObject"]);
    expect(cell?.observation.evidence[1]?.key?.startsWith(`artifacts/team-2/metrics/.kfp-s3-probe/${RUN_ID}/`)).toBe(true);
    expect(run.cleanup.leftovers).toEqual([]);
    expect(store.objects.size).toBe(0);
  });

  it("the same keys without the policy in hand: no witness, and the run sees no leak (what sampling misses)", async () => {
    const store = new MemoryStore();
    store.objects.set("artifacts/team-2/a-run/main.log", new Uint8Array(1));
    store.objects.set("artifacts/team-2/metrics/loss.json", new Uint8Array(1));
    const run = await probe([team1(store)]);
    expect(witnessCell(run)).toBeUndefined();
    expect(run.results.filter((r) => r.verdict === "leak" && r.identity === "team-1")).toEqual([]);
  });
});

describe("proof makes scale cheap", () => {
  const backendPolicy = parsePolicy(fillTemplate(readFileSync("fixtures/reference-policies/backend.json", "utf8"), BUCKET, ""), "backend");
  const noBucketPolicy = { statements: [] };

  /** withPolicies: every identity's and the bucket's ("all"), the identities' alone ("no-bucket-policy"), or none. */
  async function requestsFor(
    count: number,
    withPolicies: boolean | "no-bucket-policy",
  ): Promise<{ requests: number; results: number; left: number }> {
    const store = new MemoryStore();
    const profiles = Array.from({ length: count }, (_, i) => `team-${i + 1}`);
    const identities: ProbeIdentity[] = [
      memoryBackend(store),
      ...profiles.map((p) => memoryProfile(store, p)),
      {
        name: "anonymous",
        role: { kind: "anonymous" },
        port: store.portFor(
          () => false,
          () => false,
        ),
      },
    ];
    const policies = new Map<string, PolicySubject>([
      ["backend", { role: { kind: "backend" }, identityPolicies: [backendPolicy], bucketPolicy: [noBucketPolicy] }],
      ...profiles.map((p): [string, PolicySubject] => [
        p,
        { role: { kind: "profile", profile: p }, identityPolicies: [reference(p)], bucketPolicy: [noBucketPolicy] },
      ]),
      ["anonymous", { role: { kind: "anonymous" }, identityPolicies: [], bucketPolicy: [noBucketPolicy] }],
    ]);
    if (withPolicies === "no-bucket-policy") policies.delete("anonymous");
    const run = await probe(identities, withPolicies ? policies : undefined);
    expect(run.results.filter((r) => r.verdict === "leak")).toEqual([]);
    return { requests: store.requests, results: run.results.length, left: store.objects.size };
  }

  it("30 profiles with their policies in hand: requests grow with the profiles, not their square (a tenth of the pairs matrix at 300 in the bench)", async () => {
    const [sampled, proven] = [await requestsFor(30, false), await requestsFor(30, true)];
    expect(proven.left).toBe(0);
    expect(proven.requests).toBeLessThan(sampled.requests / 2);
    // Growth per added profile: constant with policies in hand (no new pairs), growing without.
    const [proven40, sampled40] = [await requestsFor(40, true), await requestsFor(40, false)];
    expect((proven40.requests - proven.requests) / 10).toBeLessThan((sampled40.requests - sampled.requests) / 10 / 2);
  });

  it("without the bucket's policy nothing is narrowed: a grant in it would show only on the samples", async () => {
    const [sampled, partial] = [await requestsFor(12, false), await requestsFor(12, "no-bucket-policy")];
    expect(partial.requests).toBeGreaterThanOrEqual(sampled.requests);
    expect(partial.left).toBe(0);
  });
});

describe("--no-anonymous with the bucket's policy in hand", () => {
  const bucketPolicy = (resource: string) =>
    parsePolicy(
      JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/${resource}` }] }),
      "anonymous.json",
    );
  const subjects = (bucket: ReturnType<typeof bucketPolicy>[]) =>
    new Map<string, PolicySubject>([
      ["team-2", { role: { kind: "profile", profile: "team-2" }, identityPolicies: [reference("team-2")], bucketPolicy: bucket }],
    ]);

  it("a grant to anyone is an open item, never proven; a bucket policy that grants nobody leaves none", async () => {
    const store = new MemoryStore();
    const open = await probe([memoryBackend(store), team2(store)], subjects([bucketPolicy("artifacts/team-2/*")]));
    expect(open.proof?.publicUntried?.keys).toEqual([{ operation: "get", key: expect.stringMatching(/^artifacts\/team-2\//) }]);
    const assurance = assessAssurance({
      identities: [{ name: "team-2", role: { kind: "profile", profile: "team-2" } }],
      policySources: new Map([["team-2", "team-2.json"]]),
      bucketPolicySource: "anonymous.json",
      unread: new Map(),
      witnessResults: [],
      results: [],
      enforcementSample: [],
      ...(open.proof?.publicUntried ? { publicUntried: open.proof.publicUntried } : {}),
    });
    expect([assurance.status, assurance.open.map((o) => o.kind)]).toEqual(["partial", ["public-untried"]]);
    const denyOnly = parsePolicy(
      JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` }] }),
      "anonymous.json",
    );
    const none = await probe([memoryBackend(store), team2(store)], subjects([denyOnly]));
    expect(none.proof?.publicUntried).toBeUndefined();
  });
});

describe("a grant of an action the probe never sends", () => {
  it("s3:DeleteObjectVersion on every team's artifacts: an open item naming it, so the run is partial, never proven", async () => {
    const store = new MemoryStore();
    const versions = parsePolicy(
      JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:DeleteObjectVersion", Resource: `arn:aws:s3:::${BUCKET}/artifacts/*` }] }),
      "versions",
    );
    const subject: PolicySubject = {
      role: { kind: "profile", profile: "team-2" },
      identityPolicies: [reference("team-2"), versions],
      bucketPolicy: [],
    };
    const run = await probe([memoryBackend(store), team2(store)], new Map([["team-2", subject]]));
    const untried = run.proof?.untried?.get("team-2") ?? [];
    expect(untried.map((g) => g.action)).toEqual(["s3:DeleteObjectVersion"]);
    const assurance = assessAssurance({
      identities: [{ name: "team-2", role: { kind: "profile", profile: "team-2" } }],
      policySources: new Map([["team-2", "team-2.json"]]),
      bucketPolicySource: "anonymous.json",
      unread: new Map(),
      untried: run.proof?.untried ?? new Map(),
      witnessResults: [],
      results: [],
      enforcementSample: [],
    });
    expect(assurance.status).toBe("partial");
    expect(assuranceLines(assurance)[0]).toMatch(
      /team-2's policy lets it s3:DeleteObjectVersion on artifacts\/\S+, which KFP never needs and the probe does not try/,
    );
  });
});
