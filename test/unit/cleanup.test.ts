// Cleanup that tells the truth (issue 12), on the in-memory store: a write whose answer was lost
// is looked for, found or not; the run's namespace is listed; only what is still there is left.
import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../../src/core/exit-codes.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { type ProbeIdentity, runProbe } from "../../src/probe/engine.js";
import type { S3Port } from "../../src/probe/port.js";
import { MemoryStore, within } from "../../testkit/memory-store.js";
import { WaveClock } from "../../testkit/waves.js";

const RUN_ID = "20261125T000000Z-000000000000";

/** team-1 under the reference policy, with its PUTs of one key answered as `lose` says. */
function team1(store: MemoryStore, lose: (port: S3Port) => Partial<S3Port> = () => ({})): ProbeIdentity {
  const port = store.portFor(within(["artifacts/team-1/", "v2/artifacts/team-1/"]));
  return { name: "team-1", role: { kind: "profile", profile: "team-1" }, port: { ...port, ...lose(port) } };
}

const canary = `artifacts/team-1/.kfp-s3-probe/${RUN_ID}/team-1`;

async function run(identity: ProbeIdentity) {
  return runProbe([identity], {
    bucket: "kfp",
    layout: LAYOUTS.deploykf,
    runId: RUN_ID,
    readOnly: false,
    strict: false,
    multipart: false,
    concurrency: 4,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 1000,
    discover: false,
  });
}

describe("a write whose answer was lost", () => {
  it("that landed: it is removed, and not reported as left", async () => {
    const store = new MemoryStore();
    const identity = team1(store, (port) => ({
      putObjectIfAbsent: async (key, body, signal, options) => {
        const answer = await port.putObjectIfAbsent(key, body, signal, options);
        return key === canary ? { systemCode: "ECONNRESET" } : answer;
      },
    }));
    const result = await run(identity);
    expect([...store.objects.keys()].filter((k) => k.includes(".kfp-s3-probe/"))).toEqual([]);
    expect(result.cleanup.leftovers).toEqual([]);
  });

  it("that never landed: no leftover invented, and not counted as created", async () => {
    const store = new MemoryStore();
    const identity = team1(store, (port) => ({
      putObjectIfAbsent: async (key, body, signal, options) =>
        key === canary ? { systemCode: "ECONNRESET" } : port.putObjectIfAbsent(key, body, signal, options),
    }));
    const result = await run(identity);
    expect(result.cleanup.leftovers).toEqual([]);
    expect(result.cleanup.created).toBe(4); // the first write, the CRC32 canary, and both of v2/artifacts/team-1/
  });
});

describe("what cannot be removed", () => {
  it("is a leftover only while it is there; a run with leftovers never exits 0", async () => {
    const store = new MemoryStore();
    const identity = team1(store, (port) => ({
      deleteObject: async (key, versionId, signal) =>
        key === canary ? { status: 403, errorName: "AccessDenied" } : port.deleteObject(key, versionId, signal),
    }));
    const result = await run(identity);
    expect(result.cleanup.leftovers.map((l) => l.key)).toEqual([canary]);
    expect(store.objects.has(canary)).toBe(true);
    expect(exitCodeFor([], { kind: "finished", leftovers: result.cleanup.leftovers.length })).toBe(5);
  });

  it("a key the ledger never recorded but the namespace holds is found and removed", async () => {
    const store = new MemoryStore();
    const stray = `v2/artifacts/team-1/.kfp-s3-probe/${RUN_ID}/team-1-written-by-a-lost-retry`;
    store.objects.set(stray, new Uint8Array(1));
    const result = await run(team1(store));
    expect(store.objects.has(stray)).toBe(false);
    expect(result.cleanup.leftovers).toEqual([]);
  });
});

describe("open uploads", () => {
  const multipartKey = `artifacts/team-1/.kfp-s3-probe/${RUN_ID}/team-1-multipart`;

  /** Open uploads under a prefix, as ListMultipartUploads answers one that may list them. */
  const openUnder = (store: MemoryStore) => (prefix: string) =>
    Promise.resolve({
      status: 200,
      uploads: [...store.uploads].filter(([, key]) => key.startsWith(prefix)).map(([uploadId, key]) => ({ key, uploadId })),
    });

  /** The backend and team-1; team-1's CreateMultipartUpload of one key was sent twice, and the first opened an upload too. */
  function backendAndTeam1(store: MemoryStore, clock: WaveClock, team1MayListUploads: boolean): ProbeIdentity[] {
    const backend = store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"]));
    const team1 = team1Port(store);
    const retried: Partial<S3Port> = {
      createMultipartUpload: async (key, signal) => {
        if (key !== multipartKey) return team1.createMultipartUpload(key, signal);
        await team1.createMultipartUpload(key, signal);
        return { ...(await team1.createMultipartUpload(key, signal)), attempts: 2 };
      },
      ...(team1MayListUploads ? { listMultipartUploads: openUnder(store) } : {}),
    };
    return [
      { name: "backend", role: { kind: "backend" }, port: clock.wrap("backend", backend) },
      { name: "team-1", role: { kind: "profile", profile: "team-1" }, port: clock.wrap("team-1", { ...team1, ...retried }) },
    ];
  }

  function team1Port(store: MemoryStore): S3Port {
    return store.portFor(within(["artifacts/team-1/", "v2/artifacts/team-1/"]));
  }

  async function runWith(identities: ProbeIdentity[], clock: WaveClock) {
    return clock.run(() =>
      runProbe(identities, {
        bucket: "kfp",
        layout: LAYOUTS.deploykf,
        runId: RUN_ID,
        readOnly: false,
        strict: false,
        concurrency: 64,
        signal: new AbortController().signal,
        cleanupTimeoutMs: 1000,
        discover: false,
      }),
    );
  }

  it("every identity is asked at once who may list them, beside the namespaces' listings; the first that may finds an upload the probe never saw", async () => {
    const store = new MemoryStore();
    const clock = new WaveClock();
    const result = await runWith(backendAndTeam1(store, clock, true), clock);
    expect(store.uploads.size).toBe(0);
    expect(result.cleanup.leftovers).toEqual([]);
    expect(result.cleanup.unverifiedUploads).toBeUndefined();
    const asked = clock.requests.filter((r) => r.method === "listMultipartUploads");
    const firstWave = asked[0]?.wave;
    // Both on the first namespace with uploads, at once; then team-1 alone on the 3 others (its first answer is not asked again).
    expect(asked.filter((r) => r.wave === firstWave).map((r) => r.identity)).toEqual(["backend", "team-1"]);
    expect(asked.filter((r) => r.wave !== firstWave).map((r) => r.identity)).toEqual(["team-1", "team-1", "team-1"]);
    const namespaceListings = clock.requests.filter((r) => r.method === "listObjects" && r.subject.endsWith(`${RUN_ID}/`));
    expect(namespaceListings.every((r) => r.wave === firstWave)).toBe(true);
  });

  it("where no identity may list them, the upload that may be open is said, not guessed", async () => {
    const store = new MemoryStore();
    const clock = new WaveClock();
    const result = await runWith(backendAndTeam1(store, clock, false), clock);
    expect(result.cleanup.unverifiedUploads?.map((u) => u.key)).toEqual([multipartKey]);
    const asked = clock.requests.filter((r) => r.method === "listMultipartUploads");
    expect(asked.map((r) => r.identity)).toEqual(["backend", "team-1"]);
    expect(new Set(asked.map((r) => r.wave)).size).toBe(1);
  });
});
