// The requests the probe makes, as the engine sees them: every answer, success or failure, comes
// back as plain facts. src/s3/ implements this on the AWS SDK. Fields beyond the facts are set
// on success only.
import type { EncryptionSetting, LifecycleSetting, ObjectLockSetting, Versioning } from "../core/bucket-facts.js";
import type { ResponseFacts } from "../core/classify.js";

export type { EncryptionSetting, LifecycleSetting, ObjectLockSetting, Versioning };

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

/**
 * The one part of the probe's multipart upload: as the only (so the last) part it may be smaller
 * than the 5 MiB S3 asks of the others, and the permissions are the same whatever its size.
 */
export const MULTIPART_PART_BYTES = 64 * 1024;

export interface S3Port {
  headBucket(signal: AbortSignal): Promise<BucketResult>;
  getBucketLocation(signal: AbortSignal): Promise<BucketResult>;
  listObjects(prefix: string, maxKeys: number, signal: AbortSignal, options?: ListOptions): Promise<ListResult>;
  /** Writes only if the key does not exist yet (If-None-Match: *); with a CRC32 checksum if asked. */
  putObjectIfAbsent(key: string, body: Uint8Array, signal: AbortSignal, options?: { crc32?: boolean }): Promise<WriteResult>;
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
