// Discovery of the bucket's profiles, the diagnoses across identities, and the anonymous caller.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { type DiagnosedIdentity, diagnose } from "../../src/core/diagnoses.js";
import { mergeProfiles, profileOfFolder } from "../../src/core/discovery.js";
import { LAYOUTS } from "../../src/core/layout.js";
import type { Operation } from "../../src/core/operations.js";
import { planFor, type Role } from "../../src/core/plan.js";
import { assess, type CheckResult, type Observation } from "../../src/core/verdict.js";
import { Ledger } from "../../src/probe/ledger.js";
import { discover } from "../../src/probe/phases/discover.js";
import { type ProbeIdentity, type ProbeOptions, RunState } from "../../src/probe/run-state.js";
import { ANONYMOUS, createS3Client } from "../../src/s3/client.js";
import { MemoryStore } from "../../testkit/memory-store.js";

function options(overrides: Partial<ProbeOptions> = {}): ProbeOptions {
  return {
    bucket: "kfp",
    layout: LAYOUTS.deploykf,
    runId: "20261125T000000Z-000000000000",
    readOnly: false,
    strict: false,
    concurrency: 4,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 1000,
    ...overrides,
  };
}

async function discoverIn(store: MemoryStore, overrides: Partial<ProbeOptions> = {}, mayList = (_prefix: string) => true) {
  const lister: ProbeIdentity = { name: "team-1", role: { kind: "profile", profile: "team-1" }, port: store.portFor(() => true, mayList) };
  const state = new RunState([lister], options(overrides), new Ledger());
  state.reachable.add(lister);
  const before = store.requests;
  const report = await discover(state);
  return { report, requests: store.requests - before };
}

describe("discovery of the bucket's profiles", () => {
  it("reads every page of each root: 1,200 profiles under artifacts/ in two pages", async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 1200; i++) store.objects.set(`artifacts/team-${i}/run/main.log`, new Uint8Array(1));
    store.objects.set("v2/artifacts/team-v2-only/run/out.txt", new Uint8Array(1));
    store.objects.set("artifacts/.kfp-s3-probe/old-run/backend", new Uint8Array(1));
    store.objects.set("artifacts/kfp-s3-probe-nobody-abcdef/.kfp-s3-probe/old-run/seed", new Uint8Array(1));
    const { report, requests } = await discoverIn(store, { maxProfiles: 5000 });
    expect(requests).toBe(3);
    expect(report.profiles).toHaveLength(1201);
    expect(report.profiles.map((p) => p.name)).toContain("team-v2-only");
    expect(report.profiles.find((p) => p.name === "team-1")?.sources).toEqual(["run", "bucket"]);
    expect(report.profiles.some((p) => p.name.startsWith("kfp-s3-probe") || p.name.startsWith("."))).toBe(false);
    expect(report).toMatchObject({ listedBy: "team-1", leftOut: 0, limit: 5000 });
  });

  it("the bound keeps the run's and the named profiles, cuts the rest, says how many, and stops paging", async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 2500; i++) store.objects.set(`artifacts/p-${String(i).padStart(4, "0")}/x`, new Uint8Array(1));
    const { report, requests } = await discoverIn(store, { maxProfiles: 10, namedProfiles: [{ name: "zz-named", source: "flag" }] });
    expect(report.profiles.map((p) => p.name)).toEqual(["team-1", "zz-named", ...Array.from({ length: 9 }, (_, i) => `p-000${i}`)]);
    expect(report.leftOut).toBeGreaterThan(0);
    // One page of artifacts/ was enough to pass the bound; v2/artifacts/ is empty.
    expect(requests).toBe(2);
  });

  it("no identity may list: the reason, and only the named profiles", async () => {
    const store = new MemoryStore();
    store.objects.set("artifacts/team-2/x", new Uint8Array(1));
    const { report } = await discoverIn(store, { namedProfiles: [{ name: "team-3", source: "config" }] }, () => false);
    expect(report.listedBy).toBeNull();
    expect(report.problem).toMatch(/team-1 may not list artifacts\//);
    expect(report.profiles.map((p) => p.name)).toEqual(["team-1", "team-3"]);
  });

  it("the roots at once, each by the first lister that may: who listed is the first root's lister", async () => {
    const store = new MemoryStore();
    store.objects.set("artifacts/team-2/x", new Uint8Array(1));
    store.objects.set("v2/artifacts/team-3/x", new Uint8Array(1));
    const backend: ProbeIdentity = {
      name: "backend",
      role: { kind: "backend" },
      port: store.portFor(
        () => true,
        (p) => p.startsWith("v2/"),
      ),
    };
    const team1: ProbeIdentity = { name: "team-1", role: { kind: "profile", profile: "team-1" }, port: store.portFor(() => true) };
    const state = new RunState([backend, team1], options(), new Ledger());
    state.reachable.add(backend).add(team1);
    const report = await discover(state);
    expect(store.requests).toBe(3);
    expect(report.listedBy).toBe("team-1");
    expect(report.problem).toBeUndefined();
    expect(report.profiles.map((p) => p.name).sort()).toEqual(["team-1", "team-2", "team-3"]);
  });

  it("--no-discover lists nothing", async () => {
    const store = new MemoryStore();
    store.objects.set("artifacts/team-2/x", new Uint8Array(1));
    const { report, requests } = await discoverIn(store, { discover: false });
    expect(requests).toBe(0);
    expect(report.profiles.map((p) => p.name)).toEqual(["team-1"]);
  });

  it("folders that are not profiles are skipped", () => {
    expect(profileOfFolder("artifacts/", "artifacts/team-2/")).toBe("team-2");
    expect(profileOfFolder("artifacts/", "artifacts/.kfp-s3-probe/")).toBeUndefined();
    expect(profileOfFolder("artifacts/", "artifacts/kfp-s3-probe-nobody-abc123/")).toBeUndefined();
    expect(profileOfFolder("artifacts/", "artifacts/Not_A_Namespace/")).toBeUndefined();
    expect(mergeProfiles(["a"], [{ name: "b", source: "config" }], ["b", "c"], 1)).toEqual({
      profiles: [
        { name: "a", sources: ["run"] },
        { name: "b", sources: ["config", "bucket"] },
      ],
      leftOut: 1,
    });
  });
});

