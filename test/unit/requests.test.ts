// The README's request counts, held to the engine, for the backend and P profiles under the
// reference policies (fewer where a near-miss name is a profile in the run).
// Default (pairs): 48 + P·(2P + 95), plus 6P where P ≥ 2: two requests per ordered pair of
// profiles, the full set under each profile's own prefixes, pipelines/, the canary profile and the
// near misses, and per profile two lists for an object to read, two shared seeds and their deletes.
// --matrix full: 48 + P·(14P + 83), plus 2P where P ≥ 2: every operation under every other
// profile's prefixes, with a seed per prober. In both, 3 requests find profiles and an object to
// read under pipelines/, and cleanup lists the run's namespace under each prefix and asks each
// identity once whether it may list open uploads (P + 1; the reference policies let none); 7 learn
// the bucket: its 5 settings asked of the backend, the first write and its removal.
import { describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import type { MatrixMode } from "../../src/core/plan.js";
import { type ProbeIdentity, runProbe } from "../../src/probe/engine.js";
import { MemoryStore, within } from "../../testkit/memory-store.js";

function probeIn(identities: ProbeIdentity[], matrix: MatrixMode = "pairs") {
  return runProbe(identities, {
    matrix,
    bucket: "kfp",
    layout: LAYOUTS.deploykf,
    runId: "20261124T000000Z-000000000000",
    readOnly: false,
    strict: false,
    concurrency: 8,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 1000,
  });
}

async function requestsFor(profiles: string[], matrix: MatrixMode = "pairs"): Promise<{ requests: number; left: number }> {
  const store = new MemoryStore();
  const identities: ProbeIdentity[] = [
    { name: "backend", role: { kind: "backend" }, port: store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"])) },
    ...profiles.map((p) => ({
      name: p,
      role: { kind: "profile", profile: p } as const,
      port: store.portFor(within([`artifacts/${p}/`, `v2/artifacts/${p}/`])),
    })),
  ];
  await probeIn(identities, matrix);
  return { requests: store.requests, left: store.objects.size };
}

const teams = (count: number) => Array.from({ length: count }, (_, i) => `team-${String.fromCharCode(97 + i)}`);

describe("requests per run, default matrix (pairs)", () => {
  it.each([1, 2, 3, 5, 8])("backend and %i profile(s): 48 + P(2P + 95) + 6P (P ≥ 2), and nothing left", async (count) => {
    expect(await requestsFor(teams(count))).toEqual({ requests: 48 + count * (2 * count + 95) + (count >= 2 ? 6 * count : 0), left: 0 });
  });

  it("grows by 2 requests per pair of profiles, plus a constant per profile", async () => {
    const [p4, p5, p6] = await Promise.all([4, 5, 6].map(async (count) => (await requestsFor(teams(count))).requests));
    // Second differences: 2 · 2 requests per added pair (both directions).
    expect((p6 as number) - 2 * (p5 as number) + (p4 as number)).toBe(4);
  });
});

describe("requests per run, --matrix full", () => {
  it.each([1, 2, 3, 5])("backend and %i profile(s): 48 + P(14P + 83) + 2P (P ≥ 2), and nothing left", async (count) => {
    expect(await requestsFor(teams(count), "full")).toEqual({ requests: 48 + count * (14 * count + 83) + (count >= 2 ? 2 * count : 0), left: 0 });
  });

  it("a near-miss name that is a profile in the run is probed once, as a foreign prefix", async () => {
    // team-1's near miss team-10 is in the run: 2 prefixes × 7 requests fewer, and 2 namespaces fewer to list.
    expect((await requestsFor(["team-1", "team-10"], "full")).requests).toBe(48 + 2 * (14 * 2 + 83) + 4 - 14 - 2);
  });
});

describe("requests per profile found in the bucket", () => {
  /** team-1 alone with the anonymous caller, in a bucket that holds `found` other profiles' artifacts. */
  async function loneProfile(found: number, matrix: MatrixMode = "pairs"): Promise<number> {
    const store = new MemoryStore();
    const others = Array.from({ length: found }, (_, i) => `other-${String.fromCharCode(97 + i)}`);
    for (const p of ["team-1", ...others]) {
      store.objects.set(`artifacts/${p}/run/main.log`, new Uint8Array(1));
      store.objects.set(`v2/artifacts/${p}/run/out.txt`, new Uint8Array(1));
    }
    store.objects.set("pipelines/hello/pipeline.yaml", new Uint8Array(1));
    const identities: ProbeIdentity[] = [
      { name: "team-1", role: { kind: "profile", profile: "team-1" }, port: store.portFor(within(["artifacts/team-1/", "v2/artifacts/team-1/"])) },
      {
        name: "anonymous",
        role: { kind: "anonymous" },
        port: store.portFor(
          () => false,
          () => false,
        ),
      },
    ];
    await probeIn(identities, matrix);
    return store.requests;
  }

  it("each profile found adds 8: a read and a conditional write of team-1 and of the anonymous caller, and per prefix 1 list for an object to read and 1 of the run's namespace", async () => {
    const none = await loneProfile(0);
    expect(await loneProfile(3)).toBe(none + 3 * 8);
    expect(await loneProfile(6)).toBe(none + 6 * 8);
  });

  it("with --matrix full, 22: 2 prefixes × (5 checks of team-1 + 1 list for an object to read + 4 of the anonymous caller + 1 list of the run's namespace)", async () => {
    const none = await loneProfile(0, "full");
    expect(await loneProfile(3, "full")).toBe(none + 3 * 22);
  });
});
