// Grants the probe cannot try on the store: actions beyond the ones it sends (read, write, delete,
// list) that a policy allows on keys KFP forbids the caller, or on the bucket where only the
// backend should act. KFP never needs them, so each is an open item of the assurance (never
// proven), named with the key the exact evaluator found. Pure.
import type { KeyLayout } from "../layout.js";
import type { PolicyDocument } from "./document.js";
import { applicableStatements, bucketNamed, type Caller } from "./exact.js";
import { callerOf, mayActOutsideOwn, mayListOutsideOwn, type PolicySubject } from "./exact-questions.js";

/** Object actions that read, change or destroy another team's data, that no probe request stands for. */
const OBJECT_ACTIONS_UNTRIED = [
  "s3:AbortMultipartUpload",
  "s3:GetObjectVersion",
  "s3:DeleteObjectVersion",
  "s3:GetObjectAcl",
  "s3:GetObjectVersionAcl",
  "s3:PutObjectAcl",
  "s3:PutObjectVersionAcl",
  "s3:GetObjectAttributes",
  "s3:GetObjectVersionAttributes",
  "s3:GetObjectTagging",
  "s3:GetObjectVersionTagging",
  "s3:PutObjectTagging",
  "s3:PutObjectVersionTagging",
  "s3:DeleteObjectTagging",
  "s3:DeleteObjectVersionTagging",
  "s3:GetObjectTorrent",
  "s3:GetObjectVersionTorrent",
  "s3:ListMultipartUploadParts",
  "s3:RestoreObject",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:BypassGovernanceRetention",
  "s3:ReplicateObject",
  "s3:ReplicateDelete",
];

/** Listings other than ListBucket: they show other teams' names (and versions) under a prefix, as ListBucket does. */
const LISTINGS_UNTRIED = ["s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];

/** Bucket actions that change who may reach the bucket, or what it keeps: the backend's (or its owner's), never a profile's or anyone's. */
const BUCKET_ACTIONS_UNTRIED = [
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketAcl",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutBucketOwnershipControls",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutEncryptionConfiguration",
  "s3:DeleteBucket",
];

export interface UntriedGrant {
  action: string;
  /** The key the evaluator found ("" for the bucket itself). */
  key: string;
}

/**
 * The Allow statements' wildcard action patterns, each by a concrete action it matches ("s3:Get*" as
 * "s3:Get"): an action no list here names is still asked about, and named by its pattern.
 */
function patternActions(documents: PolicyDocument[]): Map<string, string> {
  const patterns = documents.flatMap((d) => d.statements.filter((s) => s.effect === "Allow").flatMap((s) => s.action ?? []));
  return new Map(patterns.filter((p) => /[*?]/.test(p)).map((p) => [p.replaceAll("*", "").replaceAll("?", "X"), p]));
}

/** May the caller do a bucket action: yes, no, or what decides it that is not read (a condition, a principal). */
function bucketAction(documents: PolicyDocument[], caller: Caller, bucket: string, action: string): boolean | string[] {
  // A bucket action's request carries no s3:prefix or s3:delimiter: each such condition is settled as absent.
  const applicable = applicableStatements(documents, caller, action).filter(
    ({ statement, conditions }) => bucketNamed(statement, bucket) && [...conditions.values()].every((c) => c.whenAbsent),
  );
  const allows = applicable.filter((a) => a.statement.effect === "Allow");
  const denies = applicable.filter((a) => a.statement.effect === "Deny");
  if (allows.length === 0 || denies.some((d) => d.doubts.length === 0)) return false;
  if (denies.length === 0 && allows.some((a) => a.doubts.length === 0)) return true;
  return [...new Set([...allows, ...denies].flatMap((a) => a.doubts.map((d) => d.unread)))];
}

/** What the subject may do that the probe does not try: grants beyond KFP's, and what the evaluator could not read about them. */
export function untriedGrants(subject: PolicySubject, layout: KeyLayout, bucket: string): { grants: UntriedGrant[]; unread: string[] } {
  const { caller, documents } = callerOf(subject);
  const grants: UntriedGrant[] = [];
  const unread: string[] = [];
  const patterns = patternActions(documents);
  const objectActions = [...new Set([...OBJECT_ACTIONS_UNTRIED, ...patterns.keys()])];
  for (const action of objectActions) {
    const answer = mayActOutsideOwn(subject, layout, bucket, action);
    if (answer.answer === "yes") grants.push({ action: patterns.get(action) ?? action, key: answer.witness });
    if (answer.answer === "undecided") unread.push(...answer.unread);
  }
  // Every key of the bucket is the backend's to list and to keep: only its objects outside KFP's prefixes are asked.
  if (subject.role.kind === "backend") return { grants, unread: [...new Set(unread)] };
  for (const action of LISTINGS_UNTRIED) {
    const answer = mayListOutsideOwn(subject, layout, bucket, action);
    if (answer.answer === "yes") grants.push({ action, key: answer.witness.prefix ?? "" });
    if (answer.answer === "undecided") unread.push(...answer.unread);
  }
  for (const action of BUCKET_ACTIONS_UNTRIED) {
    const answer = bucketAction(documents, caller, bucket, action);
    if (answer === true) grants.push({ action, key: "" });
    if (Array.isArray(answer)) unread.push(...answer);
  }
  return { grants, unread: [...new Set(unread)] };
}
