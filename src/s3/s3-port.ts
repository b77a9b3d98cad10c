// The probe's requests on the AWS SDK v3, each answer reduced to ResponseFacts.
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type LifecycleRule,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { ResponseFacts } from "../core/classify.js";
import type { CredentialFailure } from "../core/credential-failure.js";
import type {
  BucketResult,
  EncryptionSetting,
  HeadResult,
  LifecycleSetting,
  ListOptions,
  ListResult,
  ObjectLockSetting,
  PutOptions,
  ReadResult,
  S3Port,
  SettingResult,
  UploadResult,
  UploadsResult,
  Versioning,
  VersionsResult,
  WriteResult,
} from "../probe/port.js";
import { crc32Base64 } from "./body-digests.js";

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
  message?: unknown;
  /** A credential chain's error (CredentialChainError): the keys were never had, nothing was sent. */
  credentialFailure?: unknown;
}

function isCredentialFailure(value: unknown): value is CredentialFailure {
  return typeof value === "object" && value !== null && "step" in value && (value.step === "sts" || value.step === "token-file");
}

function asShape(value: unknown): SdkErrorShape {
  return typeof value === "object" && value !== null ? (value as SdkErrorShape) : {};
}

/** OpenSSL's reason in a handshake error's message ("…:SSL routines:tls_validate_record_header:wrong version number:…"). */
function tlsReasonOf(shape: SdkErrorShape): string | undefined {
  const message = typeof shape.message === "string" ? shape.message : "";
  return /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1]?.trim().toLowerCase();
}

/** Status code first, then the S3 error code or SDK error name, then Node's system error code. */
export function factsFromError(error: unknown): ResponseFacts {
  const shape = asShape(error);
  const cause = asShape(shape.cause);
  const status = typeof shape.$metadata?.httpStatusCode === "number" ? shape.$metadata.httpStatusCode : undefined;
  const name = typeof shape.Code === "string" ? shape.Code : typeof shape.name === "string" ? shape.name : undefined;
  const code = typeof shape.code === "string" ? shape.code : typeof cause.code === "string" ? cause.code : undefined;
  const headers = shape.$response?.headers ?? {};
  const facts: ResponseFacts = {};
  if (status !== undefined) facts.status = status;
  if (name && name !== "Error") facts.errorName = name;
  if (code) facts.systemCode = code;
  const tlsReason = tlsReasonOf(shape) ?? tlsReasonOf(cause);
  if (tlsReason) facts.tlsReason = tlsReason;
  if (name === "AbortError") facts.aborted = true;
  if (headers["x-amz-bucket-region"]) facts.bucketRegion = headers["x-amz-bucket-region"];
  if (headers.date) facts.serverDate = headers.date;
  if (isCredentialFailure(shape.credentialFailure)) facts.credentialFailure = shape.credentialFailure;
  const refusedBy = refusalOf(name, typeof shape.message === "string" ? shape.message : "");
  if (refusedBy) facts.refusedBy = refusedBy;
  return facts;
}

/**
 * What refused a request beyond the policy, as the error says it: object lock (AWS: "…protected by
 * object lock", RGW: "forbidden by object lock") or KMS (AWS: "…not authorized to perform:
 * kms:GenerateDataKey…", or a KMS.* error code). Only the kind is kept, never the message.
 */
function refusalOf(name: string | undefined, message: string): ResponseFacts["refusedBy"] {
  if (/object lock/i.test(message) || (name === "InvalidRequest" && /retention|legal hold/i.test(message))) return "object-lock";
  if (name?.startsWith("KMS.") || /\bkms:|KMS key/i.test(message)) return "kms";
  return undefined;
}

/** A bucket setting: the mapped output, `none` for the error code that says the bucket has none. */
async function settingOf<O, T>(pending: Promise<O>, noneCode: string, read: (output: O) => T | undefined): Promise<SettingResult<T>> {
  try {
    const output = await pending;
    const setting = read(output);
    return { status: statusOf(output as { $metadata: { httpStatusCode?: number } }), ...(setting === undefined ? { none: true } : { setting }) };
  } catch (error) {
    const facts = factsFromError(error);
    return facts.errorName === noneCode ? { ...facts, none: true } : facts;
  }
}

