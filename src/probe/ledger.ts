// Every object (or object version) the probe may have created, so that it can remove exactly
// those and report any it could not.
import type { S3Port } from "./port.js";

export interface Cleaner {
  identity: string;
  port: S3Port;
}

export interface CreatedObject {
  key: string;
  /** Set on versioned buckets: the version (or delete marker) the probe created. */
  versionId?: string;
  /** Set for a multipart upload not completed: it is removed by aborting it. */
  uploadId?: string;
  /** The identity whose keys created it. */
  identity: string;
  /** Who tries to remove it, in order: its creator first, then the prefix's owner and the backend. */
  cleaners: Cleaner[];
}

export interface Leftover {
  key: string;
  versionId?: string;
  uploadId?: string;
  identity: string;
  reason: string;
}

export class Ledger {
  private readonly entries = new Set<CreatedObject>();
  private count = 0;

  /** Objects the probe created, or may have: a write that timed out counts. */
  get created(): number {
    return this.count;
  }

  /** Called before the request: a write that times out may still have landed. */
  record(entry: CreatedObject): CreatedObject {
    this.entries.add(entry);
    this.count += 1;
    return entry;
  }

  /** The store refused the write: nothing was created. */
  discard(entry: CreatedObject): void {
    if (this.take(entry)) this.count -= 1;
  }

  markRemoved(entry: CreatedObject): void {
    this.take(entry);
  }

  pending(): readonly CreatedObject[] {
    return [...this.entries];
  }

  private take(entry: CreatedObject): boolean {
    return this.entries.delete(entry);
  }
}
