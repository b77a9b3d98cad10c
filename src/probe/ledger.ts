// Every object (or object version, or upload) the probe created or may have created, so that it
// can remove exactly those and report truthfully what it could not. A write is pending until its
// answer: created (2xx, or 412 on a retried conditional PUT: an earlier attempt of ours wrote the
// key), not created (any other 4xx), or unknown (no answer, a reset, a timeout, a 5xx).
import type { Cause, Remedy } from "../core/cause.js";
import type { ResponseFacts } from "../core/classify.js";
import type { S3Port } from "./port.js";

export interface Cleaner {
  identity: string;
  port: S3Port;
}

type WriteState = "pending" | "created" | "unknown";

export interface CreatedObject {
  key: string;
  /** Set on versioned buckets: the version (or delete marker) the probe created. */
  versionId?: string;
  /** The version is a delete marker one of the probe's deletes left. */
  deleteMarker?: boolean;
  /** Set for a multipart upload not completed: it is removed by aborting it. */
  uploadId?: string;
  /** The identity whose keys created it. */
  identity: string;
  /** Who tries to remove it, in order: its creator first, then the prefix's owner and the backend. */
  cleaners: Cleaner[];
  state?: WriteState;
  /** Why removing this version was refused, where the store said: no s3:DeleteObjectVersion, or object lock. */
  refusal?: Extract<Cause, "delete-version-denied" | "object-lock-retention">;
}

export interface Leftover {
  key: string;
  versionId?: string;
  /** The version is a delete marker (versioned bucket). */
  deleteMarker?: boolean;
  uploadId?: string;
  identity: string;
  reason: string;
  /** Why it could not be removed, as data, where the store said: a version whose removal was denied, or object lock. */
  cause?: Cause;
  remedy?: Remedy;
}

/** 2xx, or 412 on a conditional PUT of a run-scoped key: the key is there, and it is ours. */
function wasWritten(facts: ResponseFacts): boolean {
  const { status } = facts;
  return status !== undefined && ((status >= 200 && status < 300 && !facts.errorName) || status === 412);
}

/** Any other 4xx: the store stored nothing. */
function wasRefused(facts: ResponseFacts): boolean {
  const { status } = facts;
  return status !== undefined && status >= 400 && status < 500 && status !== 412;
}

export class Ledger {
  private readonly entries = new Set<CreatedObject>();
  /** Keys where a CreateMultipartUpload may have opened an upload whose id the probe never saw, with why. */
  readonly unseenUploads = new Map<string, string>();
  /**
   * Keys where a request that makes a version or a delete marker on a versioned bucket (PutObject,
   * a DeleteObject without a version id, CompleteMultipartUpload) got no answer or was sent more
   * than once: it may have left one the probe never heard of, with why. ListObjectVersions settles
   * them where it may be sent; elsewhere the cleanup names them.
   */
  readonly unseenVersions = new Map<string, string>();
  private count = 0;
  private recorded = 0;

  /** Whether any write was ever sent: where none was, nothing can be left. */
  get anyWriteSent(): boolean {
    return this.recorded > 0;
  }

  /** Objects the probe created (confirmed by the store's answer or found by cleanup). */
  get created(): number {
    return this.count;
  }

  /** Called before the request: a write whose answer is lost may still have landed. */
  record(entry: CreatedObject): CreatedObject {
    this.recorded += 1;
    entry.state ??= "pending";
    if (entry.state === "created") this.count += 1;
    this.entries.add(entry);
    return entry;
  }

  /** The write's answer decides: created, not created (dropped), or unknown. */
  settle(entry: CreatedObject, facts: ResponseFacts): void {
    if (wasWritten(facts)) this.confirm(entry);
    else if (wasRefused(facts)) this.entries.delete(entry);
    else entry.state = "unknown";
  }

  /** The object exists: a write that answered, or one cleanup found. */
  confirm(entry: CreatedObject): void {
    if (entry.state !== "created") this.count += 1;
    entry.state = "created";
  }

  /** Cleanup found objects of the run that no entry recorded (a write whose answer was lost). */
  foundUnrecorded(count: number): void {
    this.count += count;
  }

  /** Cleanup found that a write with no answer never landed. */
  neverWritten(entry: CreatedObject): void {
    this.entries.delete(entry);
  }

  /** The store refused the write: nothing was created. */
  discard(entry: CreatedObject): void {
    this.entries.delete(entry);
  }

  markRemoved(entry: CreatedObject): void {
    this.entries.delete(entry);
  }

  pending(): readonly CreatedObject[] {
    return [...this.entries];
  }
}
