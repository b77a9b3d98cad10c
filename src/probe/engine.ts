// A run as named phases over one explicit RunState:
//   plan → preflight (one bucket-wide list per identity; an identity that cannot connect or
//   authenticate sends nothing more) → seed (objects that exist, for reads and deletes on
//   prefixes a profile must not reach) → check (bucket, each prefix, uploads) → clean up (always,
//   also after an abort or an exception) → collect.
// The engine only composes them; each phase is a module in ./phases/.
import { unownedProfileName } from "../core/layout.js";
import { type IdentityPlan, planFor, type RunContext } from "../core/plan.js";
import { assess, type CheckResult } from "../core/verdict.js";
import { Ledger } from "./ledger.js";
import { checkBucket } from "./phases/bucket.js";
import { checkPrefix } from "./phases/check-prefix.js";
import { type CleanupReport, removeCreated } from "./phases/cleanup.js";
import { preflight } from "./phases/preflight.js";
import { plantSeeds } from "./phases/seed.js";
import { uploadsFor } from "./phases/uploads.js";
import { notRun, type ProbeIdentity, type ProbeOptions, RunState } from "./run-state.js";

export type { CleanupReport } from "./phases/cleanup.js";
export type { ProbeIdentity, ProbeOptions } from "./run-state.js";

export interface ProbeRun {
  plans: IdentityPlan[];
  results: CheckResult[];
  cleanup: CleanupReport;
}

/** What each identity is tried for, given who else is in the run. */
export function planRun(identities: ProbeIdentity[], options: ProbeOptions): IdentityPlan[] {
  const context: RunContext = {
    profilesInRun: identities.flatMap((i) => (i.role.kind === "profile" ? [i.role.profile] : [])),
    unownedProfile: unownedProfileName(options.runId),
    uploads: !options.readOnly,
    multipart: options.multipart !== false,
  };
  return identities.map((identity) => planFor(identity.name, identity.role, options.layout, context));
}

async function checkIdentity(state: RunState, identity: ProbeIdentity): Promise<void> {
  const { targets } = state.planOf(identity);
  await Promise.all([
    checkBucket(state, identity),
    ...targets.map((target) => checkPrefix(state, identity, target)),
    ...targets.map((target) => uploadsFor(state, identity, target)),
  ]);
}

async function check(state: RunState): Promise<void> {
  await Promise.all(state.identities.filter((i) => state.reachable.has(i)).map((identity) => checkIdentity(state, identity)));
}

/** Every planned check, in plan order; one never decided (a cut-short run) is "not run". */
function collect(state: RunState): CheckResult[] {
  const { strict, bucket } = state.options;
  return state.plans.flatMap((plan) =>
    plan.checks.map((c) => state.decided.get(c) ?? assess(c, notRun("not run", "interrupted"), { strict, bucket })),
  );
}

export async function runProbe(identities: ProbeIdentity[], options: ProbeOptions, ledger = new Ledger()): Promise<ProbeRun> {
  const state = new RunState(identities, planRun(identities, options), options, ledger);
  let cleanup: CleanupReport;
  try {
    await Promise.all(identities.map((identity) => preflight(state, identity)));
    await plantSeeds(state);
    await check(state);
  } finally {
    cleanup = await removeCreated(ledger, options);
  }
  return { plans: state.plans, results: collect(state), cleanup };
}
