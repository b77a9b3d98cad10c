// An S3 store in memory that enforces a policy per identity and counts requests: the engine's
// double for the benchmark and for the request-count tests. No SDK, no network.
import type { ResponseFacts } from "../src/core/classify.js";
import type { BucketResult, ListResult, ReadResult, S3Port, UploadResult, WriteResult } from "../src/probe/port.js";

export type Action = "put" | "get" | "delete";

export class MemoryStore {
  readonly objects = new Map<string, Uint8Array>();
  requests = 0;

  portFor(mayDo: (action: Action, key: string) => boolean): S3Port {
    const answer = <R extends ResponseFacts>(allowed: boolean, ok: () => R): Promise<R | ResponseFacts> => {
      this.requests += 1;
      return Promise.resolve(allowed ? ok() : { status: 403, errorName: "AccessDenied" });
    };
    return {
      headBucket: (): Promise<BucketResult> => answer(true, () => ({ status: 200 })),
      getBucketLocation: (): Promise<BucketResult> => answer(true, () => ({ status: 200, region: "us-east-1" })),
      listObjects: (prefix: string, maxKeys: number): Promise<ListResult> =>
        answer(true, () => ({
          status: 200,
          keys: [...this.objects.keys()].filter((k) => k.startsWith(prefix)).slice(0, maxKeys),
        })) as Promise<ListResult>,
      putObjectIfAbsent: (key: string, body: Uint8Array): Promise<WriteResult> =>
        answer(mayDo("put", key), () => {
          if (this.objects.has(key)) return { status: 412, errorName: "PreconditionFailed" };
          this.objects.set(key, body);
          return { status: 200 };
        }),
      headObject: (key: string) =>
        answer(mayDo("get", key), () => (this.objects.has(key) ? { status: 200 } : { status: 404, errorName: "NotFound" })),
      getObject: (key: string): Promise<ReadResult> =>
        answer(mayDo("get", key), () => {
          const body = this.objects.get(key);
          return body ? { status: 200, body } : { status: 404, errorName: "NoSuchKey" };
        }),
      deleteObject: (key: string): Promise<WriteResult> =>
        answer(mayDo("delete", key), () => {
          this.objects.delete(key);
          return { status: 204 };
        }),
      createMultipartUpload: (key: string): Promise<UploadResult> => answer(mayDo("put", key), () => ({ status: 200, uploadId: `upload-${key}` })),
      uploadPart: (key: string): Promise<UploadResult> => answer(mayDo("put", key), () => ({ status: 200, etag: '"part"' })),
      completeMultipartUpload: (key: string): Promise<WriteResult> =>
        answer(mayDo("put", key), () => {
          this.objects.set(key, new Uint8Array());
          return { status: 200 };
        }),
      // The reference policies do not grant s3:AbortMultipartUpload.
      abortMultipartUpload: () => answer(false, () => ({ status: 204 })),
    };
  }
}

/** Object rights under these prefixes only, and no s3:AbortMultipartUpload: the reference policies. */
export const within = (prefixes: string[]) => (_action: Action, key: string) => prefixes.some((p) => key.startsWith(p));
