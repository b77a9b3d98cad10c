// --policy-dir: the live probe and the offline evaluation side by side. Where the store decided a
// cell (allowed or denied) other than the identity's policy says it would be, the store does not
// do what its policy says: a condition it ignores, an action it does not implement, a grant that
// comes from somewhere else (a bucket policy, an ACL, an admin key).
import type { Role } from "../plan.js";
import type { CheckResult } from "../verdict.js";
import type { PolicyDocument } from "./document.js";
import { describeRequest, evaluate } from "./evaluate.js";
import { policyRequest } from "./offline.js";

export interface Disagreement {
  identity: string;
  operation: string;
  prefix: string | null;
  /** What the store did. */
  store: "allowed" | "denied";
  /** What the identity's policy says. */
  policy: "allowed" | "denied";
  /** The request as the policy sees it. */
  request: string;
}

export function disagreements(
  results: CheckResult[],
  policies: Map<string, PolicyDocument[]>,
  roles: Map<string, Role>,
  bucket: string,
): Disagreement[] {
  const found: Disagreement[] = [];
  for (const result of results) {
    const documents = policies.get(result.identity);
    const outcome = result.observation.outcome;
    // A delete the store allowed but KFP could not use (no read) is recorded as denied on purpose.
    if (!documents || (outcome !== "allowed" && outcome !== "denied") || result.cause === "delete-needs-read") continue;
    const caller = roles.get(result.identity)?.kind === "anonymous" ? "anonymous" : "identity";
    const request = policyRequest(result, bucket, caller);
    const decision = evaluate(documents, request);
    if (decision.effect === "undecided") continue;
    const policy = decision.effect === "allow" ? "allowed" : "denied";
    if (policy === outcome) continue;
    found.push({
      identity: result.identity,
      operation: result.operation,
      prefix: result.target?.prefix ?? null,
      store: outcome,
      policy,
      request: describeRequest(request),
    });
  }
  return found;
}
