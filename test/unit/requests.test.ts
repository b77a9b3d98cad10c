// The README's request count, held to the engine: 41 + P·(14P + 83), plus 2P where P ≥ 2, for
// the backend and P profiles under the reference policies (fewer where a near-miss name is a
// profile in the run): 3 of it find profiles and an object to read under pipelines/, each
// profile's two prefixes are searched once for an object to read where another profile is tried
// there, and cleanup lists the run's namespace under each prefix (5 + 8P of them) and asks each
// identity once whether it may list open uploads (P + 1; the reference policies let none).
import { describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import { type ProbeIdentity, runProbe } from "../../src/probe/engine.js";
import { MemoryStore, within } from "../../testkit/memory-store.js";

function probeIn(identities: ProbeIdentity[]) {
  return runProbe(identities, {
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

async function requestsFor(profiles: string[]): Promise<{ requests: number; left: number }> {
  const store = new MemoryStore();
  const identities: ProbeIdentity[] = [
    { name: "backend", role: { kind: "backend" }, port: store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"])) },
    ...profiles.map((p) => ({
      name: p,
      role: { kind: "profile", profile: p } as const,
      port: store.portFor(within([`artifacts/${p}/`, `v2/artifacts/${p}/`])),
    })),
  ];
  await probeIn(identities);
  return { requests: store.requests, left: store.objects.size };
}

describe("requests per run", () => {
  it.each([1, 2, 3, 5])("backend and %i profile(s): 41 + P(14P + 83) + 2P (P ≥ 2), and nothing left", async (count) => {
    const names = Array.from({ length: count }, (_, i) => `team-${String.fromCharCode(97 + i)}`);
    expect(await requestsFor(names)).toEqual({ requests: 41 + count * (14 * count + 83) + (count >= 2 ? 2 * count : 0), left: 0 });
  });

  it("a near-miss name that is a profile in the run is probed once, as a foreign prefix", async () => {
    // team-1's near miss team-10 is in the run: 2 prefixes × 7 requests fewer, and 2 namespaces fewer to list.
    expect((await requestsFor(["team-1", "team-10"])).requests).toBe(41 + 2 * (14 * 2 + 83) + 4 - 14 - 2);
  });
});

describe("requests per profile found in the bucket", () => {
  /** team-1 alone with the anonymous caller, in a bucket that holds `found` other profiles' artifacts. */
  async function loneProfile(found: number): Promise<number> {
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
    await probeIn(identities);
    return store.requests;
  }

  it("each profile found adds 22: 2 prefixes × (5 checks of team-1 + 1 list for an object to read + 4 of the anonymous caller + 1 list of the run's namespace)", async () => {
    const none = await loneProfile(0);
    expect(await loneProfile(3)).toBe(none + 3 * 22);
    expect(await loneProfile(6)).toBe(none + 6 * 22);
  });
});
