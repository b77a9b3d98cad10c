// Why a check is not ok, and what to change, as data: a cause code from a small closed set and a
// structured remedy. Every output format renders these; nothing decides on a sentence.
import type { ErrorKind } from "./classify.js";
import { type IamAction, OPERATIONS } from "./operations.js";
import type { PlannedCheck } from "./plan.js";
import type { PolicyGrant } from "./policy/evaluate.js";
import type { Verdict } from "./verdicts.js";

interface CauseRow {
  /** The verdicts a check with this cause can have (docs/report-schema.md's table, which a test holds to this). */
  verdicts: readonly Verdict[];
  /** Where the change belongs and what change it is; the settings to change, where they do not depend on the check. */
  remedy: { where: RemedyPlace; change: Remedy["change"]; settings?: readonly string[] };
}

/** Every cause, with its remedy's shape; the words of each are the report's (src/report/hint.ts). */
const CAUSE_ROWS = {
  // The identity's policy
  "missing-action": { verdicts: ["missing"], remedy: { where: "identity-policy", change: "grant" } },
  "delete-needs-read": { verdicts: ["missing"], remedy: { where: "identity-policy", change: "grant" } },
  "recommended-action": { verdicts: ["degraded"], remedy: { where: "identity-policy", change: "grant" } },
  "grant-too-wide": { verdicts: ["leak"], remedy: { where: "identity-policy", change: "remove" } },
  "key-names-listable": { verdicts: ["exposed", "leak"], remedy: { where: "identity-policy", change: "restrict" } },
  // The bucket's own policy, ACL or public-access setting
  "public-access": {
    verdicts: ["leak"],
    remedy: {
      where: "bucket-policy",
      change: "remove",
      settings: ['Principal "*"', "public ACL", "Block Public Access (AWS)", "anonymous policy (MinIO)"],
    },
  },
  // What could not be decided or was not run
  "no-object-to-read": { verdicts: ["ambiguous"], remedy: { where: "none", change: "rerun" } },
  "undecided-answer": { verdicts: ["ambiguous"], remedy: { where: "none", change: "check" } },
  "policy-not-evaluated": { verdicts: ["ambiguous"], remedy: { where: "identity-policy", change: "check" } },
  "not-run": { verdicts: ["not-run"], remedy: { where: "none", change: "rerun" } },
  // The store, the connection, the keys
  "checksum-rejected": { verdicts: ["error"], remedy: { where: "store-setting", change: "check", settings: ["x-amz-checksum-crc32"] } },
  unreachable: { verdicts: ["error"], remedy: { where: "flag", change: "check", settings: ["--endpoint"] } },
  dns: { verdicts: ["error"], remedy: { where: "flag", change: "check", settings: ["--endpoint", "--path-style"] } },
  "tls-mismatch": { verdicts: ["error"], remedy: { where: "flag", change: "set", settings: ["--endpoint", "--ca-bundle"] } },
  "plain-http": { verdicts: ["error"], remedy: { where: "flag", change: "set", settings: ["--endpoint"] } },
  timeout: { verdicts: ["error"], remedy: { where: "flag", change: "check", settings: ["--endpoint", "--request-timeout"] } },
  "wrong-secret": { verdicts: ["error"], remedy: { where: "secret", change: "check", settings: ["AWS_SECRET_ACCESS_KEY"] } },
  "unknown-key": { verdicts: ["error"], remedy: { where: "secret", change: "check", settings: ["AWS_ACCESS_KEY_ID"] } },
  "expired-token": { verdicts: ["error"], remedy: { where: "secret", change: "check", settings: ["AWS_SESSION_TOKEN"] } },
  "clock-skew": { verdicts: ["error"], remedy: { where: "machine", change: "set", settings: ["NTP"] } },
  "request-mangled": { verdicts: ["error"], remedy: { where: "store-setting", change: "check", settings: ["proxy", "URL encoding"] } },
  "credential-chain": {
    verdicts: ["error"],
    remedy: { where: "secret", change: "check", settings: ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL_STS"] },
  },
  "wrong-region": { verdicts: ["error"], remedy: { where: "flag", change: "set", settings: ["--region"] } },
  "no-such-bucket": { verdicts: ["error"], remedy: { where: "flag", change: "check", settings: ["--bucket", "--path-style"] } },
  "addressing-style": { verdicts: ["error"], remedy: { where: "flag", change: "set", settings: ["--no-path-style"] } },
  "key-exists": { verdicts: ["error", "not-run"], remedy: { where: "none", change: "rerun" } },
  "not-implemented": { verdicts: ["error"], remedy: { where: "store-setting", change: "check", settings: ["--provider"] } },
  throttled: { verdicts: ["error"], remedy: { where: "flag", change: "rerun", settings: ["--concurrency"] } },
  "store-failure": { verdicts: ["error"], remedy: { where: "store-setting", change: "check", settings: ["--request-timeout"] } },
  interrupted: { verdicts: ["error", "not-run"], remedy: { where: "flag", change: "rerun", settings: ["--timeout"] } },
  "unexpected-answer": { verdicts: ["error"], remedy: { where: "none", change: "check", settings: ["--output json"] } },
  // What KFP meets on this bucket (issue 22): a write or read refused beyond the identity's S3 grant
  "kms-denied": { verdicts: ["missing"], remedy: { where: "identity-policy", change: "grant" } },
  "bucket-policy-condition": { verdicts: ["missing"], remedy: { where: "bucket-policy", change: "check" } },
  // The bucket's settings (findings of the bucket, not of a check)
  "versions-kept": {
    verdicts: [],
    remedy: { where: "store-setting", change: "set", settings: ["lifecycle rule NoncurrentVersionExpiration", "s3:PutLifecycleConfiguration"] },
  },
  "default-retention": { verdicts: [], remedy: { where: "store-setting", change: "check", settings: ["object lock default retention"] } },
  "kms-encryption": { verdicts: [], remedy: { where: "identity-policy", change: "grant" } },
  // A KFP component's own client settings (issue 23): a request sent as the component sends it failed where the probe's did not
  "component-client": { verdicts: [], remedy: { where: "kfp-setting", change: "set" } },
  // The v2 launcher of a namespace with no kfp-launcher ConfigMap falls back to KFP's built-in MinIO root and session
  "launcher-config-missing": { verdicts: [], remedy: { where: "kfp-setting", change: "set" } },
  // The v2 launcher's root has query parameters the release's URL opener (gocloud.dev v0.40.0, SDK v2) refuses
  "launcher-root-parameters": { verdicts: [], remedy: { where: "kfp-setting", change: "set" } },
  // What the probe could not remove (leftovers)
  "delete-version-denied": {
    verdicts: [],
    remedy: {
      where: "identity-policy",
      change: "grant",
      settings: ["lifecycle rule NoncurrentVersionExpiration", "lifecycle rule ExpiredObjectDeleteMarker"],
    },
  },
  "object-lock-retention": { verdicts: [], remedy: { where: "store-setting", change: "check", settings: ["object lock retention"] } },
} as const satisfies Record<string, CauseRow>;

export type Cause = keyof typeof CAUSE_ROWS;
export const CAUSES: Record<Cause, CauseRow> = CAUSE_ROWS;
/** In the table's order, which is SARIF's rule order (the keys of a literal object are exactly its key type). */
export const CAUSE_NAMES = Object.keys(CAUSE_ROWS) as Cause[];

/** Where the change belongs. */
type RemedyPlace = "identity-policy" | "bucket-policy" | "secret" | "store-setting" | "flag" | "kfp-setting" | "machine" | "none";

/** The IAM actions a remedy names: the operations', and those a versioned or encrypted bucket needs. */
type RemedyAction = IamAction | "s3:DeleteObjectVersion" | "kms:GenerateDataKey" | "kms:Decrypt";

export interface Remedy {
  where: RemedyPlace;
  /** grant or remove IAM actions; restrict a grant with a condition; set or check a setting; rerun. */
  change: "grant" | "remove" | "restrict" | "set" | "check" | "rerun";
  /** IAM actions to grant or remove. */
  actions?: RemedyAction[];
  /** The resource ARN the actions apply to. */
  resource?: string;
  /** Flags, variables or settings to change (--region, AWS_SECRET_ACCESS_KEY, ...). */
  settings?: string[];
  /** The value to set, where the probe knows it (the bucket's region). */
  value?: string;
  /** The condition that restricts a grant (s3:prefix on ListBucket), or the bucket policy's that refuses (aws:SecureTransport). */
  condition?: { operator: string; key: string; values: string[] };
  /** The policy statements that grant what is to be removed or restricted, where the policies are in hand (check-policy). */
  statements?: PolicyGrant[];
}

export interface Finding {
  cause: Cause;
  remedy: Remedy;
}

/** The cause of each kind of failed request. */
const ERROR_CAUSES: Record<ErrorKind, Cause> = {
  connection: "unreachable",
  dns: "dns",
  tls: "tls-mismatch",
  "plain-http": "plain-http",
  timeout: "timeout",
  signature: "wrong-secret",
  "unknown-key": "unknown-key",
  "expired-token": "expired-token",
  "clock-skew": "clock-skew",
  region: "wrong-region",
  "no-such-bucket": "no-such-bucket",
  addressing: "addressing-style",
  credentials: "credential-chain",
  "key-exists": "key-exists",
  "not-implemented": "not-implemented",
  throttled: "throttled",
  server: "store-failure",
  aborted: "interrupted",
  unexpected: "unexpected-answer",
};

/** What the check itself adds to its cause's remedy. */
type RemedyParts = Pick<Remedy, "actions" | "resource" | "condition" | "value" | "statements">;

/** The cause's remedy with what the check adds, its fields always in the same order (the JSON report's). */
function remedyFor(cause: Cause, parts: RemedyParts = {}): Remedy {
  const { where, change, settings } = CAUSES[cause].remedy;
  return {
    where,
    change,
    ...(parts.actions ? { actions: parts.actions } : {}),
    ...(parts.resource ? { resource: parts.resource } : {}),
    ...(parts.condition ? { condition: parts.condition } : {}),
    ...(settings ? { settings: [...settings] } : {}),
    ...(parts.value ? { value: parts.value } : {}),
    ...(parts.statements ? { statements: parts.statements } : {}),
  };
}

const findingOf = (cause: Cause, parts?: RemedyParts): Finding => ({ cause, remedy: remedyFor(cause, parts) });
/** A finding beyond the checks' (the bucket's settings, a leftover), with what it adds to its cause's remedy. */
export const findingWith = findingOf;

/** The operation's IAM resource: the bucket for bucket requests and listings, else the objects under the prefix. */
function resourceOf(check: PlannedCheck, bucket: string): string {
  if (check.target === null || OPERATIONS[check.operation].resource !== "object") return `arn:aws:s3:::${bucket}`;
  return `arn:aws:s3:::${bucket}/${check.target.prefix}*`;
}

/** ListBucket limited to the profile's own prefixes, which hides every other key name. */
function listRestriction(bucket: string, statements: Pick<Remedy, "statements"> = {}): Finding {
  return findingOf("key-names-listable", {
    actions: [OPERATIONS.list.action],
    resource: `arn:aws:s3:::${bucket}`,
    condition: { operator: "StringLike", key: "s3:prefix", values: ["<own prefixes>"] },
    ...statements,
  });
}

function errorFinding(errorKind: ErrorKind | undefined, bucketRegion?: string): Finding {
  const kind = errorKind ?? "unexpected";
  return findingOf(ERROR_CAUSES[kind], kind === "region" && bucketRegion ? { value: bucketRegion } : {});
}
/** The cause and remedy of a failed request that is no check's (a request in a component's shape). */
export const errorFindingOf = errorFinding;

/** The check's own action on its resource, for a grant or a removal. */
function actionOn(check: PlannedCheck, bucket: string): RemedyParts {
  return { actions: [OPERATIONS[check.operation].action], resource: resourceOf(check, bucket) };
}

function grantFinding(check: PlannedCheck, cause: Cause, bucket: string): Finding {
  // gocloud's delete reads first: the grant it lacks is HeadObject's.
  const actions = cause === "delete-needs-read" ? [OPERATIONS.head.action] : [OPERATIONS[check.operation].action];
  const listing = OPERATIONS[check.operation].resource === "listing" && check.target;
  const condition = listing ? { operator: "StringLike" as const, key: "s3:prefix" as const, values: [`${listing.prefix}*`] } : undefined;
  return findingOf(cause, { actions, resource: resourceOf(check, bucket), ...(condition ? { condition } : {}) });
}

/** Anyone can do it: the fix is the bucket's policy, ACL or public-access setting, never an identity's policy. */
export function publicFinding(check: PlannedCheck, bucket: string): Finding {
  return findingOf("public-access", actionOn(check, bucket));
}

/** The keys are right (the store took their other requests): this request was changed on the way, and its signature with it. */
export function mangledFinding(): Finding {
  return findingOf("request-mangled");
}

export interface FindingInput {
  check: PlannedCheck;
  /** What the engine already knows of the cause (a gocloud delete, a check not run). */
  knownCause?: Cause;
  errorKind?: ErrorKind;
  bucketRegion?: string;
  /** The policy statements that allow it (check-policy). */
  grants?: PolicyGrant[];
  /** The bucket policy's condition that refused the request (knownCause bucket-policy-condition). */
  condition?: Remedy["condition"];
}

function leakFinding(input: FindingInput, bucket: string): Finding {
  const statements = input.grants ? { statements: input.grants } : {};
  if (input.knownCause === "public-access") return findingOf("public-access", { ...actionOn(input.check, bucket), ...statements });
  if (input.check.expectation === "exposure") return listRestriction(bucket, statements);
  return findingOf("grant-too-wide", { ...actionOn(input.check, bucket), ...statements });
}

function errorOf(input: FindingInput): Finding {
  const rejected = input.errorKind === "not-implemented" || input.errorKind === "unexpected";
  if (input.check.operation === "put-checksum" && rejected) return findingOf("checksum-rejected");
  return errorFinding(input.errorKind, input.bucketRegion);
}

function undecidedFinding(input: FindingInput): Finding {
  if (input.knownCause === "policy-not-evaluated") return findingOf("policy-not-evaluated");
  // Reads are decided on objects that exist.
  return findingOf(OPERATIONS[input.check.operation].action === OPERATIONS.get.action ? "no-object-to-read" : "undecided-answer");
}

/** A write or read refused beyond the identity's S3 grant: by KMS (the key's policy or grant), or by a Deny of the bucket policy. */
function refusedFinding(input: FindingInput, bucket: string): Finding | undefined {
  if (input.knownCause === "kms-denied")
    return findingOf("kms-denied", { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resource: "the bucket's KMS key" });
  if (input.knownCause !== "bucket-policy-condition") return undefined;
  return findingOf("bucket-policy-condition", {
    resource: resourceOf(input.check, bucket),
    ...(input.condition ? { condition: input.condition } : {}),
  });
}

/** The cause and remedy of a verdict that is not ok; undefined for ok. */
export function findingFor(input: FindingInput, verdict: Verdict, bucket: string): Finding | undefined {
  const { check } = input;
  switch (verdict) {
    case "missing":
      return (
        refusedFinding(input, bucket) ??
        grantFinding(check, input.knownCause === "delete-needs-read" ? "delete-needs-read" : "missing-action", bucket)
      );
    case "degraded":
      return grantFinding(check, "recommended-action", bucket);
    case "leak":
      return leakFinding(input, bucket);
    case "exposed":
      return listRestriction(bucket, input.grants ? { statements: input.grants } : {});
    case "error":
      return errorOf(input);
    case "ambiguous":
      return undecidedFinding(input);
    case "not-run":
      // A check not run is run again, whatever stopped it.
      return { cause: input.knownCause ?? "not-run", remedy: remedyFor("not-run") };
    case "ok":
      return undefined;
  }
}
