// The README's request count, held to the engine: 32 + P·(14P + 74) for the backend and P
// profiles under the reference policies (fewer where a near-miss name is a profile in the run).
import { describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import { type ProbeIdentity, runProbe } from "../../src/probe/engine.js";
import { MemoryStore, within } from "../../testkit/memory-store.js";

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
  await runProbe(identities, {
    bucket: "kfp",
    layout: LAYOUTS.deploykf,
    runId: "20261124T000000Z-000000000000",
    readOnly: false,
    strict: false,
    concurrency: 8,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 1000,
  });
  return { requests: store.requests, left: store.objects.size };
}

describe("requests per run", () => {
  it.each([1, 2, 3, 5])("backend and %i profile(s): 32 + P(14P + 74), and nothing left", async (count) => {
    const names = Array.from({ length: count }, (_, i) => `team-${String.fromCharCode(97 + i)}`);
    expect(await requestsFor(names)).toEqual({ requests: 32 + count * (14 * count + 74), left: 0 });
  });

  it("a near-miss name that is a profile in the run is probed once, as a foreign prefix", async () => {
    // team-1's near miss team-10 is in the run: 2 prefixes × 7 requests fewer.
    expect((await requestsFor(["team-1", "team-10"])).requests).toBe(32 + 2 * (14 * 2 + 74) - 14);
  });
});
