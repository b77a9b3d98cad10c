// Objects to read, beside the seeds and the checks: for each prefix an identity must not reach, one
// object KFP stored there (one ListObjectsV2 with MaxKeys=1, past the probe's own namespace, by an
// identity that may list), so that reads there are decided on an object that exists. What the run
// writes meanwhile lies in that namespace, so it is never the object found. Nothing is read whole,
// nothing printed.
import { afterProbeNamespace } from "../../core/layout.js";
import type { Evidence } from "../../core/verdict.js";
import type { RunState } from "../run-state.js";

/** Prefixes of others (other profiles, pipelines/) that someone in the run is tried against. */
function foreignPrefixes(state: RunState): string[] {
  const prefixes = state
    .proberPlans()
    .flatMap((plan) =>
      plan.role.kind === "backend" ? [] : plan.targets.filter((t) => t.relation === "foreign" || t.relation === "backend-only").map((t) => t.prefix),
    );
  return [...new Set(prefixes)];
}

async function findOne(state: RunState, prefix: string): Promise<void> {
  const reasons: string[] = [];
  for (const lister of state.listers()) {
    const list = await state.request(`ListObjectsV2 prefix=${prefix} max-keys=1 (an object to read)`, undefined, "bucket", (s) =>
      lister.port.listObjects(prefix, 1, s, { startAfter: afterProbeNamespace(prefix) }),
    );
    if (list.observation.outcome !== "allowed") {
      reasons.push(`${lister.name} may not list it`);
      continue;
    }
    const key = "keys" in list.result ? list.result.keys?.find((k) => k.startsWith(prefix)) : undefined;
    if (key) state.realObjects.set(prefix, { key, evidence: list.observation.evidence[0] as Evidence });
    else state.realObjectless.set(prefix, `no object stored under ${prefix} (listed by ${lister.name})`);
    return;
  }
  state.realObjectless.set(prefix, reasons.length > 0 ? reasons.join(", ") : "no identity in the run may list");
}

/** Each search is in `state.finding` as soon as this is called, for the checks that wait on it. */
export async function findRealObjects(state: RunState): Promise<void> {
  for (const prefix of foreignPrefixes(state)) state.finding.set(prefix, findOne(state, prefix));
  await Promise.all(state.finding.values());
}
