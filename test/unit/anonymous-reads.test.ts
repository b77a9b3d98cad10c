// The anonymous caller's reads are decided on objects that exist: a seed its owner (a profile in
// the run) or the backend plants under every prefix it is tried against, so that a public read is
// found even with one profile in the run (issue 21), and nothing of it is left.
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../../src/core/operations.js";
import type { ProbeIdentity } from "../../src/probe/engine.js";
import { MemoryStore } from "../../testkit/memory-store.js";
import { memoryBackend, memoryProfile, probeInMemory } from "../support/memory-run.js";

const profile = memoryProfile;

/** Anyone may read what `readable` allows, and do nothing else. */
const anonymous = (store: MemoryStore, readable: (key: string) => boolean = () => false): ProbeIdentity => ({
  name: "anonymous",
  role: { kind: "anonymous" },
  port: store.portFor(
    (action, key) => action === OPERATIONS.get.action && readable(key),
    () => false,
  ),
});

describe("the anonymous caller's reads", () => {
  it("a bucket anyone may read under artifacts/, probed by its only profile: LEAK get of the profile's own v1 prefix, on the seed the profile wrote", async () => {
    const store = new MemoryStore();
    const run = await probeInMemory([profile(store, "team-1"), anonymous(store, (key) => key.startsWith("artifacts/"))]);
    const get = run.results.find((r) => r.identity === "anonymous" && r.target?.prefix === "artifacts/team-1/" && r.operation === "get");
    expect(get?.verdict).toBe("leak");
    expect(get?.observation.evidence.map((e) => e.request)).toContain("PutObject (seed, as team-1)");
    const v2 = run.results.find((r) => r.identity === "anonymous" && r.target?.prefix === "v2/artifacts/team-1/" && r.operation === "put");
    expect(v2?.verdict).toBe("ok");
    expect(store.objects.size).toBe(0);
  });

  it("the backend and two profiles: no cell of the anonymous caller is undecided, and nothing is left", async () => {
    const store = new MemoryStore();
    const backend = memoryBackend(store);
    const run = await probeInMemory([backend, profile(store, "team-1"), profile(store, "team-2"), anonymous(store)]);
    const cells = run.results.filter((r) => r.identity === "anonymous");
    expect(cells.length).toBeGreaterThan(10);
    expect(cells.filter((r) => r.verdict !== "ok").map((r) => `${r.target?.prefix} ${r.operation} ${r.verdict}: ${r.observation.reason}`)).toEqual(
      [],
    );
    expect(store.objects.size).toBe(0);
  });
});

describe("a profile's own prefix it cannot write", () => {
  it("the backend plants an object there, so that the profile's own read is decided (MISSING put, ok get)", async () => {
    const store = new MemoryStore();
    const backend = memoryBackend(store);
    const readOnlyV2: ProbeIdentity = {
      name: "team-1",
      role: { kind: "profile", profile: "team-1" },
      port: store.portFor(
        (action, key) => key.startsWith("artifacts/team-1/") || (action === OPERATIONS.get.action && key.startsWith("v2/artifacts/team-1/")),
      ),
    };
    const run = await probeInMemory([backend, readOnlyV2]);
    const own = (operation: string) =>
      run.results.find((r) => r.identity === "team-1" && r.target?.prefix === "v2/artifacts/team-1/" && r.operation === operation);
    expect(own("put")?.verdict).toBe("missing");
    expect(own("get")?.verdict).toBe("ok");
    expect(own("get")?.observation.evidence.map((e) => e.request)).toEqual(["PutObject (seed, as backend)", "GetObject"]);
    expect(store.objects.size).toBe(0);
  });
});

describe("AWS semantics: a missing key decides a read for an identity that may list", () => {
  const unownedGets = (run: Awaited<ReturnType<typeof probeInMemory>>, identity: string) =>
    run.results.filter((r) => r.identity === identity && r.target?.relation === "unowned" && r.operation === "get");

  it("team-1 alone, no one to plant under nobody's prefix: undecided on an RGW-like store; denied (403) where the store is AWS, or showed it in this run", async () => {
    const rgw = new MemoryStore("rgw");
    const elsewhere = await probeInMemory([memoryProfile(rgw, "team-1")]);
    expect(unownedGets(elsewhere, "team-1").map((r) => r.verdict)).toEqual(["ambiguous", "ambiguous"]);
    // Told the store is AWS, or not told: an AWS-like store shows it (404 on its own prefix, 403 under pipelines/).
    for (const options of [{ missingKeyDecides: true }, {}]) {
      const aws = new MemoryStore("aws");
      const cells = unownedGets(await probeInMemory([memoryProfile(aws, "team-1")], options), "team-1");
      expect(cells.map((r) => [r.verdict, r.observation.outcome])).toEqual([
        ["ok", "denied"],
        ["ok", "denied"],
      ]);
      expect(cells[0]?.observation.evidence.map((e) => [e.request, e.status])).toEqual([["GetObject (a missing key)", 403]]);
    }
  });

  it("a profile granted s3:GetObject on artifacts/*, alone: its read under nobody's prefix is a LEAK on the 404 of a missing key", async () => {
    const store = new MemoryStore();
    const own = (key: string) => key.startsWith("artifacts/team-3/") || key.startsWith("v2/artifacts/team-3/");
    const readsAll: ProbeIdentity = {
      name: "team-3",
      role: { kind: "profile", profile: "team-3" },
      port: store.portFor(
        (action, key) => action !== "s3:AbortMultipartUpload" && (own(key) || (action === "s3:GetObject" && key.startsWith("artifacts/"))),
      ),
    };
    const run = await probeInMemory([readsAll], { missingKeyDecides: true });
    const [v1] = unownedGets(run, "team-3");
    expect(v1).toMatchObject({ verdict: "leak" });
    expect(v1?.observation.reason).toMatch(/^404 for a missing key/);
    expect(store.objects.size).toBe(0);
  });
});
