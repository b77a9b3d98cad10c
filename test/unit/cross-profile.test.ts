// Several identities in one run, each with its own policy, on a mocked store that tells them
// apart by access key: seeds, undecided reads, and cleanup by the prefix's owner or the backend.
import { CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import type { MatrixMode, Role } from "../../src/core/plan.js";
import { type ProbeIdentity, type ProbeRun, runProbe } from "../../src/probe/engine.js";
import { createS3Client } from "../../src/s3/client.js";
import { SdkS3Port } from "../../src/s3/s3-port.js";
import { mockStore, type Policy } from "../support/sdk-store.js";

const s3 = mockClient(S3Client);
const BUCKET = "kubeflow-pipelines";
const RUN_ID = "20261124T120000Z-0123456789ab";

const ownPrefixes = (profile: string) => [`artifacts/${profile}/`, `v2/artifacts/${profile}/`];
// The reference policies grant Get/Put/DeleteObject, and no s3:AbortMultipartUpload.
const reference =
  (profile: string): Policy =>
  (action, key) =>
    action !== "abort" && ownPrefixes(profile).some((p) => key.startsWith(p));
const backendPolicy: Policy = (action, key) => action !== "abort" && ["pipelines/", "artifacts/", "v2/artifacts/"].some((p) => key.startsWith(p));

/** One store, one policy per access key id. */
function store(policies: Record<string, Policy>): Map<string, Uint8Array> {
  return mockStore(s3, (accessKeyId) => {
    const policy = policies[accessKeyId];
    if (!policy) throw new Error(`no policy for ${accessKeyId}`);
    return policy;
  });
}

function identity(name: string, role: Role): ProbeIdentity {
  const client = createS3Client(
    { endpoint: "http://127.0.0.1:9", region: "us-east-1", forcePathStyle: true, requestTimeoutMs: 1000, maxAttempts: 1 },
    { accessKeyId: name, secretAccessKey: `secret-of-${name}` },
  );
  return { name, role, port: new SdkS3Port(client, BUCKET) };
}

const profile = (name: string, profileName = name) => identity(name, { kind: "profile", profile: profileName });

function probe(identities: ProbeIdentity[], matrix: MatrixMode = "full"): Promise<ProbeRun> {
  return runProbe(identities, {
    matrix,
    bucket: BUCKET,
    layout: LAYOUTS.deploykf,
    runId: RUN_ID,
    readOnly: false,
    strict: false,
    concurrency: 8,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 2000,
  });
}

function result(run: ProbeRun, identityName: string, prefix: string, operation: string) {
  const found = run.results.find((r) => r.identity === identityName && r.target?.prefix === prefix && r.operation === operation);
  if (!found) throw new Error(`no ${operation} ${prefix} for ${identityName}`);
  return found;
}

function leaks(run: ProbeRun, identityName: string): string[] {
  return run.results
    .filter((r) => r.identity === identityName && r.verdict === "leak")
    .map((r) => `${r.operation} ${r.target?.prefix}`)
    .sort();
}

beforeEach(() => s3.reset());
afterEach(() => s3.reset());

describe("cross-profile matrix, --matrix full", () => {
  it("reference policies: reads of another profile are decided on a seed its owner wrote, and are denied", async () => {
    const objects = store({ "team-1": reference("team-1"), "team-2": reference("team-2"), backend: backendPolicy });
    const run = await probe([identity("backend", { kind: "backend" }), profile("team-1"), profile("team-2")]);
    expect(run.results.filter((r) => ["leak", "missing", "ambiguous", "error"].includes(r.verdict))).toEqual([]);
    // Without s3:AbortMultipartUpload in the reference policies, every artifact prefix is degraded.
    expect(run.results.filter((r) => r.verdict === "degraded").map((r) => `${r.identity} ${r.target?.prefix}`)).toEqual([
      "backend artifacts/",
      "backend v2/artifacts/",
      "team-1 artifacts/team-1/",
      "team-1 v2/artifacts/team-1/",
      "team-2 artifacts/team-2/",
      "team-2 v2/artifacts/team-2/",
    ]);
    // ...decided without leaving an upload behind: the abort was tried on an upload that does not exist.
    expect(
      s3
        .commandCalls(CreateMultipartUploadCommand)
        .map((c) => c.args[0].input.Key)
        .filter((k) => k?.endsWith("-abort")),
    ).toEqual([]);
    const get = result(run, "team-1", "artifacts/team-2/", "get");
    expect(get.observation.outcome).toBe("denied");
    // As expected, so compact: each request's status, and the key of the one that decided.
    expect(get.observation.evidence).toEqual([
      { request: "PutObject (seed, as team-2)", status: 200 },
      { request: "GetObject", key: `artifacts/team-2/.kfp-s3-probe/${RUN_ID}/seed-for-team-1`, status: 403, errorName: "AccessDenied" },
    ]);
    // Prefixes nobody in the run owns are seeded by the backend.
    expect(result(run, "team-1", "artifacts/team-1-x/", "head").observation.evidence[0]?.request).toBe("PutObject (seed, as backend)");
    expect(objects.size).toBe(0);
    expect(run.cleanup.leftovers).toEqual([]);
  });

  it("a foreign profile in the run without a backend: its own keys plant the seed", async () => {
    store({ "team-1": reference("team-1"), "team-2": reference("team-2") });
    const run = await probe([profile("team-1"), profile("team-2")]);
    expect(result(run, "team-1", "v2/artifacts/team-2/", "head").observation.evidence[0]?.request).toBe("PutObject (seed, as team-2)");
    expect(result(run, "team-1", "pipelines/", "get").observation.reason).toBe("no backend in this run to plant an object to read");
  });

  it("a profile granted artifacts/*: leaks into the other profile, the unowned profile and the near misses", async () => {
    const wildcard: Policy = (_a, key) => key.startsWith("artifacts/") || key.startsWith("v2/artifacts/");
    const objects = store({ "team-3": wildcard, "team-2": reference("team-2"), backend: backendPolicy });
    const run = await probe([identity("backend", { kind: "backend" }), profile("team-3"), profile("team-2")]);
    const leaked = leaks(run, "team-3");
    for (const prefix of [
      "artifacts/team-2/",
      "v2/artifacts/team-2/",
      `artifacts/kfp-s3-probe-nobody-${RUN_ID.slice(-6)}/`,
      "artifacts/team-30/",
      "artifacts/team-3",
    ]) {
      for (const operation of ["put", "head", "get", "delete"]) expect(leaked).toContain(`${operation} ${prefix}`);
    }
    expect(leaks(run, "team-2")).toEqual([]);
    expect(objects.size).toBe(0);
  });

  it("near miss: a policy written as artifacts/team-1* leaks into team-10, not into team-2", async () => {
    const sloppy: Policy = (_a, key) => key.startsWith("artifacts/team-1") || key.startsWith("v2/artifacts/team-1");
    store({ "team-1": sloppy, "team-10": reference("team-10"), "team-2": reference("team-2") });
    const run = await probe([profile("team-1"), profile("team-10"), profile("team-2")]);
    const leaked = leaks(run, "team-1");
    expect(leaked).toContain("get artifacts/team-10/");
    expect(leaked).toContain("put v2/artifacts/team-10/");
    expect(leaked).toContain("delete artifacts/team-1-x/");
    expect(leaked).toContain("put artifacts/team-1");
    expect(leaked.filter((l) => l.includes("team-2/"))).toEqual([]);
  });

  it("without a backend in the run, reads of unowned prefixes are undecided and say why; writes and deletes are still decided", async () => {
    store({ "team-1": reference("team-1") });
    const run = await probe([profile("team-1")]);
    // team-10 is not in this run: a near-miss name with no owner to seed it.
    const get = result(run, "team-1", "artifacts/team-10/", "get");
    expect(get.verdict).toBe("ambiguous");
    expect(get.observation.reason).toBe("no backend in this run to plant an object to read");
    // Nothing is read but the profile's own canaries and the two missing keys that ask how the store
    // answers one (this double answers 200 to an allowed one, so it shows nothing): no guess.
    const read = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key ?? "");
    expect(read.filter((key) => !key.endsWith("/missing-key")).sort()).toEqual(
      ownPrefixes("team-1")
        .map((p) => `${p}.kfp-s3-probe/${RUN_ID}/team-1`)
        .sort(),
    );
    expect(read.filter((key) => key.endsWith("/missing-key"))).toHaveLength(2);
    expect(result(run, "team-1", "artifacts/team-10/", "put").observation.outcome).toBe("denied");
    expect(result(run, "team-1", "artifacts/team-10/", "delete").observation.outcome).toBe("denied");
  });

  it("an owner that cannot write its own prefix: the backend plants the seed instead", async () => {
    const readOnlyOwner: Policy = (action, key) => action !== "put" && reference("team-2")(action, key);
    store({ "team-1": reference("team-1"), "team-2": readOnlyOwner, backend: backendPolicy });
    const run = await probe([identity("backend", { kind: "backend" }), profile("team-1"), profile("team-2")]);
    const evidence = result(run, "team-1", "artifacts/team-2/", "get").observation.evidence.map((e) => e.request);
    expect(evidence).toEqual(["PutObject (seed, as backend)", "GetObject"]);
  });

  it("a leaked write the prober cannot delete is removed by the prefix's owner", async () => {
    const writeOnly: Policy = (action, key) => reference("team-1")(action, key) || (action === "put" && key.startsWith("artifacts/team-2/"));
    const objects = store({ "team-1": writeOnly, "team-2": reference("team-2") });
    const run = await probe([profile("team-1"), profile("team-2")]);
    expect(result(run, "team-1", "artifacts/team-2/", "put").verdict).toBe("leak");
    expect(objects.size).toBe(0);
    expect(run.cleanup.leftovers).toEqual([]);
    const deletesOfLeak = s3
      .commandCalls(DeleteObjectCommand)
      .filter((c) => c.args[0].input.Key === `artifacts/team-2/.kfp-s3-probe/${RUN_ID}/team-1`);
    expect(deletesOfLeak.length).toBeGreaterThanOrEqual(2);
  });

  it("a leftover names every identity that tried to remove it", async () => {
    const noDelete: Policy = (action, key) => action !== "delete" && reference("team-4")(action, key);
    store({ "team-4": noDelete, backend: (action, key) => action !== "delete" && backendPolicy(action, key) });
    const run = await probe([identity("backend", { kind: "backend" }), profile("team-4")]);
    const leftover = run.cleanup.leftovers.find((l) => l.key === `artifacts/team-4/.kfp-s3-probe/${RUN_ID}/team-4`);
    expect(leftover?.reason).toBe("DeleteObject denied to team-4; DeleteObject denied to backend");
  });
});

