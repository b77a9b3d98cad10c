// The probe's requests on the AWS SDK v3, each answer reduced to ResponseFacts.
import {
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { ResponseFacts } from "../core/classify.js";
import type { BucketResult, ListResult, ReadResult, S3Port, WriteResult } from "../probe/port.js";

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

/** Status code first, then the S3 error code or SDK error name, then Node's system error code. */
export function factsFromError(error: unknown): ResponseFacts {
  const shape = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const status = typeof shape.$metadata?.httpStatusCode === "number" ? shape.$metadata.httpStatusCode : undefined;
  const name = typeof shape.Code === "string" ? shape.Code : typeof shape.name === "string" ? shape.name : undefined;
  const cause = (typeof shape.cause === "object" && shape.cause !== null ? shape.cause : {}) as SdkErrorShape;
  const code = typeof shape.code === "string" ? shape.code : typeof cause.code === "string" ? cause.code : undefined;
  const facts: ResponseFacts = {};
  if (status !== undefined) facts.status = status;
  if (name && name !== "Error") facts.errorName = name;
  if (code) facts.systemCode = code;
  if (name === "AbortError") facts.aborted = true;
  return facts;
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

export class SdkS3Port implements S3Port {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async headBucket(signal: AbortSignal): Promise<BucketResult> {
    try {
      const out = await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal });
      return { status: statusOf(out), ...(out.BucketRegion ? { region: out.BucketRegion } : {}) };
    } catch (error) {
      return factsFromError(error);
    }
  }

  async getBucketLocation(signal: AbortSignal): Promise<BucketResult> {
    try {
      const out = await this.client.send(new GetBucketLocationCommand({ Bucket: this.bucket }), { abortSignal: signal });
      return { status: statusOf(out), region: normaliseBucketLocation(out.LocationConstraint) };
    } catch (error) {
      return factsFromError(error);
    }
  }

  async listObjects(prefix: string, maxKeys: number, signal: AbortSignal): Promise<ListResult> {
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, ...(prefix ? { Prefix: prefix } : {}), MaxKeys: maxKeys }),
        { abortSignal: signal },
      );
      return { status: statusOf(out), keys: (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])) };
    } catch (error) {
      return { ...factsFromError(error), keys: [] };
    }
  }

  async putObjectIfAbsent(key: string, body: Uint8Array, signal: AbortSignal): Promise<WriteResult> {
    const put = async (ifNoneMatch: boolean): Promise<WriteResult> => {
      try {
        const out = await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ...(ifNoneMatch ? { IfNoneMatch: "*" } : {}) }),
          { abortSignal: signal },
        );
        return { status: statusOf(out), ...(out.VersionId ? { versionId: out.VersionId } : {}) };
      } catch (error) {
        return factsFromError(error);
      }
    };
    const conditional = await put(true);
    // Stores without conditional writes: the key is run-scoped and random, so a plain PUT
    // cannot overwrite anything that is not the probe's own.
    if (conditional.status === 501 || conditional.errorName === "NotImplemented") return put(false);
    return conditional;
  }

  async headObject(key: string, signal: AbortSignal): Promise<ResponseFacts> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      return { status: statusOf(out) };
    } catch (error) {
      return factsFromError(error);
    }
  }

  async getObject(key: string, firstByteOnly: boolean, signal: AbortSignal): Promise<ReadResult> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(firstByteOnly ? { Range: "bytes=0-0" } : {}) }),
        { abortSignal: signal },
      );
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      return { status: statusOf(out), body };
    } catch (error) {
      return factsFromError(error);
    }
  }

  async deleteObject(key: string, versionId: string | undefined, signal: AbortSignal): Promise<WriteResult> {
    try {
      const out = await this.client.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
        { abortSignal: signal },
      );
      return {
        status: statusOf(out),
        ...(out.DeleteMarker ? { deleteMarker: true } : {}),
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
      };
    } catch (error) {
      return factsFromError(error);
    }
  }
}