const ALLOW: Observation = { outcome: "allowed", evidence: [] };
const DENY: Observation = { outcome: "denied", evidence: [] };
const context = { profilesInRun: ["team-1", "team-2"], unownedProfile: "nobody" };

function judged(name: string, role: Role, observe: (prefix: string | null, operation: Operation) => Observation): CheckResult[] {
  return planFor(name, role, LAYOUTS.deploykf, context).checks.map((check) =>
    assess(check, observe(check.target?.prefix ?? null, check.operation), { strict: false, bucket: "kfp" }),
  );
}

const referenceOf = (profile: string) => (prefix: string | null) => (prefix === null || prefix.includes(`/${profile}/`) ? ALLOW : DENY);
const team1: DiagnosedIdentity = { name: "team-1", role: { kind: "profile", profile: "team-1" }, keyFingerprint: "k1", accessKeyIdHint: "…AAAA" };
const team2: DiagnosedIdentity = { name: "team-2", role: { kind: "profile", profile: "team-2" }, keyFingerprint: "k2", accessKeyIdHint: "…BBBB" };

describe("diagnoses across identities", () => {
  it("none for the reference policies", () => {
    const results = [...judged("team-1", team1.role, referenceOf("team-1")), ...judged("team-2", team2.role, referenceOf("team-2"))];
    expect(diagnose(results, [team1, team2])).toEqual([]);
  });

  it("shared-key: two identities with the same access key id", () => {
    const results = [...judged("team-1", team1.role, referenceOf("team-1")), ...judged("team-2", team2.role, referenceOf("team-1"))];
    const diagnoses = diagnose(results, [team1, { ...team2, keyFingerprint: "k1", accessKeyIdHint: "…AAAA" }]);
    expect(diagnoses[0]).toEqual({ kind: "shared-key", identities: ["team-1", "team-2"], profiles: ["team-1", "team-2"], accessKeyId: "…AAAA" });
  });

  it("keys-of-another-profile: denied its own prefixes, allowed team-1's", () => {
    const diagnoses = diagnose(judged("team-2", team2.role, referenceOf("team-1")), [team2]);
    expect(diagnoses).toEqual([expect.objectContaining({ kind: "keys-of-another-profile", identities: ["team-2"], profiles: ["team-1"] })]);
  });

  it("denied-everything: every request denied, its own included; errors are not denials", () => {
    expect(
      diagnose(
        judged("team-2", team2.role, () => DENY),
        [team2],
      ),
    ).toEqual([{ kind: "denied-everything", identities: ["team-2"], profiles: ["team-2"] }]);
    const down: Observation = { outcome: "error", errorKind: "connection", evidence: [] };
    expect(
      diagnose(
        judged("team-2", team2.role, () => down),
        [team2],
      ),
    ).toEqual([]);
  });

  it("wildcard-grant: a leak into the profile that exists nowhere, or into near misses only", () => {
    const wildcard = judged("team-1", team1.role, (prefix) => (prefix?.startsWith("pipelines/") ? DENY : ALLOW));
    expect(diagnose(wildcard, [team1]).find((d) => d.kind === "wildcard-grant")?.variant).toBe("wildcard");
    const nearMiss = judged("team-1", team1.role, (prefix) => (prefix === null || prefix.includes("team-1") ? ALLOW : DENY));
    expect(diagnose(nearMiss, [team1]).find((d) => d.kind === "wildcard-grant")?.variant).toBe("missing-slash");
  });

  it("public: what the anonymous caller may do, and where", () => {
    const anonymous: DiagnosedIdentity = { name: "anonymous", role: { kind: "anonymous" } };
    const results = judged("anonymous", anonymous.role, (prefix, operation) =>
      prefix === "artifacts/team-2/" && operation === "get" ? ALLOW : DENY,
    );
    expect(diagnose(results, [anonymous])).toEqual([
      { kind: "public", identities: ["anonymous"], profiles: ["team-2"], where: [{ prefix: "artifacts/team-2/", operations: ["get"] }] },
    ]);
    expect(results.find((r) => r.verdict === "leak")).toBeDefined();
  });
});

describe("the anonymous caller", () => {
  it("sends no signature and asks for no credentials, even with keys in the environment", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "content-type": "application/xml" });
      res.end('<?xml version="1.0"?><ListBucketResult><Name>kfp</Name><KeyCount>0</KeyCount></ListBucketResult>');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = "AKIDFROMTHEENVIRONMENT";
    process.env.AWS_SECRET_ACCESS_KEY = "secret-from-the-environment";
    try {
      const { port } = server.address() as AddressInfo;
      const settings = { endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", forcePathStyle: true, requestTimeoutMs: 2000, maxAttempts: 1 };
      const client = createS3Client(settings, ANONYMOUS);
      await client.send(new ListObjectsV2Command({ Bucket: "kfp" }));
      client.destroy();
    } finally {
      process.env = saved;
      server.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBeUndefined();
    expect(seen[0]?.["x-amz-date"]).toBeUndefined();
    expect(JSON.stringify(seen[0])).not.toContain("AKIDFROMTHEENVIRONMENT");
  });
});
