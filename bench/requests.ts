// npm run bench: how the probe's work grows with the number of profiles in one run. The engine
// runs against an in-memory store that enforces the reference deployKF policies, so what is
// measured is the probe itself: requests made (deterministic) and time per request. Results are
// ratios within this one run, never absolute thresholds.
import { performance } from "node:perf_hooks";
import { LAYOUTS } from "../src/core/layout.js";
import type { MatrixMode, Role } from "../src/core/plan.js";
import { type ProbeIdentity, runProbe } from "../src/probe/engine.js";
import { MemoryStore, within } from "../testkit/memory-store.js";

interface Measurement {
  profiles: number;
  checks: number;
  targets: number;
  requests: number;
  ms: number;
  leftovers: number;
}

async function measure(profiles: number, matrix: MatrixMode): Promise<Measurement> {
  const store = new MemoryStore();
  const names = Array.from({ length: profiles }, (_, i) => `team-${i + 1}`);
  const identities: ProbeIdentity[] = [
    { name: "backend", role: { kind: "backend" }, port: store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"])) },
    ...names.map((name) => ({
      name,
      role: { kind: "profile", profile: name } as Role,
      port: store.portFor(within([`artifacts/${name}/`, `v2/artifacts/${name}/`])),
    })),
  ];
  const started = performance.now();
  const run = await runProbe(identities, {
    bucket: "kubeflow-pipelines",
    layout: LAYOUTS.deploykf,
    runId: "20261124T000000Z-000000000000",
    readOnly: false,
    strict: false,
    matrix,
    concurrency: 32,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 10_000,
  });
  const ms = performance.now() - started;
  const profileTargets = run.plans.filter((p) => p.role.kind === "profile").reduce((n, p) => n + p.targets.length, 0);
  return { profiles, checks: run.results.length, targets: profileTargets, requests: store.requests, ms, leftovers: store.objects.size };
}

const sizes = [1, 2, 4, 8, 16, 32];
const REPEATS = 5;

async function table(matrix: MatrixMode): Promise<void> {
  await measure(4, matrix); // warm-up: JIT and module loading out of the figures
  const rows: Measurement[] = [];
  for (const profiles of sizes) {
    const runs: Measurement[] = [];
    for (let i = 0; i < REPEATS; i += 1) runs.push(await measure(profiles, matrix));
    runs.sort((a, b) => a.ms - b.ms);
    rows.push(runs[Math.floor(REPEATS / 2)] as Measurement); // the median run
  }
  const base = rows[0] as Measurement;
  const perRequest = (r: Measurement) => r.ms / r.requests;
  console.log(`--matrix ${matrix}: the backend + P profiles, reference policies, in-memory store; median of ${REPEATS}`);
  console.log("   P  checks  profile×targets  requests  requests/(profile×target)  ms/request (vs P=1)  left");
  for (const r of rows) {
    console.log(
      `${String(r.profiles).padStart(4)}  ${String(r.checks).padStart(6)}  ${String(r.targets).padStart(15)}  ${String(r.requests).padStart(8)}  ${(r.requests / r.targets).toFixed(2).padStart(25)}  ${perRequest(r).toFixed(4).padStart(10)} (${(perRequest(r) / perRequest(base)).toFixed(2)}x)  ${String(r.leftovers).padStart(4)}`,
    );
  }
  console.log("");
}

await table("pairs");
await table("full");
