// Compares what a check observed with what the identity's role expects, and says what to fix.
import type { ErrorKind, Outcome } from "./classify.js";
import type { Expectation, Operation, PlannedCheck } from "./plan.js";

export type Verdict = "ok" | "missing" | "leak" | "exposed" | "ambiguous" | "error" | "not-run";

/** One request made for a check, as the report shows it. */
export interface Evidence {
  request: string;
  key?: string;
  status?: number;
  errorName?: string;
}

export interface Observation {
  outcome: Outcome | "not-run";
  errorKind?: ErrorKind;
  reason?: string;
  /** What the answer said beyond allowed or denied (the bucket's location). */
  detail?: string;
  evidence: Evidence[];
}

export interface CheckResult extends PlannedCheck {
  observation: Observation;
  verdict: Verdict;
  hint?: string;
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
      return "error";
    case "ambiguous":
      return "ambiguous";
    case "allowed":
      if (expectation === "forbidden") return "leak";
      if (expectation === "exposure") return options.strict ? "leak" : "exposed";
      return "ok";
    case "denied":
      return expectation === "required" ? "missing" : "ok";
  }
}

export const IAM_ACTION: Record<Operation, string> = {
  "head-bucket": "s3:ListBucket",
  "get-bucket-location": "s3:GetBucketLocation",
  "list-bucket": "s3:ListBucket",
  list: "s3:ListBucket",
  put: "s3:PutObject",
  head: "s3:GetObject",
  get: "s3:GetObject",
  delete: "s3:DeleteObject",
};

const ERROR_HINTS: Record<ErrorKind, string> = {
  connection: "check --endpoint (host and port) and that the store is reachable from here",
  dns: "check the host name in --endpoint",
  tls: "for a private CA pass its certificate with NODE_EXTRA_CA_CERTS=FILE; for a plain-HTTP store use http:// in --endpoint",
  timeout: "the store did not answer in --request-timeout; check the endpoint, a proxy, or raise the timeout",
  signature: "the secret key does not match the access key id (or a proxy rewrites the Host header or port)",
  "unknown-key": "the store does not know this access key id: check the identity's AWS_ACCESS_KEY_ID",
  "expired-token": "the session token has expired: refresh the credentials (AWS_SESSION_TOKEN)",
  "clock-skew": "set this machine's clock right (NTP): signatures are only valid for 15 minutes",
  region: "set --region to the bucket's region",
  "no-such-bucket": "check --bucket: the bucket does not exist on this endpoint",
  "key-exists": "a probe key already existed and was left untouched: rerun (a new run id)",
  "not-implemented": "the store does not implement this request; KFP needs it if it is required",
  throttled: "the store is overloaded or rate-limits this identity; rerun later or lower --concurrency",
  server: "the store failed; check its logs",
  aborted: "the run was cancelled before this check answered",
  unexpected: "see the evidence; the store answered something the probe does not know",
};

function resourceOf(check: PlannedCheck, bucket: string): string {
  if (check.target === null || check.operation === "list") return `arn:aws:s3:::${bucket}`;
  return `arn:aws:s3:::${bucket}/${check.target.prefix}*`;
}

export function hintFor(check: PlannedCheck, observation: Observation, verdict: Verdict, bucket: string): string | undefined {
  const action = IAM_ACTION[check.operation];
  const resource = resourceOf(check, bucket);
  switch (verdict) {
    case "missing":
      return `grant ${action} on ${resource}${check.operation === "list" ? ` (with s3:prefix "${check.target?.prefix}*" at least)` : ""}`;
    case "leak":
      if (check.expectation === "exposure") return exposureHint(check, bucket);
      return `remove ${action} on ${resource} from this identity's policy (check wildcards such as "*" or a resource without its trailing slash)`;
    case "exposed":
      return exposureHint(check, bucket);
    case "error":
      return observation.errorKind ? ERROR_HINTS[observation.errorKind] : undefined;
    case "ambiguous":
      return check.operation === "head" || check.operation === "get"
        ? "reads are decided on objects that exist: run with keys that can write here, or where KFP has stored objects"
        : undefined;
    default:
      return undefined;
  }
}

function exposureHint(check: PlannedCheck, bucket: string): string {
  const where = check.target ? `key names under ${check.target.prefix}` : "every key name in the bucket";
  return `this identity can list ${where}; to close it, grant s3:ListBucket on arn:aws:s3:::${bucket} only with a Condition StringLike s3:prefix on the profile's own prefixes`;
}
