// The requests the probe makes, as the engine sees them: the table of S3 calls and the facts of
// their answers are core's (S3Calls in src/core/operations.ts); src/s3/ implements it on the AWS SDK.
import type { S3Calls } from "../core/operations.js";

export type {
  BucketResult,
  EncryptionSetting,
  HeadResult,
  LifecycleSetting,
  ListOptions,
  ListResult,
  ObjectLockSetting,
  ObjectVersion,
  PutOptions,
  ReadResult,
  SettingResult,
  UploadResult,
  UploadsResult,
  Versioning,
  VersionsResult,
  WriteResult,
} from "../core/operations.js";

/**
 * The one part of the probe's multipart upload: as the only (so the last) part it may be smaller
 * than the 5 MiB S3 asks of the others, and the permissions are the same whatever its size.
 */
export const MULTIPART_PART_BYTES = 64 * 1024;

/** The requests the engine sends: the table of S3 calls (core/operations.ts), which the adapters implement. */
export type S3Port = S3Calls;

/** The port with some of its calls replaced (a watch on its writes), every other call its own. */
export function withCalls(port: S3Port, calls: Partial<S3Port>): S3Port {
  const overrides = new Map<PropertyKey, unknown>(Object.entries(calls));
  return new Proxy(port, { get: (target, name, receiver) => (overrides.has(name) ? overrides.get(name) : Reflect.get(target, name, receiver)) });
}
