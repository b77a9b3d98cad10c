// A probe run on the in-memory store, as the unit tests of the proof make it: the reference
// identities' ports, and the engine's options with what a test changes.
import { LAYOUTS } from "../../src/core/layout.js";
import { type ProbeIdentity, type ProbeOptions, type ProbeRun, runProbe } from "../../src/probe/engine.js";
import { type MemoryStore, within } from "../../testkit/memory-store.js";

export const MEMORY_BUCKET = "kfp";
export const MEMORY_RUN_ID = "20261201T000000Z-0123456789ab";

export function probeInMemory(identities: ProbeIdentity[], overrides: Partial<ProbeOptions> = {}): Promise<ProbeRun> {
  return runProbe(identities, {
    matrix: "pairs",
    bucket: MEMORY_BUCKET,
    layout: LAYOUTS.deploykf,
    runId: MEMORY_RUN_ID,
    readOnly: false,
    strict: false,
    concurrency: 8,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 1000,
    ...overrides,
  });
}

/** The backend, as the reference policy lets it: every KFP prefix. */
export const memoryBackend = (store: MemoryStore): ProbeIdentity => ({
  name: "backend",
  role: { kind: "backend" },
  port: store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"])),
});

/** A profile, as the reference policy lets it: its own two prefixes. */
export const memoryProfile = (store: MemoryStore, name: string): ProbeIdentity => ({
  name,
  role: { kind: "profile", profile: name },
  port: store.portFor(within([`artifacts/${name}/`, `v2/artifacts/${name}/`])),
});
