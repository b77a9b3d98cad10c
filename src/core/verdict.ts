// Compares what a check observed with what the identity's role expects, and says what to fix.
import type { ErrorKind, Outcome } from "./classify.js";
import type { Expectation, Operation, PlannedCheck } from "./plan.js";

/** degraded: a recommended right is missing; KFP works, but leaves debris (no failure). */
export type Verdict = "ok" | "missing" | "leak" | "exposed" | "degraded" | "ambiguous" | "error" | "not-run";

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
  /** What the answer said beyond allowed or denied (the bucket's location, the part size). */
  detail?: string;
  /** The bucket's region, where the store named it (x-amz-bucket-region). */
  bucketRegion?: string;
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

export const IAM_ACTION: Record<Operation, string> = {
  "head-bucket": "s3:ListBucket",
  "get-bucket-location": "s3:GetBucketLocation",
  "list-bucket": "s3:ListBucket",
  list: "s3:ListBucket",
  put: "s3:PutObject",
  head: "s3:GetObject",
  get: "s3:GetObject",
  delete: "s3:DeleteObject",
  multipart: "s3:PutObject",
  "abort-multipart": "s3:AbortMultipartUpload",
  "put-checksum": "s3:PutObject",
};

/** What a hint may need to know beyond the check. */
export interface HintContext {
  bucket: string;
  /** The endpoint is https://. */
  tls: boolean;
}

function errorHint(observation: Observation, context: HintContext): string {
  switch (observation.errorKind ?? "unexpected") {
    case "connection":
      return `check --endpoint (host and port) and that the store is reachable from here${context.tls ? "" : "; if the store speaks TLS, use https://"}`;
    case "dns":
      return "check the host name in --endpoint (with virtual-hosted addressing the bucket name is part of it: try --path-style)";
    case "tls":
      return context.tls
        ? "the store's certificate is not trusted: --ca-bundle FILE adds your CA to the public roots (--insecure-skip-tls-verify only to diagnose); if the store speaks plain HTTP, use http://"
        : "the endpoint did not answer plain HTTP: if it speaks TLS, use https:// in --endpoint";
    case "timeout":
      return "the store did not answer in --request-timeout; check the endpoint, a proxy, or raise the timeout";
    case "signature":
      return "the secret key does not match the access key id: check AWS_SECRET_ACCESS_KEY (or a proxy rewrites the Host header or the port: use the --endpoint the store sees)";
    case "unknown-key":
      return "the store does not know this access key id: check the identity's AWS_ACCESS_KEY_ID";
    case "expired-token":
      return "the session token has expired: refresh the credentials (AWS_SESSION_TOKEN, or the IRSA token)";
    case "clock-skew":
      return "set this machine's clock right (NTP): signatures are only valid for 15 minutes";
    case "region":
      return observation.bucketRegion ? `set --region ${observation.bucketRegion}` : "set --region to the bucket's region";
    case "no-such-bucket":
      return "check --bucket: the bucket does not exist on this endpoint (or try the other addressing style: --path-style / --no-path-style)";
    case "addressing":
      return "this store needs virtual-hosted addressing: --no-path-style";
    case "key-exists":
      return "a probe key already existed and was left untouched: rerun, and the new run id gives new keys";
    case "not-implemented":
      return "the store does not implement this request, and KFP needs it: check --provider and the store's S3 compatibility, or use a store that implements it";
    case "throttled":
      return "the store kept asking to slow down after retries with backoff; rerun later or lower --concurrency";
    case "server":
      return "the store failed after 3 tries with backoff: check its logs and health, then rerun; raise --request-timeout if it is only slow";
    case "aborted":
      return "the run was cancelled before this check answered: rerun, with a larger --timeout if the deadline cut it";
    default:
      return "the store answered something the probe does not know: see the evidence (--output json shows every request, status and error name)";
  }
}

function resourceOf(check: PlannedCheck, bucket: string): string {
  if (check.target === null || check.operation === "list") return `arn:aws:s3:::${bucket}`;
  return `arn:aws:s3:::${bucket}/${check.target.prefix}*`;
}

export function hintFor(check: PlannedCheck, observation: Observation, verdict: Verdict, context: HintContext): string | undefined {
  const { bucket } = context;
  const action = IAM_ACTION[check.operation];
  const resource = resourceOf(check, bucket);
  switch (verdict) {
    case "missing":
      if (check.operation === "multipart") {
        return `grant s3:PutObject on ${resource}: CreateMultipartUpload, UploadPart and CompleteMultipartUpload need it, and KFP uploads artifacts above 8 MiB (v2) or 16 MiB (Argo) in parts`;
      }
      if (check.operation === "delete" && observation.reason?.includes("gocloud")) {
        return `grant s3:GetObject on ${resource}: KFP deletes through gocloud, which sends HeadObject first`;
      }
      if (check.operation === "list-bucket" && !context.tls) {
        return `grant ${action} on ${resource}; over plain HTTP, a bucket policy that requires aws:SecureTransport also answers 403: try https://`;
      }
      return `grant ${action} on ${resource}${check.operation === "list" ? ` (with s3:prefix "${check.target?.prefix}*" at least)` : ""}`;
    case "degraded":
      return `grant s3:AbortMultipartUpload on ${resource} (the reference policies do not): an upload that fails half-way leaves its parts behind, stored and billed; or add a lifecycle rule with AbortIncompleteMultipartUpload`;
    case "leak":
      if (check.expectation === "exposure") return exposureHint(check, bucket);
      return `remove ${action} on ${resource} from this identity's policy (check wildcards such as "*" or a resource without its trailing slash)`;
    case "exposed":
      return exposureHint(check, bucket);
    case "error":
      if (check.operation === "put-checksum" && (observation.errorKind === "not-implemented" || observation.errorKind === "unexpected")) {
        return "this store rejects uploads with a CRC32 checksum (x-amz-checksum-crc32), which KFP v2's launcher sends: v2 artifact uploads will fail here; update the store to one that accepts it";
      }
      return errorHint(observation, context);
    case "ambiguous":
      return check.operation === "head" || check.operation === "get"
        ? "reads are decided on objects that exist: add the prefix's owner or the backend to the run, so that it can write one"
        : undefined;
    default:
      return undefined;
  }
}

function exposureHint(check: PlannedCheck, bucket: string): string {
  const where = check.target ? `key names under ${check.target.prefix}` : "every key name in the bucket";
  return `this identity can list ${where}; to close it, grant s3:ListBucket on arn:aws:s3:::${bucket} only with a Condition StringLike s3:prefix on the profile's own prefixes`;
}
