// Seeds, beside the checks (each check waits only for its own prefix's seed). For each prefix a
// profile must not reach, an object written there by its owner or the backend, so that reads (and,
// with --matrix full, deletes) are decided on an object that exists, and a conditional write can be
// tried on it without writing anything.
import { canaryKey } from "../../core/layout.js";
import type { Target } from "../../core/plan.js";
import type { Evidence } from "../../core/verdict.js";
import { settled } from "../pool.js";
import type { ProbeIdentity, RunState } from "../run-state.js";

async function plantSeed(state: RunState, prober: ProbeIdentity, target: Target): Promise<void> {
  const slot = state.seedSlot(target);
  const seeders = [state.identityOwning(target.owner), state.backend()].filter((s): s is ProbeIdentity => s !== undefined && s !== prober);
  if (seeders.length === 0) {
    state.seedless.set(slot, `no ${target.owner ? `identity of ${target.owner} and no ` : ""}backend in this run to plant an object to read`);
    return;
  }
  const spare = state.spareObject;
  if (spare && spare.prefix === target.prefix && seeders.includes(spare.writer)) {
    state.spareObject = undefined;
    state.seeds.set(slot, spare);
    return;
  }
  const { runId } = state.options;
  const forWhom = typeof slot === "string" ? "every prober" : prober.name;
  const key = canaryKey(target.prefix, runId, typeof slot === "string" ? "seed" : `seed-for-${prober.name}`);
  const body = state.canaryBody(`seed for ${forWhom}`);
  for (const seeder of seeders) {
    const { entry, put } = await state.writeProbeObject(seeder, target, key, body, `PutObject (seed, as ${seeder.name})`);
    if (entry) {
      state.seeds.set(slot, { entry, body, evidence: put.observation.evidence[0] as Evidence });
      return;
    }
  }
  state.seedless.set(slot, `${seeders.map((s) => s.name).join(" and ")} could not write an object here to read`);
}

/**
 * Seeds every prefix of other owners that a reachable profile is tried against, and every prefix
 * the anonymous caller is (a profile's own, pipelines/, nobody's: an object its owner or the backend
 * wrote, so that a public read there is decided even with one profile in the run): once per seed
 * slot. Each seed is in `state.seeding` as soon as this is called, for the checks that wait on it.
 */
export async function plantSeeds(state: RunState): Promise<void> {
  if (state.options.readOnly) return;
  const planted = state.seeding;
  const probers = state.probers().filter((prober) => prober.role.kind !== "backend" && state.reachable.has(prober));
  for (const prober of probers) {
    for (const target of state.planOf(prober).targets) {
      const slot = state.seedSlot(target);
      const wanted = prober.role.kind === "anonymous" || target.relation !== "own";
      if (wanted && !planted.has(slot)) planted.set(slot, plantSeed(state, prober, target));
    }
  }
  await settled([...planted.values()]);
}
