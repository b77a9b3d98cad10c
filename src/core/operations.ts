// Every operation the probe checks, one row each: what IAM decides it by, what it lists, where the
// plan tries it and the text report's column. The plan, the causes, the offline evaluator, the
// policy generator and the report read these rows; `Operation` is the table's keys, so an
// operation without a row is a type error. Who in KFP sends each is `sentBy` (components.ts), read
// from the components table, the one source. The S3 calls the probe sends are a table here too
// (S3Calls, with the facts of each answer): the engine's port is that table. A new operation is a
// row here, its call here and in the adapter (src/s3/s3-port.ts, if it is a new S3 call) and a
// phase that sends it (if it is a new kind of check).
import type { ResponseFacts } from "./classify.js";

interface OperationRow {
  /** bucket: one check per identity; object: one per prefix the identity is tried under. */
  scope: "bucket" | "object";
  /** The IAM action the store authorises the request by. */
  action: `s3:${string}`;
  /**
   * The resource of the IAM request it stands for: the bucket's ARN; the bucket's ARN with the
   * prefix as s3:prefix (a listing); an object's ARN under the prefix.
   */
  resource: "bucket" | "listing" | "object";
  /** The key names its answer shows: null, the whole bucket's or a prefix's. Allowed where it must not be, that is exposure, not a leak. */
  lists: "bucket-wide" | "prefix" | null;
  /** recommended: KFP works without it, but leaves debris (AbortMultipartUpload). */
  need: "required" | "recommended";
  /** Which plan tries it: always; uploads: where artifacts are written (off: --read-only); multipart: among those (off: --no-multipart). */
  when: "always" | "uploads" | "multipart";
  /** Tried by the unsigned caller too. */
  anonymous: boolean;
  /** In the pairs matrix, the read and the conditional write that decide another profile's prefixes. */
  pair: "read" | "write" | null;
  /** The text report's column (object operations) or its name on the bucket line. */
  label: string;
}

export const OPERATIONS = {
  "head-bucket": {
    scope: "bucket",
    action: "s3:ListBucket",
    resource: "bucket",
    lists: null,
    need: "required",
    when: "always",
    anonymous: false,
    pair: null,
    label: "HeadBucket",
  },
  // Argo assumes us-east-1 where it is denied.
  "get-bucket-location": {
    scope: "bucket",
    action: "s3:GetBucketLocation",
    resource: "bucket",
    lists: null,
    need: "required",
    when: "always",
    anonymous: false,
    pair: null,
    label: "GetBucketLocation",
  },
  "list-bucket": {
    scope: "bucket",
    action: "s3:ListBucket",
    resource: "bucket",
    lists: "bucket-wide",
    need: "required",
    when: "always",
    anonymous: true,
    pair: null,
    label: "ListBucket (all)",
  },
  list: {
    scope: "object",
    action: "s3:ListBucket",
    resource: "listing",
    lists: "prefix",
    need: "required",
    when: "always",
    anonymous: true,
    pair: null,
    label: "List",
  },
  put: {
    scope: "object",
    action: "s3:PutObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "always",
    anonymous: true,
    pair: "write",
    label: "Put",
  },
  head: {
    scope: "object",
    action: "s3:GetObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "always",
    anonymous: true,
    pair: null,
    label: "Head",
  },
  get: {
    scope: "object",
    action: "s3:GetObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "always",
    anonymous: true,
    pair: "read",
    label: "Get",
  },
  // KFP deletes through gocloud, which sends HeadObject first.
  delete: {
    scope: "object",
    action: "s3:DeleteObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "always",
    anonymous: false,
    pair: null,
    label: "Del",
  },
  // A PutObject with a CRC32 checksum, as the v2 launcher sends it in 2.17 with a query-string pipeline root.
  "put-checksum": {
    scope: "object",
    action: "s3:PutObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "uploads",
    anonymous: false,
    pair: null,
    label: "CRC",
  },
  // Create, UploadPart, Complete: the v2 launcher above 5 MiB, Argo above 16 MiB.
  multipart: {
    scope: "object",
    action: "s3:PutObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "multipart",
    anonymous: false,
    pair: null,
    label: "MPU",
  },
  // After a failed upload; the reference policies lack it.
  "abort-multipart": {
    scope: "object",
    action: "s3:AbortMultipartUpload",
    resource: "object",
    lists: null,
    need: "recommended",
    when: "multipart",
    anonymous: false,
    pair: null,
    label: "Abrt",
  },
} as const satisfies Record<string, OperationRow>;

