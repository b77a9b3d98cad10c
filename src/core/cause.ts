// Why a check is not ok, and what to change, as data: a cause code from a small closed set and a
// structured remedy. Every output format renders these; nothing decides on a sentence.
import type { ErrorKind } from "./classify.js";
import { type IamAction, OPERATIONS } from "./operations.js";
import type { PlannedCheck } from "./plan.js";

export const CAUSES = [
  // The identity's policy
  "missing-action",
  "delete-needs-read",
  "recommended-action",
  "grant-too-wide",
  "key-names-listable",
  // The bucket's own policy, ACL or public-access setting
  "public-access",
  // What could not be decided or was not run
  "no-object-to-read",
  "undecided-answer",
  "policy-not-evaluated",
  "not-run",
  // The store, the connection, the keys
  "checksum-rejected",
  "unreachable",
  "dns",
  "tls-mismatch",
  "timeout",
  "wrong-secret",
  "unknown-key",
  "expired-token",
  "clock-skew",
  "wrong-region",
  "no-such-bucket",
  "addressing-style",
  "key-exists",
  "not-implemented",
  "throttled",
  "store-failure",
  "interrupted",
  "unexpected-answer",
] as const;
export type Cause = (typeof CAUSES)[number];

/** Where the change belongs. */
type RemedyPlace = "identity-policy" | "bucket-policy" | "secret" | "store-setting" | "flag" | "machine" | "none";

export interface Remedy {
  where: RemedyPlace;
  /** grant or remove IAM actions; restrict a grant with a condition; set or check a setting; rerun. */
  change: "grant" | "remove" | "restrict" | "set" | "check" | "rerun";
  /** IAM actions to grant or remove. */
  actions?: IamAction[];
  /** The resource ARN the actions apply to. */
  resource?: string;
  /** Flags, variables or settings to change (--region, AWS_SECRET_ACCESS_KEY, ...). */
  settings?: string[];
  /** The value to set, where the probe knows it (the bucket's region). */
  value?: string;
  /** The condition that restricts a grant (s3:prefix on ListBucket). */
  condition?: { operator: "StringLike"; key: "s3:prefix"; values: string[] };
}

export interface Finding {
  cause: Cause;
  remedy: Remedy;
}

const ERROR_FINDINGS: Record<ErrorKind, Finding> = {
  connection: { cause: "unreachable", remedy: { where: "flag", change: "check", settings: ["--endpoint"] } },
  dns: { cause: "dns", remedy: { where: "flag", change: "check", settings: ["--endpoint", "--path-style"] } },
  tls: { cause: "tls-mismatch", remedy: { where: "flag", change: "set", settings: ["--endpoint", "--ca-bundle"] } },
  timeout: { cause: "timeout", remedy: { where: "flag", change: "check", settings: ["--endpoint", "--request-timeout"] } },
  signature: { cause: "wrong-secret", remedy: { where: "secret", change: "check", settings: ["AWS_SECRET_ACCESS_KEY"] } },
  "unknown-key": { cause: "unknown-key", remedy: { where: "secret", change: "check", settings: ["AWS_ACCESS_KEY_ID"] } },
  "expired-token": { cause: "expired-token", remedy: { where: "secret", change: "check", settings: ["AWS_SESSION_TOKEN"] } },
  "clock-skew": { cause: "clock-skew", remedy: { where: "machine", change: "set", settings: ["NTP"] } },
  region: { cause: "wrong-region", remedy: { where: "flag", change: "set", settings: ["--region"] } },
  "no-such-bucket": { cause: "no-such-bucket", remedy: { where: "flag", change: "check", settings: ["--bucket", "--path-style"] } },
  addressing: { cause: "addressing-style", remedy: { where: "flag", change: "set", settings: ["--no-path-style"] } },
  "key-exists": { cause: "key-exists", remedy: { where: "none", change: "rerun" } },
  "not-implemented": { cause: "not-implemented", remedy: { where: "store-setting", change: "check", settings: ["--provider"] } },
  throttled: { cause: "throttled", remedy: { where: "flag", change: "rerun", settings: ["--concurrency"] } },
  server: { cause: "store-failure", remedy: { where: "store-setting", change: "check", settings: ["--request-timeout"] } },
  aborted: { cause: "interrupted", remedy: { where: "flag", change: "rerun", settings: ["--timeout"] } },
  unexpected: { cause: "unexpected-answer", remedy: { where: "none", change: "check", settings: ["--output json"] } },
};

