// An S3 store in memory that enforces a policy per identity and counts requests: the engine's
// double for the benchmark and for the request-count tests. No SDK, no network.
import type { ResponseFacts } from "../src/core/classify.js";
import { type IamAction, OPERATIONS } from "../src/core/operations.js";
import type {
  BucketResult,
  EncryptionSetting,
  LifecycleSetting,
  ListOptions,
  ListResult,
  ObjectLockSetting,
  ObjectVersion,
  ReadResult,
  S3Port,
  SettingResult,
  UploadResult,
  Versioning,
  VersionsResult,
  WriteResult,
} from "../src/probe/port.js";

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

/** The actions beyond the operations' that a versioned bucket's requests need (none of them in the reference policies). */
type VersionAction =
  | "s3:DeleteObjectVersion"
  | "s3:ListBucketVersions"
  | "s3:GetBucketVersioning"
  | "s3:GetBucketObjectLockConfiguration"
  | "s3:GetEncryptionConfiguration"
  | "s3:GetLifecycleConfiguration"
  | "s3:GetBucketPolicy";
export type StoreAction = IamAction | VersionAction;

/** The bucket's settings: versioning, object lock (its default retention keeps every new version), the rest as read. */
export interface MemoryBucket {
  versioning?: Versioning;
  objectLock?: ObjectLockSetting;
  encryption?: EncryptionSetting;
  lifecycle?: LifecycleSetting;
  policy?: string;
}

interface StoredVersion {
  versionId: string;
  deleteMarker: boolean;
  body?: Uint8Array;
  /** Under the bucket's default retention: no one may remove it. */
  retained: boolean;
}

const DENIED = { status: 403, errorName: "AccessDenied" } as const;

export class MemoryStore {
  constructor(
    readonly missingKeys: MissingKeyAnswers = "aws",
    readonly bucket: MemoryBucket = {},
  ) {}

  /** The current object of each key (on a versioned bucket: the latest version, where it is not a delete marker). */
  readonly objects = new Map<string, Uint8Array>();
  /** On a versioned bucket: every version and delete marker of each key, the latest last. */
  readonly versions = new Map<string, StoredVersion[]>();
  private versionCount = 0;
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

  private get versioned(): boolean {
    return this.bucket.versioning === "enabled";
  }

