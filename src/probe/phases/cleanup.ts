// Phase 4: cleanup, always, also after an abort or an exception. Each object is removed by the
// first of its cleaners that may; the rest are reported.
import { setMaxListeners } from "node:events";
import pLimit from "p-limit";
import { classify, type ResponseFacts } from "../../core/classify.js";
import type { CreatedObject, Ledger, Leftover } from "../ledger.js";
import type { S3Port } from "../port.js";

const ABORTED: ResponseFacts = { aborted: true };

export interface CleanupOptions {
  concurrency: number;
  cleanupTimeoutMs: number;
  /** Abandons the cleanup (a second Ctrl-C); what is left is reported. */
  cleanupSignal?: AbortSignal;
}

export interface CleanupReport {
  created: number;
  removed: number;
  leftovers: Leftover[];
}

/**
 * Ends an upload the probe left open (a run cut short mid-upload). Aborting needs
 * s3:AbortMultipartUpload, which the reference policies do not grant; then the upload is
 * finished with a one-byte part (s3:PutObject) and the object deleted (s3:DeleteObject).
 */
async function closeUpload(port: S3Port, key: string, uploadId: string, signal: AbortSignal): Promise<ResponseFacts> {
  const abort = await port.abortMultipartUpload(key, uploadId, signal);
  if (classify(abort, "write").outcome === "allowed" || abort.status === 404) return abort;
  const part = await port.uploadPart(key, uploadId, 1, new Uint8Array(1), signal);
  if (!part.etag) return abort;
  const completed = await port.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag: part.etag }], signal);
  if (classify(completed, "write").outcome !== "allowed") return abort;
  const removed = await port.deleteObject(key, undefined, signal);
  if (completed.versionId && classify(removed, "write").outcome === "allowed") {
    return port.deleteObject(key, completed.versionId, signal);
  }
  return removed;
}

/** Tries each cleaner in turn; returns undefined once removed, else the leftover with every failure. */
async function removeOne(entry: CreatedObject, signal: AbortSignal): Promise<Leftover | undefined> {
  const failures: string[] = [];
  for (const cleaner of entry.cleaners) {
    const { uploadId } = entry;
    const answer = signal.aborted
      ? ABORTED
      : uploadId
        ? await closeUpload(cleaner.port, entry.key, uploadId, signal)
        : await cleaner.port.deleteObject(entry.key, entry.versionId, signal);
    const { outcome, reason } = classify(answer, "write");
    if (outcome === "allowed" || answer.status === 404) return undefined;
    const request = uploadId ? "AbortMultipartUpload" : "DeleteObject";
    failures.push(outcome === "denied" ? `${request} denied to ${cleaner.identity}` : `${cleaner.identity}: ${reason ?? `${request} failed`}`);
    if (signal.aborted) break;
  }
  return {
    key: entry.key,
    ...(entry.versionId ? { versionId: entry.versionId } : {}),
    ...(entry.uploadId ? { uploadId: entry.uploadId } : {}),
    identity: entry.identity,
    reason: failures.join("; "),
  };
}

export async function removeCreated(ledger: Ledger, options: CleanupOptions): Promise<CleanupReport> {
  const signal = AbortSignal.any([AbortSignal.timeout(options.cleanupTimeoutMs), ...(options.cleanupSignal ? [options.cleanupSignal] : [])]);
  setMaxListeners(0, signal);
  const limit = pLimit(options.concurrency);
  const leftovers: Leftover[] = [];
  await Promise.all(
    ledger.pending().map((entry) =>
      limit(async () => {
        const leftover = await removeOne(entry, signal);
        if (leftover) leftovers.push(leftover);
        else ledger.markRemoved(entry);
      }),
    ),
  );
  return { created: ledger.created, removed: ledger.created - leftovers.length, leftovers };
}
