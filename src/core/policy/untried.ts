// Grants the probe cannot try on the store: actions beyond the ones it sends (read, write, delete,
// list) that a policy allows on keys KFP forbids the caller, or on the bucket where only the
// backend should act. KFP never needs them, so each is an open item of the assurance (never
// proven), named with the key the exact evaluator found. Pure.
import type { KeyLayout } from "../layout.js";
import { OBJECT_ACTIONS } from "../operations.js";
import type { PolicyDocument } from "./document.js";
import { bucketCandidates, decide } from "./exact.js";
import { callerOf, mayActOutsideOwn, mayListOutsideOwn, type PolicySubject } from "./exact-questions.js";
import { exactly } from "./key-language.js";

/**
 * Object actions that read, change or destroy another team's data, that no probe request stands
 * for. The probe's own (OBJECT_ACTIONS, AbortMultipartUpload among them) are the audit's questions
 * already, and not asked again here.
 */
const OBJECT_ACTIONS_UNTRIED = [
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

/** What the subject may do that the probe does not try: grants beyond KFP's, and what the evaluator could not read about them. */
export function untriedGrants(subject: PolicySubject, layout: KeyLayout, bucket: string): { grants: UntriedGrant[]; unread: string[] } {
  const { caller, documents } = callerOf(subject);
  const grants: UntriedGrant[] = [];
  const unread: string[] = [];
  const patterns = patternActions(documents);
  const audited = new Set<string>(OBJECT_ACTIONS);
  const objectActions = [...new Set([...OBJECT_ACTIONS_UNTRIED, ...patterns.keys()])].filter((action) => !audited.has(action));
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
    // One question, of any one key: each candidate holds all of them or none.
    const answer = decide(bucketCandidates(documents, caller, action, bucket), exactly(""));
    if (answer.answer === "yes") grants.push({ action, key: "" });
    if (answer.answer === "undecided") unread.push(...answer.unread);
  }
  return { grants, unread: [...new Set(unread)] };
}