  /** Every version and delete marker under a prefix, as ListObjectVersions names them (unversioned: each object, version "null"). */
  listVersions(prefix: string): ObjectVersion[] {
    if (!this.versioned) {
      const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
      return keys.map((key) => ({ key, versionId: "null", deleteMarker: false, isLatest: true }));
    }
    return [...this.versions]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([key, stack]) =>
        stack.map((v, i) => ({ key, versionId: v.versionId, deleteMarker: v.deleteMarker, isLatest: i === stack.length - 1 })).reverse(),
      );
  }

  /** Ceph RGW takes a PUT with If-None-Match: * over an existing key of a versioned bucket (a new version), as measured on the local RGW. */
  private get honoursIfNoneMatch(): boolean {
    return !(this.versioned && this.missingKeys === "rgw");
  }

  private put(key: string, body: Uint8Array): WriteResult {
    this.objects.set(key, body);
    if (!this.versioned) return { status: 200 };
    const versionId = `v${++this.versionCount}`;
    const retained = this.bucket.objectLock?.defaultRetention !== undefined;
    this.versions.set(key, [...(this.versions.get(key) ?? []), { versionId, deleteMarker: false, body, retained }]);
    return { status: 200, versionId };
  }

  /** A plain DeleteObject: on a versioned bucket, a delete marker (RGW adds none over a marker; AWS adds one each time). */
  private deleteCurrent(key: string): WriteResult {
    this.objects.delete(key);
    if (!this.versioned) return { status: 204 };
    const stack = this.versions.get(key) ?? [];
    if (this.missingKeys === "rgw" && (stack.length === 0 || stack.at(-1)?.deleteMarker)) return { status: 204 };
    const versionId = `m${++this.versionCount}`;
    this.versions.set(key, [...stack, { versionId, deleteMarker: true, retained: false }]);
    return { status: 204, deleteMarker: true, versionId };
  }

  /** DeleteObject with a version id: that version or marker is gone, unless retained; the key's latest is current again. */
  private deleteVersion(key: string, versionId: string): WriteResult {
    const stack = this.versions.get(key) ?? [];
    const version = stack.find((v) => v.versionId === versionId);
    if (!version) return { status: 204 };
    if (version.retained) return { status: 403, errorName: "AccessDenied", refusedBy: "object-lock" };
    const rest = stack.filter((v) => v !== version);
    if (rest.length > 0) this.versions.set(key, rest);
    else this.versions.delete(key);
    const latest = rest.at(-1);
    if (latest?.body) this.objects.set(key, latest.body);
    else this.objects.delete(key);
    return { status: 204, versionId, ...(version.deleteMarker ? { deleteMarker: true } : {}) };
  }

  private setting<T>(value: T | undefined, noneCode: string): SettingResult<T> {
    return value === undefined ? { status: 404, errorName: noneCode, none: true } : { status: 200, setting: value };
  }

  /** mayList: whether the identity may list under a prefix (default: the whole bucket, as the reference policies grant). */
  portFor(mayDo: (action: StoreAction, key: string) => boolean, mayList: (prefix: string) => boolean = () => true): S3Port {
    const answer = <R extends ResponseFacts>(allowed: boolean, ok: () => R): Promise<R | ResponseFacts> => {
      this.requests += 1;
      return Promise.resolve(allowed ? ok() : DENIED);
    };
    return {
      headBucket: (): Promise<BucketResult> => answer(true, () => ({ status: 200 })),
      getBucketLocation: (): Promise<BucketResult> => answer(true, () => ({ status: 200, region: "us-east-1" })),
      listObjects: (prefix: string, maxKeys: number | undefined, _signal: AbortSignal, options: ListOptions = {}): Promise<ListResult> =>
        answer(mayList(prefix), () => this.list(prefix, maxKeys ?? 1000, options)) as Promise<ListResult>,
      putObjectIfAbsent: (key: string, body: Uint8Array): Promise<WriteResult> =>
        answer(mayDo(PUT, key), () =>
          this.honoursIfNoneMatch && this.objects.has(key) ? { status: 412, errorName: "PreconditionFailed" } : this.put(key, body),
        ),
      headObject: (key: string) =>
        answer(this.readable(mayDo(HEAD, key), key), () => {
          if (!this.objects.has(key)) return { status: 404, errorName: "NotFound" };
          const latest = this.versions.get(key)?.at(-1);
          const retention = this.bucket.objectLock?.defaultRetention;
          return {
            status: 200,
            ...(latest ? { versionId: latest.versionId } : {}),
            ...(latest?.retained && retention ? { lock: { mode: retention.mode } } : {}),
            ...(this.bucket.encryption ? { encryption: this.bucket.encryption } : {}),
          };
        }),
      getObject: (key: string): Promise<ReadResult> =>
        answer(this.readable(mayDo(GET, key), key), () => {
          const body = this.objects.get(key);
          return body ? { status: 200, body } : { status: 404, errorName: "NoSuchKey" };
        }),
      deleteObject: (key: string, versionId: string | undefined): Promise<WriteResult> =>
        versionId && this.versioned
          ? answer(mayDo("s3:DeleteObjectVersion", key), () => this.deleteVersion(key, versionId))
          : answer(mayDo(DELETE, key), () => this.deleteCurrent(key)),
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
          return this.put(key, new Uint8Array());
        }),
      abortMultipartUpload: (key: string, uploadId: string) =>
        answer(mayDo(ABORT, key), () => (this.uploads.delete(uploadId) ? { status: 204 } : { status: 404, errorName: "NoSuchUpload" })),
      // Nor s3:ListBucketMultipartUploads.
      listMultipartUploads: () => answer(false, () => ({ status: 200, uploads: [] })),
      // One page holds them all.
      listObjectVersions: (prefix: string): Promise<VersionsResult> =>
        answer(mayDo("s3:ListBucketVersions", prefix), () => ({ status: 200, versions: this.listVersions(prefix) })),
      getBucketVersioning: () =>
        answer(mayDo("s3:GetBucketVersioning", ""), () => ({ status: 200, setting: this.bucket.versioning ?? "never-enabled" })),
      getObjectLockConfiguration: () =>
        answer(mayDo("s3:GetBucketObjectLockConfiguration", ""), () => this.setting(this.bucket.objectLock, "ObjectLockConfigurationNotFoundError")),
      getBucketEncryption: () =>
        answer(mayDo("s3:GetEncryptionConfiguration", ""), () =>
          this.setting(this.bucket.encryption, "ServerSideEncryptionConfigurationNotFoundError"),
        ),
      getBucketLifecycle: () =>
        answer(mayDo("s3:GetLifecycleConfiguration", ""), () => this.setting(this.bucket.lifecycle, "NoSuchLifecycleConfiguration")),
      getBucketPolicy: () => answer(mayDo("s3:GetBucketPolicy", ""), () => this.setting(this.bucket.policy, "NoSuchBucketPolicy")),
    };
  }
}

const VERSION_ACTIONS: ReadonlySet<StoreAction> = new Set<VersionAction>([
  "s3:DeleteObjectVersion",
  "s3:ListBucketVersions",
  "s3:GetBucketVersioning",
  "s3:GetBucketObjectLockConfiguration",
  "s3:GetEncryptionConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetBucketPolicy",
]);

/** Object rights under these prefixes only, no s3:AbortMultipartUpload and nothing of versions or the bucket's settings: the reference policies. */
export const within = (prefixes: string[]) => (action: StoreAction, key: string) =>
  action !== ABORT && !VERSION_ACTIONS.has(action) && prefixes.some((p) => key.startsWith(p));

/** These rights, and the version actions and the bucket's settings too (fixtures/policies/delete-versions.json). */
export const withVersions = (mayDo: (action: StoreAction, key: string) => boolean) => (action: StoreAction, key: string) =>
  VERSION_ACTIONS.has(action) || mayDo(action, key);
