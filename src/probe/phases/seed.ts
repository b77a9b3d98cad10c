// Phase 2: seeds. For each prefix a profile must not reach, an object written there by its owner
// or the backend, so that reads and deletes are decided on an object that exists.
import { canaryKey } from "../../core/layout.js";
import type { Target } from "../../core/plan.js";
import type { Evidence } from "../../core/verdict.js";
import { canaryBody, type ProbeIdentity, type RunState } from "../run-state.js";

async function plantSeed(state: RunState, prober: ProbeIdentity, target: Target): Promise<void> {
  const seeders = [state.identityOwning(target.owner), state.backend()].filter((s): s is ProbeIdentity => s !== undefined && s !== prober);
  if (seeders.length === 0) {
    state.seedless.set(target, `no ${target.owner ? `identity of ${target.owner} and no ` : ""}backend in this run to plant an object to read`);
    return;
  }
  const { runId } = state.options;
  const key = canaryKey(target.prefix, runId, `seed-for-${prober.name}`);
  const body = canaryBody(runId, `seed for ${prober.name}`);
  for (const seeder of seeders) {
    const { entry, put } = await state.writeProbeObject(seeder, target, key, body, `PutObject (seed, as ${seeder.name})`);
    if (entry) {
      state.seeds.set(target, { entry, body, evidence: put.observation.evidence[0] as Evidence });
      return;
    }
  }
  state.seedless.set(target, `${seeders.map((s) => s.name).join(" and ")} could not write an object here to read`);
}

/** Seeds every prefix of other owners that a reachable profile is tried against. */
export async function plantSeeds(state: RunState): Promise<void> {
  if (state.options.readOnly) return;
  const probers = state.identities.filter((prober) => prober.role.kind === "profile" && state.reachable.has(prober));
  await Promise.all(
    probers.flatMap((prober) =>
      state
        .planOf(prober)
        .targets.filter((t) => t.relation !== "own")
        .map((t) => plantSeed(state, prober, t)),
    ),
  );
}