export type Operation = keyof typeof OPERATIONS;
type Row<O extends Operation> = (typeof OPERATIONS)[O];
/** Every IAM action an operation is decided by. */
export type IamAction = Row<Operation>["action"];
export type BucketOperation = { [O in Operation]: Row<O>["scope"] extends "bucket" ? O : never }[Operation];
export type ObjectOperation = Exclude<Operation, BucketOperation>;

/**
 * Every operation in the table's order, which is the order of the plan's checks, of the report's
 * and of the text columns (the keys of a literal object are exactly its key type; TypeScript types
 * Object.keys as string[] for objects in general).
 */
export const OPERATION_NAMES = Object.keys(OPERATIONS) as Operation[];

export const isBucketOperation = (operation: Operation): operation is BucketOperation => OPERATIONS[operation].scope === "bucket";
export const isObjectOperation = (operation: Operation): operation is ObjectOperation => !isBucketOperation(operation);

/** The object operations that pass a test of their rows, in the table's order. */
export function objectOperationsWhere(test: (row: OperationRow) => boolean): ObjectOperation[] {
  return OPERATION_NAMES.filter(isObjectOperation).filter((operation) => test(OPERATIONS[operation]));
}

/** The order deployKF's reference policies list their actions in; actions they lack follow, in the table's order. */
const REFERENCE_ORDER: readonly IamAction[] = ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
const rank = (action: IamAction) => (REFERENCE_ORDER.includes(action) ? REFERENCE_ORDER.indexOf(action) : REFERENCE_ORDER.length);

/** The IAM actions of the operations whose requests name this kind of resource, each once, in deployKF's order. */
function actionsOn(resources: readonly OperationRow["resource"][]): IamAction[] {
  const actions = new Set(OPERATION_NAMES.filter((o) => resources.includes(OPERATIONS[o].resource)).map((o) => OPERATIONS[o].action));
  return [...actions].sort((a, b) => rank(a) - rank(b));
}

/** Every action of the bucket requests and listings: s3:GetBucketLocation, s3:ListBucket. */
export const BUCKET_ACTIONS = actionsOn(["bucket", "listing"]);
/** Every action on objects: read, write (multipart included), delete, and abort a failed upload. */
export const OBJECT_ACTIONS = actionsOn(["object"]);

// The S3 calls: each answer, success or failure, comes back as plain facts; fields beyond the
// facts are set on success only.

/** The bucket settings the run reads (GetBucketVersioning, GetObjectLockConfiguration, GetBucketEncryption, GetBucketLifecycleConfiguration). */
export type Versioning = "enabled" | "suspended" | "never-enabled";
export interface ObjectLockSetting {
  enabled: boolean;
  defaultRetention?: { mode: string; days?: number; years?: number };
}
export interface EncryptionSetting {
  /** AES256, aws:kms, aws:kms:dsse. */
  algorithm: string;
  kmsKeyId?: string;
}
export interface LifecycleSetting {
  /** Enabled rules, with what each expires. */
  rules: { id?: string; prefix?: string; noncurrentExpiration: boolean; abortIncompleteUploads: boolean; expiration: boolean }[];
}

export interface ListResult extends ResponseFacts {
  keys?: string[];
  /** With a delimiter: the "folders" one level down (ListObjectsV2's CommonPrefixes). */
  commonPrefixes?: string[];
  /** Set when the listing has more pages. */
  nextContinuationToken?: string;
}

