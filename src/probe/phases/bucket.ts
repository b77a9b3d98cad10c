// Phase 3a: the bucket-level checks, HeadBucket (which also tells the region and the store's
// clock) and GetBucketLocation.
import type { ResponseFacts } from "../../core/classify.js";
import { readClock } from "../../core/clock.js";
import type { Observation } from "../../core/verdict.js";
import type { ProbeIdentity, RunState } from "../run-state.js";

/** HeadBucket's answer also says where the bucket is and what time the store thinks it is. */
function withClockAndRegion(facts: ResponseFacts, observation: Observation, now = Date.now()): Observation {
  const notes: string[] = [];
  if (facts.bucketRegion) notes.push(`region ${facts.bucketRegion}`);
  const clock = readClock(facts.serverDate, now);
  if (clock) {
    const { skewSeconds } = clock;
    notes.push(`store clock ${skewSeconds >= 0 ? "+" : ""}${skewSeconds} s`);
    if (clock.tooFar) {
      return {
        ...observation,
        outcome: "error",
        errorKind: "clock-skew",
        reason: `the store's clock differs from this machine's by ${skewSeconds} s: signatures older than 15 minutes are refused`,
        detail: notes.join(", "),
      };
    }
  }
  return notes.length > 0 ? { ...observation, detail: notes.join(", ") } : observation;
}

export async function checkBucket(state: RunState, identity: ProbeIdentity): Promise<void> {
  const { port } = identity;
  const plan = state.planOf(identity);
  const [head, location] = await Promise.all([
    state.request("HeadBucket", undefined, "bucket", (s) => port.headBucket(s)),
    state.request("GetBucketLocation", undefined, "bucket", (s) => port.getBucketLocation(s)),
  ]);
  state.decide(state.checkOf(plan, null, "head-bucket"), withClockAndRegion(head.result, head.observation));
  const region = "region" in location.result ? location.result.region : undefined;
  state.decide(
    state.checkOf(plan, null, "get-bucket-location"),
    region ? { ...location.observation, detail: `location ${region}` } : location.observation,
  );
}
