// What the run knows of the bucket before it writes more than one object (issue 22): versioning,
// object lock, default encryption, lifecycle rules and the bucket policy, each read or why not;
// and what they mean for KFP on this bucket, as findings with a cause and a remedy. Pure.
import type { Finding } from "./cause.js";
import { findingWith } from "./cause.js";
import type { EncryptionSetting, LifecycleSetting, ObjectLockSetting, Versioning } from "./operations.js";
import type { PolicyDocument, Statement } from "./policy/document.js";
import { wildcardMatch } from "./policy/evaluate.js";

/** One setting as the run knows it: read (by whom, or from the first write), the bucket has none, or unread and why. */
export type Reading<T> = { status: "read"; value: T; source: string } | { status: "none"; source: string } | { status: "unread"; problem: string };

export interface BucketFacts {
  versioning: Reading<Versioning>;
  objectLock: Reading<ObjectLockSetting>;
  encryption: Reading<EncryptionSetting>;
  lifecycle: Reading<LifecycleSetting>;
  policy: Reading<PolicyDocument>;
  /**
   * On a versioned bucket: whether the run's first write could be removed by its version id
   * (s3:DeleteObjectVersion); undefined where the bucket is not versioned or nothing was tried.
   */
  versionsRemovable?: boolean;
}

export const UNREAD_FACTS: BucketFacts = {
  versioning: { status: "unread", problem: "not read" },
  objectLock: { status: "unread", problem: "not read" },
  encryption: { status: "unread", problem: "not read" },
  lifecycle: { status: "unread", problem: "not read" },
  policy: { status: "unread", problem: "not read" },
};

const readValue = <T>(reading: Reading<T>): T | undefined => (reading.status === "read" ? reading.value : undefined);

/** Versions are kept: versioning is on (or was: suspended keeps what it kept). */
export function isVersioned(facts: BucketFacts): boolean {
  const versioning = readValue(facts.versioning);
  return versioning === "enabled" || versioning === "suspended" || readValue(facts.objectLock)?.enabled === true;
}

/** Where the probe writes, and so where a grant of s3:DeleteObjectVersion for it goes. */
export const probeNamespaceArn = (bucket: string) => `arn:aws:s3:::${bucket}/*.kfp-s3-probe/*`;

/** Versioned, and no rule for the whole bucket expires noncurrent versions (or the rules could not be read: said so in the value). */
function versionsFinding(facts: BucketFacts, bucket: string): Finding[] {
  if (!isVersioned(facts)) return [];
  const rules = readValue(facts.lifecycle)?.rules ?? [];
  if (rules.some((rule) => rule.noncurrentExpiration && !rule.prefix)) return [];
  const unread = facts.lifecycle.status === "unread" ? { value: "the lifecycle rules could not be read" } : {};
  return [findingWith("versions-kept", { resource: `arn:aws:s3:::${bucket}`, ...unread })];
}

function retentionFinding(facts: BucketFacts, bucket: string): Finding[] {
  const retention = readValue(facts.objectLock)?.defaultRetention;
  if (!retention) return [];
  const length = retention.days ? `${retention.days} days` : `${retention.years ?? 0} years`;
  return [findingWith("default-retention", { resource: `arn:aws:s3:::${bucket}`, value: `${retention.mode}, ${length}` })];
}

function kmsFinding(facts: BucketFacts): Finding[] {
  const encryption = readValue(facts.encryption);
  if (!encryption?.algorithm.startsWith("aws:kms")) return [];
  return [
    findingWith("kms-encryption", {
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resource: encryption.kmsKeyId ?? "the bucket's KMS key (aws/s3 where none is named)",
    }),
  ];
}

/** What the bucket's settings mean for KFP on it: its deletes leave versions, are refused, or need KMS. */
export function bucketFindings(facts: BucketFacts, bucket: string): Finding[] {
  return [...versionsFinding(facts, bucket), ...retentionFinding(facts, bucket), ...kmsFinding(facts)];
}

/** A condition KFP's client does not meet when it writes: TLS where the endpoint is plain HTTP, an encryption header it does not send. */
export interface UnmetCondition {
  operator: string;
  key: string;
  values: string[];
}

const matchesAny = (patterns: string[] | undefined, value: string) => (patterns ?? []).some((p) => wildcardMatch(p, value, false));

function coversPut(statement: Statement, bucket: string, key: string): boolean {
  const action = statement.action ? matchesAny(statement.action, "s3:PutObject") : !matchesAny(statement.notAction, "s3:PutObject");
  const arn = `arn:aws:s3:::${bucket}/${key}`;
  const resource = statement.resource ? matchesAny(statement.resource, arn) : !matchesAny(statement.notResource, arn);
  return statement.effect === "Deny" && action && resource;
}

const ENCRYPTION_HEADER = "s3:x-amz-server-side-encryption";

/** The conditions of a Deny that KFP's PutObject meets: no TLS over http://, no encryption header (KFP sends none). */
function unmetIn(statement: Statement, tls: boolean): UnmetCondition[] {
  const found: UnmetCondition[] = [];
  for (const [operator, keys] of Object.entries(statement.condition ?? {})) {
    for (const [conditionKey, values] of Object.entries(keys)) {
      const key = conditionKey.toLowerCase();
      const deniesPlainHttp = key === "aws:securetransport" && operator.startsWith("Bool") && values.includes("false") && !tls;
      const deniesNoHeader =
        key === ENCRYPTION_HEADER && ((operator === "Null" && values.includes("true")) || operator.startsWith("StringNotEquals"));
      if (deniesPlainHttp || deniesNoHeader) found.push({ operator, key: conditionKey, values });
    }
  }
  return found;
}

/** The Deny condition of the bucket policy that refuses KFP's write of this key, where there is one. */
export function unmetPutCondition(policy: PolicyDocument | undefined, bucket: string, key: string, tls: boolean): UnmetCondition | undefined {
  for (const statement of policy?.statements ?? []) {
    if (!coversPut(statement, bucket, key)) continue;
    const [unmet] = unmetIn(statement, tls);
    if (unmet) return unmet;
  }
  return undefined;
}