/** The operation's IAM resource: the bucket for bucket requests and listings, else the objects under the prefix. */
function resourceOf(check: PlannedCheck, bucket: string): string {
  if (check.target === null || OPERATIONS[check.operation].resource !== "object") return `arn:aws:s3:::${bucket}`;
  return `arn:aws:s3:::${bucket}/${check.target.prefix}*`;
}

/** ListBucket limited to the profile's own prefixes, which hides every other key name. */
function listRestriction(bucket: string): Remedy {
  return {
    where: "identity-policy",
    change: "restrict",
    actions: ["s3:ListBucket"],
    resource: `arn:aws:s3:::${bucket}`,
    condition: { operator: "StringLike", key: "s3:prefix", values: ["<own prefixes>"] },
  };
}

function errorFinding(errorKind: ErrorKind | undefined, bucketRegion?: string): Finding {
  const finding = ERROR_FINDINGS[errorKind ?? "unexpected"];
  return errorKind === "region" && bucketRegion ? { ...finding, remedy: { ...finding.remedy, value: bucketRegion } } : finding;
}

function grantFinding(check: PlannedCheck, cause: Cause, bucket: string): Finding {
  // gocloud's delete reads first: the grant it lacks is HeadObject's.
  const action = OPERATIONS[cause === "delete-needs-read" ? "head" : check.operation].action;
  const grant: Remedy = { where: "identity-policy", change: "grant", actions: [action], resource: resourceOf(check, bucket) };
  if (OPERATIONS[check.operation].resource === "listing" && check.target)
    grant.condition = { operator: "StringLike", key: "s3:prefix", values: [`${check.target.prefix}*`] };
  return { cause, remedy: grant };
}

/** Anyone can do it: the fix is the bucket's policy, ACL or public-access setting, never an identity's policy. */
export function publicFinding(check: PlannedCheck, bucket: string): Finding {
  return {
    cause: "public-access",
    remedy: {
      where: "bucket-policy",
      change: "remove",
      actions: [OPERATIONS[check.operation].action],
      resource: resourceOf(check, bucket),
      settings: ['Principal "*"', "public ACL", "Block Public Access (AWS)", "anonymous policy (MinIO)"],
    },
  };
}

export interface FindingInput {
  check: PlannedCheck;
  /** What the engine already knows of the cause (a gocloud delete, a check not run). */
  knownCause?: Cause;
  errorKind?: ErrorKind;
  bucketRegion?: string;
}

/** The cause and remedy of a verdict that is not ok; undefined for ok. */
export function findingFor(input: FindingInput, verdict: string, bucket: string): Finding | undefined {
  const { check } = input;
  switch (verdict) {
    case "missing":
      return grantFinding(check, input.knownCause === "delete-needs-read" ? "delete-needs-read" : "missing-action", bucket);
    case "degraded":
      return grantFinding(check, "recommended-action", bucket);
    case "leak":
      if (input.knownCause === "public-access") return publicFinding(check, bucket);
      if (check.expectation === "exposure") return { cause: "key-names-listable", remedy: listRestriction(bucket) };
      return {
        cause: "grant-too-wide",
        remedy: { where: "identity-policy", change: "remove", actions: [OPERATIONS[check.operation].action], resource: resourceOf(check, bucket) },
      };
    case "exposed":
      return { cause: "key-names-listable", remedy: listRestriction(bucket) };
    case "error":
      if (check.operation === "put-checksum" && (input.errorKind === "not-implemented" || input.errorKind === "unexpected")) {
        return { cause: "checksum-rejected", remedy: { where: "store-setting", change: "check", settings: ["x-amz-checksum-crc32"] } };
      }
      return errorFinding(input.errorKind, input.bucketRegion);
    case "ambiguous":
      if (input.knownCause === "policy-not-evaluated")
        return { cause: "policy-not-evaluated", remedy: { where: "identity-policy", change: "check" } };
      if (OPERATIONS[check.operation].action === "s3:GetObject") return { cause: "no-object-to-read", remedy: { where: "none", change: "rerun" } };
      return { cause: "undecided-answer", remedy: { where: "none", change: "check" } };
    case "not-run":
      return { cause: input.knownCause ?? "not-run", remedy: { where: "none", change: "rerun" } };
    default:
      return undefined;
  }
}