export interface ListOptions {
  delimiter?: string;
  continuationToken?: string;
  /** Start after this key (skips the probe's own namespace). */
  startAfter?: string;
}
export interface WriteResult extends ResponseFacts {
  /** Version id of what the request created, on a versioned bucket. */
  versionId?: string;
  /** DeleteObject left a delete marker (versioned bucket). */
  deleteMarker?: boolean;
  /** PutObject: the encryption the store gave the object, where it names it. */
  encryption?: EncryptionSetting;
  /** How many times the SDK sent it, where more than once: an earlier attempt may have acted too. */
  attempts?: number;
}
export interface ReadResult extends ResponseFacts {
  body?: Uint8Array;
}
export interface BucketResult extends ResponseFacts {
  /** GetBucketLocation's answer, normalised (null → us-east-1, EU → eu-west-1). */
  region?: string;
}
export interface HeadResult extends ResponseFacts {
  /** The current version's id, on a versioned bucket ("null" is no version and is left out). */
  versionId?: string;
  /** Object lock on this version (a bucket's default retention shows here): its mode and until when. */
  lock?: { mode: string; retainUntil?: string };
  /** The object's server-side encryption (AES256, aws:kms, aws:kms:dsse) and KMS key, where the store names them. */
  encryption?: { algorithm: string; kmsKeyId?: string };
}
/** One version or delete marker, as ListObjectVersions names it ("null" ids are kept: they name the one unversioned entry). */
export interface ObjectVersion {
  key: string;
  versionId: string;
  deleteMarker: boolean;
  isLatest: boolean;
}
export interface VersionsResult extends ResponseFacts {
  versions?: ObjectVersion[];
  /** Set when the listing has more pages. */
  next?: { keyMarker: string; versionIdMarker?: string };
}
/** A bucket setting read by its owner's request (GetBucketVersioning, ...): `setting` on success, `none` where the bucket has none. */
export interface SettingResult<T> extends ResponseFacts {
  setting?: T;
  /** The store answered that the bucket has no such setting (404 NoSuch…, or an empty answer). */
  none?: boolean;
}
export interface UploadsResult extends ResponseFacts {
  uploads?: { key: string; uploadId: string }[];
}
export interface UploadResult extends ResponseFacts {
  uploadId?: string;
  /** How many times the SDK sent it: more than one means an earlier attempt's answer was lost or refused. */
  attempts?: number;
  etag?: string;
}

/** How a PutObject is sent beyond its key and body: a CRC32 checksum (the v2 launcher's), Content-MD5 (Argo's). */
export interface PutOptions {
  crc32?: boolean;
  contentMd5?: boolean;
}

/**
 * Every S3 call the probe sends, one member each: its arguments, the run's signal among them, and
 * the facts of its answer. The engine's port (S3Port, src/probe/port.ts) is this table, and each
 * adapter implements it (SdkS3Port on the AWS SDK), so a call missing there is a type error.
 */
export interface S3Calls {
  headBucket(signal: AbortSignal): Promise<BucketResult>;
  getBucketLocation(signal: AbortSignal): Promise<BucketResult>;
  /** `maxKeys` undefined: no max-keys sent (the store's default page, 1,000), as minio-go lists. */
  listObjects(prefix: string, maxKeys: number | undefined, signal: AbortSignal, options?: ListOptions): Promise<ListResult>;
  /** Writes only if the key does not exist yet (If-None-Match: *); with a CRC32 checksum, or Content-MD5 (as Argo sends), if asked. */
  putObjectIfAbsent(key: string, body: Uint8Array, signal: AbortSignal, options?: PutOptions): Promise<WriteResult>;
  headObject(key: string, signal: AbortSignal): Promise<HeadResult>;
  /** `firstByteOnly` reads one byte, for objects that are not the probe's own. */
  getObject(key: string, firstByteOnly: boolean, signal: AbortSignal): Promise<ReadResult>;
  deleteObject(key: string, versionId: string | undefined, signal: AbortSignal): Promise<WriteResult>;
  createMultipartUpload(key: string, signal: AbortSignal): Promise<UploadResult>;
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, signal: AbortSignal): Promise<UploadResult>;
  completeMultipartUpload(key: string, uploadId: string, parts: { partNumber: number; etag: string }[], signal: AbortSignal): Promise<WriteResult>;
  abortMultipartUpload(key: string, uploadId: string, signal: AbortSignal): Promise<ResponseFacts>;
  /** Open multipart uploads under a prefix (needs s3:ListBucketMultipartUploads; first page of 1,000). */
  listMultipartUploads(prefix: string, signal: AbortSignal): Promise<UploadsResult>;
  /** Versions and delete markers under a prefix (s3:ListBucketVersions), a page of 1,000 from the marker. */
  listObjectVersions(prefix: string, signal: AbortSignal, from?: VersionsResult["next"]): Promise<VersionsResult>;
  /** s3:GetBucketVersioning. */
  getBucketVersioning(signal: AbortSignal): Promise<SettingResult<Versioning>>;
  /** s3:GetBucketObjectLockConfiguration. */
  getObjectLockConfiguration(signal: AbortSignal): Promise<SettingResult<ObjectLockSetting>>;
  /** s3:GetEncryptionConfiguration. */
  getBucketEncryption(signal: AbortSignal): Promise<SettingResult<EncryptionSetting>>;
  /** s3:GetLifecycleConfiguration. */
  getBucketLifecycle(signal: AbortSignal): Promise<SettingResult<LifecycleSetting>>;
  /** s3:GetBucketPolicy: the policy's text. */
  getBucketPolicy(signal: AbortSignal): Promise<SettingResult<string>>;
}
