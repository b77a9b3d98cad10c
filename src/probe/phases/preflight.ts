// Phase 1: one bucket-wide list per identity, a request with a body, where a wrong key, endpoint
// or bucket shows. An identity that cannot connect or authenticate sends nothing more.
import { FATAL_ERROR_KINDS } from "../../core/classify.js";
import type { Observation } from "../../core/verdict.js";
import { notRun, type ProbeIdentity, type RunState } from "../run-state.js";

/** Sends the bucket-wide list; the identity is reachable unless the answer is fatal. */
export async function preflight(state: RunState, identity: ProbeIdentity): Promise<Observation> {
  const list = await state.request("ListObjectsV2 (whole bucket)", undefined, "bucket", (s) => identity.port.listObjects("", 1, s));
  const { errorKind } = list.observation;
  // Cut off by Ctrl-C or the deadline: nothing more is sent for it either.
  if (!errorKind || (!FATAL_ERROR_KINDS.has(errorKind) && errorKind !== "aborted")) state.reachable.add(identity);
  return list.observation;
}

/** Once planned: the list-bucket check decided, and every other check not run where the identity is unreachable. */
export function recordPreflight(state: RunState, identity: ProbeIdentity, observation: Observation): void {
  const plan = state.planOf(identity);
  state.decide(state.checkOf(plan, null, "list-bucket"), observation);
  if (state.reachable.has(identity)) return;
  const skipped = notRun(`not run: ${observation.reason ?? observation.errorKind}`);
  for (const check of plan.checks) if (!state.decided.has(check)) state.decide(check, skipped);
}
