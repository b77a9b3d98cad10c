// check-policy: the probe's plan decided by the evaluator instead of a store. Each planned check
// becomes the request KFP would send (action, resource ARN, s3:prefix), and the decision becomes
// the observation the live probe would have made, judged by the same assess().
import { canaryKey, type KeyLayout, profileAreaRoots } from "../layout.js";
import { OPERATIONS } from "../operations.js";
import type { PlannedCheck, Role } from "../plan.js";
import { assess, type CheckResult, type Observation } from "../verdict.js";
import type { PolicyDocument } from "./document.js";
import { allowingStatements, describeRequest, evaluate, type PolicyRequest } from "./evaluate.js";

export const OFFLINE_RUN_ID = "offline";

/** The request the live probe sends for a check, as IAM sees it: its row's action, on its row's resource. */
export function policyRequest(check: PlannedCheck, bucket: string, caller: PolicyRequest["caller"]): PolicyRequest {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const { action, resource } = OPERATIONS[check.operation];
  const prefix = check.target?.prefix ?? "";
  switch (resource) {
    case "bucket":
      return { action, resource: bucketArn, context: {}, caller };
    case "listing":
      return { action, resource: bucketArn, context: { "s3:prefix": prefix }, caller };
    case "object":
      return { action, resource: `${bucketArn}/${canaryKey(prefix, OFFLINE_RUN_ID, check.identity)}`, context: {}, caller };
  }
}

function observationOf(check: PlannedCheck, documents: PolicyDocument[], bucket: string, role: Role): Observation {
  const request = policyRequest(check, bucket, role.kind === "anonymous" ? "anonymous" : "identity");
  const decision = evaluate(documents, request);
  const evidence = [{ request: `${describeRequest(request)} (offline)` }];
  if (decision.effect === "undecided") return { outcome: "ambiguous", reason: decision.reason, cause: "policy-not-evaluated", evidence };
  const reason = decision.effect === "explicit-deny" ? "an explicit Deny" : undefined;
  // What the anonymous caller may do, anyone may: as live, the bucket's policy grants it.
  const cause = decision.effect === "allow" && role.kind === "anonymous" ? { cause: "public-access" as const } : {};
  // What allows it, for a finding to name: the statements, not the cell the probe made up.
  const grants = decision.effect === "allow" ? { grants: allowingStatements(documents, request) } : {};
  return { outcome: decision.effect === "allow" ? "allowed" : "denied", ...(reason ? { reason } : {}), ...cause, ...grants, evidence };
}

/** Every check of a plan, decided offline against the identity's documents (and the bucket's policy). */
export function decideOffline(
  checks: PlannedCheck[],
  role: Role,
  documents: PolicyDocument[],
  options: { bucket: string; strict: boolean },
): CheckResult[] {
  return checks.map((check) => assess(check, observationOf(check, documents, options.bucket, role), options));
}

/**
 * The other profiles a policy names outside the identity's own prefixes (a grant on one named other
 * team must be tried offline too): the first path segment after each profile root in its ARNs.
 */
export function profilesNamedIn(documents: PolicyDocument[], layout: KeyLayout, bucket: string): string[] {
  const names = new Set<string>();
  const arns = documents.flatMap((d) => d.statements.flatMap((s) => [...(s.resource ?? []), ...(s.notResource ?? [])]));
  for (const arn of arns) {
    const key = arn.startsWith(`arn:aws:s3:::${bucket}/`) ? arn.slice(`arn:aws:s3:::${bucket}/`.length) : undefined;
    if (key === undefined) continue;
    for (const root of profileAreaRoots(layout)) {
      const name = key.startsWith(root) ? key.slice(root.length).split("/")[0] : undefined;
      if (name && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) names.add(name);
    }
  }
  return [...names].sort();
}