describe("cross-profile pairs (the default matrix)", () => {
  const SEED = (prefix: string) => `${prefix}.kfp-s3-probe/${RUN_ID}/seed`;
  /** Requests team-1 sent under team-2's prefixes (seeds and cleanup are others'). */
  const pairRequests = () =>
    s3
      .calls()
      .map((call) => call.args[0].input as { Key?: string; Prefix?: string })
      .filter((input) => (input.Key ?? "").startsWith("artifacts/team-2/") || (input.Key ?? "").startsWith("v2/artifacts/team-2/"));

  it("reference policies: one GetObject of the shared seed and one conditional PutObject over it per pair, both denied, nothing written", async () => {
    const objects = store({ "team-1": reference("team-1"), "team-2": reference("team-2"), backend: backendPolicy });
    const run = await probe([identity("backend", { kind: "backend" }), profile("team-1"), profile("team-2")], "pairs");
    expect(run.results.filter((r) => ["leak", "missing", "ambiguous", "error"].includes(r.verdict))).toEqual([]);
    const foreign = run.results
      .filter((r) => r.identity === "team-1" && r.target?.owner === "team-2")
      .map((r) => `${r.operation} ${r.target?.prefix}`);
    expect(foreign).toEqual(["get artifacts/team-2/", "put v2/artifacts/team-2/"]);
    expect(result(run, "team-1", "artifacts/team-2/", "get").observation.evidence).toEqual([
      { request: "PutObject (seed, as team-2)", status: 200 },
      { request: "GetObject", key: SEED("artifacts/team-2/"), status: 403, errorName: "AccessDenied" },
    ]);
    expect(result(run, "team-1", "v2/artifacts/team-2/", "put").observation.evidence.map((e) => [e.request, e.status])).toEqual([
      ["PutObject (seed, as team-2)", 200],
      ["PutObject (if absent, over the seed)", 403],
    ]);
    // One seed per prefix, whoever tries it; the only other PUT there is the other team's write over it.
    const seedPuts = s3.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.Key?.endsWith("/seed"));
    const seeds = [...ownPrefixes("team-1"), ...ownPrefixes("team-2")].map(SEED);
    const writesOver = ["v2/artifacts/team-1/", "v2/artifacts/team-2/"].map(SEED);
    expect(seedPuts.map((c) => c.args[0].input.Key).sort()).toEqual([...seeds, ...writesOver].sort());
    expect(objects.size).toBe(0);
    expect(run.cleanup.leftovers).toEqual([]);
  });

  it("artifacts/* granted: the read leaks and the write leaks with a 412, so nothing of the other team's is written", async () => {
    const wildcard: Policy = (_a, key) => key.startsWith("artifacts/") || key.startsWith("v2/artifacts/");
    const objects = store({ "team-3": wildcard, "team-2": reference("team-2"), backend: backendPolicy });
    s3.resetHistory();
    const run = await probe([identity("backend", { kind: "backend" }), profile("team-3"), profile("team-2")], "pairs");
    expect(leaks(run, "team-3")).toEqual(
      expect.arrayContaining(["get artifacts/team-2/", "put v2/artifacts/team-2/", "put artifacts/team-30/", "delete artifacts/team-3"]),
    );
    const put = result(run, "team-3", "v2/artifacts/team-2/", "put");
    expect(put.observation.evidence.at(-1)).toMatchObject({ request: "PutObject (if absent, over the seed)", status: 412 });
    // Not as expected, so in full: every request with its key.
    expect(put.observation.evidence[0]).toMatchObject({ request: "PutObject (seed, as team-2)", key: SEED("v2/artifacts/team-2/") });
    // team-3 wrote no key of its own under team-2's prefixes.
    const written = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key ?? "");
    expect(written.filter((k) => k.includes("team-2/") && k.endsWith("/team-3"))).toEqual([]);
    expect(leaks(run, "team-2")).toEqual([]);
    expect(objects.size).toBe(0);
  });

  it("an explicit read grant on one other team is a LEAK of that pair only", async () => {
    const extraRead: Policy = (action, key) => reference("team-1")(action, key) || (action === "get" && key.startsWith("artifacts/team-2/"));
    store({ "team-1": extraRead, "team-2": reference("team-2"), "team-3": reference("team-3"), backend: backendPolicy });
    const run = await probe([identity("backend", { kind: "backend" }), profile("team-1"), profile("team-2"), profile("team-3")], "pairs");
    expect(leaks(run, "team-1")).toEqual(["get artifacts/team-2/"]);
    expect(leaks(run, "team-3")).toEqual([]);
  });

  it("each pair costs two requests of the prober: a read and a conditional write", async () => {
    store({ "team-1": reference("team-1"), "team-2": reference("team-2"), backend: backendPolicy });
    s3.resetHistory();
    await probe([identity("backend", { kind: "backend" }), profile("team-1"), profile("team-2")], "pairs");
    const byTeam1 = pairRequests().filter((input) => (input.Key ?? "").includes("/seed"));
    // team-2's seeds (2), team-1's read and write (2), the backend's cleanup deletes (2).
    expect(byTeam1.length).toBe(6);
  });
});
