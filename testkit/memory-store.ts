// An S3 store in memory that enforces a policy per identity and counts requests: the engine's
// double for the benchmark and for the request-count tests. No SDK, no network.
import type { ResponseFacts } from "../src/core/classify.js";
import { type IamAction, OPERATIONS } from "../src/core/operations.js";
import type { BucketResult, ListOptions, ListResult, ReadResult, S3Port, UploadResult, WriteResult } from "../src/probe/port.js";

/** The IAM action each request is authorised by: the action of the operation that sends it. */
const PUT = OPERATIONS.put.action;
const HEAD = OPERATIONS.head.action;
const GET = OPERATIONS.get.action;
const DELETE = OPERATIONS.delete.action;
const MULTIPART = OPERATIONS.multipart.action;
const ABORT = OPERATIONS["abort-multipart"].action;

/**
 * How a read of a missing key is answered: "aws" (to a caller that may list, 404 where it may read,
 * 403 where not) or "rgw" (404 whatever the policy, as Ceph RGW and MinIO answer).
 */
export type MissingKeyAnswers = "aws" | "rgw";

export class MemoryStore {
  constructor(readonly missingKeys: MissingKeyAnswers = "aws") {}

  readonly objects = new Map<string, Uint8Array>();
  /** Open multipart uploads: upload id → key. */
  readonly uploads = new Map<string, string>();
  requests = 0;

  /** One page of ListObjectsV2, sorted as S3 sorts (by UTF-8 bytes, which ASCII keys share with string order). */
  list(prefix: string, maxKeys: number, options: ListOptions): ListResult {
    const after = options.continuationToken ?? options.startAfter ?? "";
    const matching = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const entries = new Map<string, "key" | "prefix">();
    for (const key of matching) {
      const cut = options.delimiter ? key.indexOf(options.delimiter, prefix.length) : -1;
      entries.set(cut >= 0 ? key.slice(0, cut + 1) : key, cut >= 0 ? "prefix" : "key");
    }
    const page = [...entries].slice(0, maxKeys);
    const more = entries.size > maxKeys;
    const last = page.at(-1)?.[0];
    return {
      status: 200,
      keys: page.filter(([, kind]) => kind === "key").map(([k]) => k),
      ...(options.delimiter ? { commonPrefixes: page.filter(([, kind]) => kind === "prefix").map(([k]) => k) } : {}),
      // A folder's token skips all its keys.
      ...(more && last ? { nextContinuationToken: last.endsWith("/") ? `${last}\uffff` : last } : {}),
    };
  }

  /** Whether a read is answered as allowed: where it is, and, as RGW answers, wherever the key is missing. */
  private readable(allowed: boolean, key: string): boolean {
    return allowed || (this.missingKeys === "rgw" && !this.objects.has(key));
  }

  /** mayList: whether the identity may list under a prefix (default: the whole bucket, as the reference policies grant). */
  portFor(mayDo: (action: IamAction, key: string) => boolean, mayList: (prefix: string) => boolean = () => true): S3Port {
    const answer = <R extends ResponseFacts>(allowed: boolean, ok: () => R): Promise<R | ResponseFacts> => {
      this.requests += 1;
      return Promise.resolve(allowed ? ok() : { status: 403, errorName: "AccessDenied" });
    };
    return {
      headBucket: (): Promise<BucketResult> => answer(true, () => ({ status: 200 })),
      getBucketLocation: (): Promise<BucketResult> => answer(true, () => ({ status: 200, region: "us-east-1" })),
      listObjects: (prefix: string, maxKeys: number, _signal: AbortSignal, options: ListOptions = {}): Promise<ListResult> =>
        answer(mayList(prefix), () => this.list(prefix, maxKeys, options)) as Promise<ListResult>,
      putObjectIfAbsent: (key: string, body: Uint8Array): Promise<WriteResult> =>
        answer(mayDo(PUT, key), () => {
          if (this.objects.has(key)) return { status: 412, errorName: "PreconditionFailed" };
          this.objects.set(key, body);
          return { status: 200 };
        }),
      headObject: (key: string) =>
        answer(this.readable(mayDo(HEAD, key), key), () => (this.objects.has(key) ? { status: 200 } : { status: 404, errorName: "NotFound" })),
      getObject: (key: string): Promise<ReadResult> =>
        answer(this.readable(mayDo(GET, key), key), () => {
          const body = this.objects.get(key);
          return body ? { status: 200, body } : { status: 404, errorName: "NoSuchKey" };
        }),
      deleteObject: (key: string): Promise<WriteResult> =>
        answer(mayDo(DELETE, key), () => {
          this.objects.delete(key);
          return { status: 204 };
        }),
      createMultipartUpload: (key: string): Promise<UploadResult> =>
        answer(mayDo(MULTIPART, key), () => {
          const uploadId = `upload-${this.uploads.size}-${key}`;
          this.uploads.set(uploadId, key);
          return { status: 200, uploadId };
        }),
      uploadPart: (key: string, uploadId: string): Promise<UploadResult> =>
        answer(mayDo(MULTIPART, key), () =>
          this.uploads.has(uploadId) ? { status: 200, etag: '"part"' } : { status: 404, errorName: "NoSuchUpload" },
        ),
      completeMultipartUpload: (key: string, uploadId: string): Promise<WriteResult> =>
        answer(mayDo(MULTIPART, key), () => {
          if (!this.uploads.delete(uploadId)) return { status: 404, errorName: "NoSuchUpload" };
          this.objects.set(key, new Uint8Array());
          return { status: 200 };
        }),
      abortMultipartUpload: (key: string, uploadId: string) =>
        answer(mayDo(ABORT, key), () => (this.uploads.delete(uploadId) ? { status: 204 } : { status: 404, errorName: "NoSuchUpload" })),
      // Nor s3:ListBucketMultipartUploads.
      listMultipartUploads: () => answer(false, () => ({ status: 200, uploads: [] })),
    };
  }
}

/** Object rights under these prefixes only, and no s3:AbortMultipartUpload: the reference policies. */
export const within = (prefixes: string[]) => (action: IamAction, key: string) => action !== ABORT && prefixes.some((p) => key.startsWith(p));