function versioningOf(status: string | undefined): Versioning {
  if (status === "Enabled") return "enabled";
  return status === "Suspended" ? "suspended" : "never-enabled";
}

function lifecycleRuleOf(rule: LifecycleRule): LifecycleSetting["rules"][number] {
  const prefix = rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix;
  return {
    ...(rule.ID ? { id: rule.ID } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    noncurrentExpiration: rule.NoncurrentVersionExpiration !== undefined,
    abortIncompleteUploads: rule.AbortIncompleteMultipartUpload !== undefined,
    expiration: rule.Expiration !== undefined,
  };
}

/** "null" is what unversioned and suspended buckets answer: not a version, so it is dropped. */
function versionOf(versionId: string | undefined): { versionId?: string } {
  return versionId && versionId !== "null" ? { versionId } : {};
}

function statusOf(output: { $metadata: { httpStatusCode?: number } }): number {
  return output.$metadata.httpStatusCode ?? 200;
}

/** "EU" and an empty answer are AWS's legacy names for eu-west-1 and us-east-1. */
export function normaliseBucketLocation(location: string | undefined): string {
  if (!location) return "us-east-1";
  if (location === "EU") return "eu-west-1";
  return location;
}

/** The request's answer as facts: the mapped output on success, the error's facts otherwise. */
async function settle<O, R extends ResponseFacts>(pending: Promise<O>, onSuccess: (output: O) => R): Promise<R> {
  try {
    return onSuccess(await pending);
  } catch (error) {
    return factsFromError(error) as R;
  }
}

/** The SDK's attempts at a request, where it sent it more than once (answered or not). */
function attemptsOf(metadata: { attempts?: unknown } | undefined): { attempts?: number } {
  const attempts = metadata?.attempts;
  return typeof attempts === "number" && attempts > 1 ? { attempts } : {};
}

/**
 * A request that may create a version or a delete marker: its facts, with how many times the SDK
 * sent it, so that a retry whose earlier attempt may have acted is known (issue 22).
 */
async function settleWrite<O extends { $metadata: { attempts?: number } }>(
  pending: Promise<O>,
  onSuccess: (output: O) => WriteResult,
): Promise<WriteResult> {
  try {
    const output = await pending;
    return { ...onSuccess(output), ...attemptsOf(output.$metadata) };
  } catch (error) {
    return { ...factsFromError(error), ...attemptsOf(asShape(error).$metadata) };
  }
}

export class SdkS3Port implements S3Port {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  headBucket(signal: AbortSignal): Promise<BucketResult> {
    // The Date and x-amz-bucket-region headers of a successful HeadBucket are not in its output.
    const command = new HeadBucketCommand({ Bucket: this.bucket });
    const headers: Record<string, string | undefined> = {};
    command.middlewareStack.add(
      (next) => async (args) => {
        const answer = await next(args);
        Object.assign(headers, (answer.response as { headers?: Record<string, string> }).headers ?? {});
        return answer;
      },
      { step: "deserialize", name: "kfpS3ProbeResponseHeaders" },
    );
    return settle(this.client.send(command, { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      ...(out.BucketRegion || headers["x-amz-bucket-region"] ? { bucketRegion: out.BucketRegion ?? headers["x-amz-bucket-region"] } : {}),
      ...(headers.date ? { serverDate: headers.date } : {}),
    }));
  }

  getBucketLocation(signal: AbortSignal): Promise<BucketResult> {
    return settle(this.client.send(new GetBucketLocationCommand({ Bucket: this.bucket }), { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      region: normaliseBucketLocation(out.LocationConstraint),
    }));
  }

  listObjects(prefix: string, maxKeys: number | undefined, signal: AbortSignal, options: ListOptions = {}): Promise<ListResult> {
    const command = new ListObjectsV2Command({
      Bucket: this.bucket,
      ...(prefix ? { Prefix: prefix } : {}),
      ...(maxKeys !== undefined ? { MaxKeys: maxKeys } : {}),
      ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
      ...(options.continuationToken ? { ContinuationToken: options.continuationToken } : {}),
      ...(options.startAfter ? { StartAfter: options.startAfter } : {}),
    });
    return settle(this.client.send(command, { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      keys: (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])),
      ...(out.CommonPrefixes ? { commonPrefixes: out.CommonPrefixes.flatMap((p) => (p.Prefix ? [p.Prefix] : [])) } : {}),
      ...(out.IsTruncated && out.NextContinuationToken ? { nextContinuationToken: out.NextContinuationToken } : {}),
    }));
  }

  async putObjectIfAbsent(key: string, body: Uint8Array, signal: AbortSignal, options: PutOptions = {}): Promise<WriteResult> {
    const put = (ifNoneMatch: boolean): Promise<WriteResult> => {
      const command = new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ...(ifNoneMatch ? { IfNoneMatch: "*" } : {}),
        // With the checksum given, the SDK sends it as it would have computed it (once per body here).
        ...(options.crc32 ? { ChecksumAlgorithm: "CRC32" as const, ChecksumCRC32: crc32Base64(body) } : {}),
        // Argo (argoexec 3.7+) sends Content-MD5 on every upload.
        ...(options.contentMd5 ? { ContentMD5: createHash("md5").update(body).digest("base64") } : {}),
      });
      return settleWrite(this.client.send(command, { abortSignal: signal }), (out) => ({
        status: statusOf(out),
        ...versionOf(out.VersionId),
        ...(out.ServerSideEncryption
          ? { encryption: { algorithm: out.ServerSideEncryption, ...(out.SSEKMSKeyId ? { kmsKeyId: out.SSEKMSKeyId } : {}) } }
          : {}),
      }));
    };
    const conditional = await put(true);
    // Stores without conditional writes: the key is run-scoped and random, so a plain PUT
    // cannot overwrite anything that is not the probe's own.
    if (conditional.status === 501 || conditional.errorName === "NotImplemented") return put(false);
    return conditional;
  }

  headObject(key: string, signal: AbortSignal): Promise<HeadResult> {
    return settle(this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      ...versionOf(out.VersionId),
      ...(out.ObjectLockMode
        ? {
            lock: {
              mode: out.ObjectLockMode,
              ...(out.ObjectLockRetainUntilDate ? { retainUntil: out.ObjectLockRetainUntilDate.toISOString() } : {}),
            },
          }
        : {}),
      ...(out.ServerSideEncryption
        ? { encryption: { algorithm: out.ServerSideEncryption, ...(out.SSEKMSKeyId ? { kmsKeyId: out.SSEKMSKeyId } : {}) } }
        : {}),
    }));
  }

  async getObject(key: string, firstByteOnly: boolean, signal: AbortSignal): Promise<ReadResult> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(firstByteOnly ? { Range: "bytes=0-0" } : {}) });
    try {
      const out = await this.client.send(command, { abortSignal: signal });
      return { status: statusOf(out), body: out.Body ? await out.Body.transformToByteArray() : new Uint8Array() };
    } catch (error) {
      return factsFromError(error);
    }
  }

  deleteObject(key: string, versionId: string | undefined, signal: AbortSignal): Promise<WriteResult> {
    const command = new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) });
    return settleWrite(this.client.send(command, { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      ...(out.DeleteMarker ? { deleteMarker: true } : {}),
      ...versionOf(out.VersionId),
    }));
  }

  createMultipartUpload(key: string, signal: AbortSignal): Promise<UploadResult> {
    const command = new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key });
    return settle(this.client.send(command, { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      ...(out.UploadId ? { uploadId: out.UploadId } : {}),
      ...(out.$metadata.attempts ? { attempts: out.$metadata.attempts } : {}),
    }));
  }

  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, signal: AbortSignal): Promise<UploadResult> {
    const command = new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body });
    return settle(this.client.send(command, { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      ...(out.ETag ? { etag: out.ETag } : {}),
    }));
  }

  completeMultipartUpload(key: string, uploadId: string, parts: { partNumber: number; etag: string }[], signal: AbortSignal): Promise<WriteResult> {
    const command = new CompleteMultipartUploadCommand({
      Bucket: this.bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
    });
    return settleWrite(this.client.send(command, { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      ...versionOf(out.VersionId),
    }));
  }

  listMultipartUploads(prefix: string, signal: AbortSignal): Promise<UploadsResult> {
    const command = new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix });
    return settle(this.client.send(command, { abortSignal: signal }), (out) => ({
      status: statusOf(out),
      uploads: (out.Uploads ?? []).flatMap((u) => (u.Key && u.UploadId ? [{ key: u.Key, uploadId: u.UploadId }] : [])),
    }));
  }

  listObjectVersions(prefix: string, signal: AbortSignal, from?: VersionsResult["next"]): Promise<VersionsResult> {
    const command = new ListObjectVersionsCommand({
      Bucket: this.bucket,
      Prefix: prefix,
      ...(from ? { KeyMarker: from.keyMarker, ...(from.versionIdMarker ? { VersionIdMarker: from.versionIdMarker } : {}) } : {}),
    });
    return settle(this.client.send(command, { abortSignal: signal }), (out) => {
      const entry = (deleteMarker: boolean) => (v: { Key?: string; VersionId?: string; IsLatest?: boolean }) =>
        v.Key ? [{ key: v.Key, versionId: v.VersionId ?? "null", deleteMarker, isLatest: v.IsLatest === true }] : [];
      const more = out.IsTruncated && out.NextKeyMarker;
      return {
        status: statusOf(out),
        versions: [...(out.Versions ?? []).flatMap(entry(false)), ...(out.DeleteMarkers ?? []).flatMap(entry(true))],
        ...(more
          ? { next: { keyMarker: out.NextKeyMarker as string, ...(out.NextVersionIdMarker ? { versionIdMarker: out.NextVersionIdMarker } : {}) } }
          : {}),
      };
    });
  }

  getBucketVersioning(signal: AbortSignal): Promise<SettingResult<Versioning>> {
    const pending = this.client.send(new GetBucketVersioningCommand({ Bucket: this.bucket }), { abortSignal: signal });
    return settingOf(pending, "", (out) => versioningOf(out.Status));
  }

  getObjectLockConfiguration(signal: AbortSignal): Promise<SettingResult<ObjectLockSetting>> {
    const pending = this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.bucket }), { abortSignal: signal });
    return settingOf(pending, "ObjectLockConfigurationNotFoundError", (out): ObjectLockSetting | undefined => {
      const config = out.ObjectLockConfiguration;
      if (!config) return undefined;
      const retention = config.Rule?.DefaultRetention;
      const defaultRetention = retention?.Mode
        ? { mode: retention.Mode, ...(retention.Days ? { days: retention.Days } : {}), ...(retention.Years ? { years: retention.Years } : {}) }
        : undefined;
      return { enabled: config.ObjectLockEnabled === "Enabled", ...(defaultRetention ? { defaultRetention } : {}) };
    });
  }

  getBucketEncryption(signal: AbortSignal): Promise<SettingResult<EncryptionSetting>> {
    const pending = this.client.send(new GetBucketEncryptionCommand({ Bucket: this.bucket }), { abortSignal: signal });
    return settingOf(pending, "ServerSideEncryptionConfigurationNotFoundError", (out): EncryptionSetting | undefined => {
      const rule = out.ServerSideEncryptionConfiguration?.Rules?.find((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm);
      const applied = rule?.ApplyServerSideEncryptionByDefault;
      if (!applied?.SSEAlgorithm) return undefined;
      return { algorithm: applied.SSEAlgorithm, ...(applied.KMSMasterKeyID ? { kmsKeyId: applied.KMSMasterKeyID } : {}) };
    });
  }

  getBucketLifecycle(signal: AbortSignal): Promise<SettingResult<LifecycleSetting>> {
    const pending = this.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: this.bucket }), { abortSignal: signal });
    return settingOf(pending, "NoSuchLifecycleConfiguration", (out) => ({
      rules: (out.Rules ?? []).filter((rule) => rule.Status === "Enabled").map(lifecycleRuleOf),
    }));
  }

  getBucketPolicy(signal: AbortSignal): Promise<SettingResult<string>> {
    const pending = this.client.send(new GetBucketPolicyCommand({ Bucket: this.bucket }), { abortSignal: signal });
    return settingOf(pending, "NoSuchBucketPolicy", (out) => out.Policy || undefined);
  }

  abortMultipartUpload(key: string, uploadId: string, signal: AbortSignal): Promise<ResponseFacts> {
    const command = new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId });
    return settle(this.client.send(command, { abortSignal: signal }), (out) => ({ status: statusOf(out) }));
  }
}
