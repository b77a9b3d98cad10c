// Phase 1: one bucket-wide list per identity, a request with a body, where a wrong key, endpoint
// or bucket shows. An identity that cannot connect or authenticate sends nothing more.
import { FATAL_ERROR_KINDS } from "../../core/classify.js";
import { notRun, type ProbeIdentity, type RunState } from "../run-state.js";

export async function preflight(state: RunState, identity: ProbeIdentity): Promise<void> {
  const plan = state.planOf(identity);
  const list = await state.request("ListObjectsV2 (whole bucket)", undefined, "bucket", (s) => identity.port.listObjects("", 1, s));
  state.decide(state.checkOf(plan, null, "list-bucket"), list.observation);
  const { errorKind } = list.observation;
  if (errorKind && FATAL_ERROR_KINDS.has(errorKind)) {
    const skipped = notRun(`not run: ${list.observation.reason ?? errorKind}`);
    for (const check of plan.checks) if (!state.decided.has(check)) state.decide(check, skipped);
    return;
  }
  state.reachable.add(identity);
}
