// The requests the probe makes, as the engine sees them: every answer, success or failure, comes
// back as plain facts. src/s3/ implements this on the AWS SDK.
import type { ResponseFacts } from "../core/classify.js";

export interface ListResult extends ResponseFacts {
  keys: string[];
}
export interface WriteResult extends ResponseFacts {
  /** Version id of what the request created, on a versioned bucket. */
  versionId?: string;
  /** DeleteObject left a delete marker (versioned bucket). */
  deleteMarker?: boolean;
}
export interface ReadResult extends ResponseFacts {
  body?: Uint8Array;
}
export interface BucketResult extends ResponseFacts {
  /** HeadBucket's x-amz-bucket-region, or GetBucketLocation's answer as the store gave it. */
  region?: string;
}

export interface S3Port {
  headBucket(signal: AbortSignal): Promise<BucketResult>;
  getBucketLocation(signal: AbortSignal): Promise<BucketResult>;
  listObjects(prefix: string, maxKeys: number, signal: AbortSignal): Promise<ListResult>;
  /** Writes only if the key does not exist yet (If-None-Match: *). */
  putObjectIfAbsent(key: string, body: Uint8Array, signal: AbortSignal): Promise<WriteResult>;
  headObject(key: string, signal: AbortSignal): Promise<ResponseFacts>;
  /** `firstByteOnly` reads one byte, for objects that are not the probe's own. */
  getObject(key: string, firstByteOnly: boolean, signal: AbortSignal): Promise<ReadResult>;
  deleteObject(key: string, versionId: string | undefined, signal: AbortSignal): Promise<WriteResult>;
}
