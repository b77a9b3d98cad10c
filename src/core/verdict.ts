// Compares what a check observed with what the identity's role expects, and names the cause and
// the remedy of every verdict that is not ok (as data: words are the report's).
import { type Cause, type Finding, findingFor, type Remedy } from "./cause.js";
import type { ErrorKind, Outcome } from "./classify.js";
import type { Expectation, PlannedCheck } from "./plan.js";
import type { PolicyGrant } from "./policy/evaluate.js";
import type { Verdict } from "./verdicts.js";

/** One request made for a check, as the report shows it. */
export interface Evidence {
  request: string;
  key?: string;
  status?: number;
  errorName?: string;
}

/**
 * The evidence of a cell as expected: each request's status and error name, and the key only of
 * the last request, the one that decided it (the object a read was decided on stays named).
 */
export function compactEvidence(evidence: Evidence[]): Evidence[] {
  return evidence.map((e, i) =>
    i === evidence.length - 1 || e.key === undefined
      ? e
      : { request: e.request, ...(e.status !== undefined ? { status: e.status } : {}), ...(e.errorName ? { errorName: e.errorName } : {}) },
  );
}

export interface Observation {
  outcome: Outcome | "not-run";
  errorKind?: ErrorKind;
  reason?: string;
  /** What the answer said beyond allowed or denied (the bucket's location, the part size). */
  detail?: string;
  /** The bucket's region, where the store named it (x-amz-bucket-region). */
  bucketRegion?: string;
  /** A cause the engine knows beyond the answer (a gocloud delete, why a check was not run). */
  cause?: Cause;
  /** The bucket policy's Deny condition that refused it, where the engine found one (cause bucket-policy-condition). */
  condition?: Remedy["condition"];
  /** How long the deciding request took. */
  durationMs?: number;
  /** The policy statements that allow it, where the policies are in hand (check-policy). */
  grants?: PolicyGrant[];
  evidence: Evidence[];
}

export interface CheckResult extends PlannedCheck {
  observation: Observation;
  verdict: Verdict;
  /** Set on every verdict that is not ok. */
  cause?: Cause;
  remedy?: Remedy;
}

export interface VerdictOptions {
  /** Key-name exposure (bucket-wide or foreign ListBucket) counts as a leak. */
  strict: boolean;
}

export function judge(expectation: Expectation, observation: Observation, options: VerdictOptions): Verdict {
  switch (observation.outcome) {
    case "not-run":
      return "not-run";
    case "error":
      // A store without GetBucketLocation (R2) is fine where KFP copes without it.
      return expectation === "optional" && observation.errorKind === "not-implemented" ? "ok" : "error";
    case "ambiguous":
      return "ambiguous";
    case "allowed":
      if (expectation === "forbidden") return "leak";
      if (expectation === "exposure") return options.strict ? "leak" : "exposed";
      return "ok";
    case "denied":
      if (expectation === "required") return "missing";
      return expectation === "recommended" ? "degraded" : "ok";
  }
}

export interface AssessOptions extends VerdictOptions {
  /** For the resource ARNs of remedies. */
  bucket: string;
}

/** The cause and remedy of a verdict, from what the check observed. */
export function findingOf(check: PlannedCheck, observation: Observation, verdict: Verdict, bucket: string): Finding | undefined {
  const input = {
    check,
    ...(observation.cause ? { knownCause: observation.cause } : {}),
    ...(observation.errorKind ? { errorKind: observation.errorKind } : {}),
    ...(observation.bucketRegion ? { bucketRegion: observation.bucketRegion } : {}),
    ...(observation.grants?.length ? { grants: observation.grants } : {}),
    ...(observation.condition ? { condition: observation.condition } : {}),
  };
  return findingFor(input, verdict, bucket);
}

/** A check's verdict, with its cause and remedy where it is not ok. */
export function assess(check: PlannedCheck, observation: Observation, options: AssessOptions): CheckResult {
  const verdict = judge(check.expectation, observation, options);
  const finding = findingOf(check, observation, verdict, options.bucket);
  return { ...check, observation, verdict, ...(finding ? { cause: finding.cause, remedy: finding.remedy } : {}) };
}
