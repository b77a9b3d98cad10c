// Phase: cleanup, always, also after an abort or an exception. First every ledger entry is removed
// by the first of its cleaners that may (a write with no answer is looked up first: a 404 means it
// never landed). Then the run's namespace under every prefix is listed, with its open uploads,
// by an identity that may, and whatever is still there is removed. Only what exists after that
// is a leftover; where no identity may list, the ledger's word stands.
import { setMaxListeners } from "node:events";
import pLimit, { type LimitFunction } from "p-limit";
import { classify, type ResponseFacts } from "../../core/classify.js";
import type { Cleaner, CreatedObject, Ledger, Leftover } from "../ledger.js";
import type { S3Port } from "../port.js";
import { bounded, DEFAULT_REQUEST_TIMEOUT_MS } from "../run-state.js";

export interface CleanupOptions {
  concurrency: number;
  /** The base budget; it grows with what there is to remove. */
  cleanupTimeoutMs: number;
  /** Abandons the cleanup (a second Ctrl-C); what is left is reported. */
  cleanupSignal?: AbortSignal;
  requestTimeoutMs?: number;
}

/** One prefix's part of the run's namespace (`<prefix>.kfp-s3-probe/<run-id>/`) and who may list and clean it. */
export interface Namespace {
  keyPrefix: string;
  /** Uploads were tried here: list the open ones too. */
  uploads: boolean;
  listers: Cleaner[];
  cleaners: Cleaner[];
}

export interface CleanupReport {
  created: number;
  removed: number;
  leftovers: Leftover[];
}

/** Time for each round of `concurrency` removals, beyond the base budget. */
const PER_ROUND_MS = 1000;

export type Send = <R extends ResponseFacts>(send: (signal: AbortSignal) => Promise<R>) => Promise<R | ResponseFacts>;

const allowed = (facts: ResponseFacts) => classify(facts, "write").outcome === "allowed";

/** Removes a key if it is there, by the version HeadObject names (a plain delete on a versioned bucket would leave a marker). */
async function removeIfThere(port: S3Port, key: string, send: Send): Promise<ResponseFacts> {
  const head = await send((s) => port.headObject(key, s));
  if (head.status === 404) return head;
  const versionId = "versionId" in head ? head.versionId : undefined;
  return send((s) => port.deleteObject(key, versionId, s));
}

/**
 * Ends an upload the probe left open. Aborting needs s3:AbortMultipartUpload, which the reference
 * policies do not grant; then the upload is finished with a one-byte part (s3:PutObject) and the
 * object deleted. An upload that is gone may have completed in flight: its object is removed too.
 */
async function closeUpload(port: S3Port, key: string, uploadId: string, send: Send): Promise<ResponseFacts> {
  const abort = await send((s) => port.abortMultipartUpload(key, uploadId, s));
  if (allowed(abort) || abort.status === 404) return removeIfThere(port, key, send).then((r) => (allowed(r) || r.status === 404 ? abort : r));
  const part = await send((s) => port.uploadPart(key, uploadId, 1, new Uint8Array(1), s));
  if (part.status === 404) return removeIfThere(port, key, send);
  if (!("etag" in part) || !part.etag) return abort;
  const etag = part.etag;
  const completed = await send((s) => port.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag }], s));
  if (!allowed(completed)) return abort;
  return removeIfThere(port, key, send);
}

/**
 * Tries each cleaner in turn; returns the failures, empty once removed (or never written).
 * `onFound` is told when a write that had no answer turns out to have landed.
 */
export async function removeOne(entry: CreatedObject, send: Send, signal: AbortSignal, onFound: () => void = () => undefined): Promise<string[]> {
  const failures: string[] = [];
  for (const cleaner of entry.cleaners) {
    if (signal.aborted) return [...failures, "the cleanup was cut short"];
    const { uploadId } = entry;
    if (!uploadId && entry.state !== "created") {
      // A write with no answer: it may never have landed.
      const head = await send((s) => cleaner.port.headObject(entry.key, s));
      if (head.status === 404) return [];
      if (head.status !== undefined && head.status < 300) onFound();
    }
    const answer = uploadId
      ? await closeUpload(cleaner.port, entry.key, uploadId, send)
      : await send((s) => cleaner.port.deleteObject(entry.key, entry.versionId, s));
    const { outcome, reason } = classify(answer, "write");
    if (outcome === "allowed" || answer.status === 404) return [];
    const request = uploadId ? "AbortMultipartUpload" : "DeleteObject";
    failures.push(outcome === "denied" ? `${request} denied to ${cleaner.identity}` : `${cleaner.identity}: ${reason ?? `${request} failed`}`);
  }
  return failures;
}

function leftoverOf(entry: CreatedObject, reason: string): Leftover {
  return {
    key: entry.key,
    ...(entry.versionId ? { versionId: entry.versionId } : {}),
    ...(entry.uploadId ? { uploadId: entry.uploadId } : {}),
    identity: entry.identity,
    reason,
  };
}

interface Listing {
  keys: string[];
  uploads: { key: string; uploadId: string }[];
  /** The uploads could not be listed (s3:ListBucketMultipartUploads is rarely granted). */
  uploadsUnknown: boolean;
}

/** Every key of the namespace, and its open uploads, by the first lister that may; undefined when none may list it. */
async function listNamespace(ns: Namespace, send: Send): Promise<Listing | undefined> {
  for (const lister of ns.listers) {
    const keys: string[] = [];
    let token: string | undefined;
    let refused = false;
    do {
      const page = await send((s) => lister.port.listObjects(ns.keyPrefix, 1000, s, token ? { continuationToken: token } : {}));
      if (!allowed(page)) refused = true;
      keys.push(...("keys" in page ? (page.keys ?? []) : []));
      token = "nextContinuationToken" in page ? page.nextContinuationToken : undefined;
    } while (token && !refused);
    if (refused) continue;
    if (!ns.uploads) return { keys, uploads: [], uploadsUnknown: false };
    const uploads = await send((s) => lister.port.listMultipartUploads(ns.keyPrefix, s));
    const listed = "uploads" in uploads && allowed(uploads) ? (uploads.uploads ?? []) : undefined;
    return { keys, uploads: listed ?? [], uploadsUnknown: listed === undefined };
  }
  return undefined;
}

export interface Cleanup {
  ledger: Ledger;
  options: CleanupOptions;
  namespaces: Namespace[];
}

/** The identity whose canary a key is: its last segment, as canaryKey made it. */
function identityOfKey(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1).replace(/^seed-for-/, "");
}

export async function removeCreated({ ledger, options, namespaces }: Cleanup): Promise<CleanupReport> {
  const entries = ledger.pending();
  const rounds = Math.ceil((entries.length + namespaces.length) / options.concurrency);
  const budget = AbortSignal.timeout(options.cleanupTimeoutMs + rounds * PER_ROUND_MS);
  const signal = AbortSignal.any([budget, ...(options.cleanupSignal ? [options.cleanupSignal] : [])]);
  setMaxListeners(0, signal);
  const send: Send = (request) => bounded(request, signal, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const limit = pLimit(options.concurrency);
  const failed = new Map<CreatedObject, string[]>();
  await Promise.all(
    entries.map((entry) =>
      limit(async () => {
        const failures = await removeOne(entry, send, signal, () => ledger.confirm(entry));
        if (failures.length === 0) ledger.markRemoved(entry);
        else failed.set(entry, failures);
      }),
    ),
  );
  const verification = { ledger, send, signal, failed, remaining: new Set(ledger.pending()), leftovers: [] as Leftover[] };
  await Promise.all(namespaces.map((ns) => limit(() => verifyNamespace(ns, verification))));
  const unverified = [...verification.remaining].map((entry) => leftoverOf(entry, (failed.get(entry) ?? ["not removed"]).join("; ")));
  const leftovers = [...verification.leftovers, ...unverified];
  return { created: ledger.created, removed: Math.max(0, ledger.created - leftovers.length), leftovers };
}

interface Verification {
  ledger: Ledger;
  send: Send;
  signal: AbortSignal;
  failed: Map<CreatedObject, string[]>;
  /** Entries the first pass could not remove and no listing has spoken for yet. */
  remaining: Set<CreatedObject>;
  leftovers: Leftover[];
}

/**
 * Lists one namespace: an entry the first pass could not remove is a leftover only if it is still
 * there; what no entry recorded (a write whose answer was lost) is removed now. Versions are not
 * listed by ListObjectsV2, so entries with a version id keep the ledger's word.
 */
async function verifyNamespace(ns: Namespace, v: Verification): Promise<void> {
  const listing = await listNamespace(ns, v.send);
  if (!listing) return;
  for (const entry of [...v.remaining].filter((e) => e.key.startsWith(ns.keyPrefix))) {
    if (entry.versionId || (entry.uploadId && listing.uploadsUnknown)) continue;
    v.remaining.delete(entry);
    const there = entry.uploadId ? listing.uploads.some((u) => u.uploadId === entry.uploadId) : listing.keys.includes(entry.key);
    if (there) v.leftovers.push(leftoverOf(entry, (v.failed.get(entry) ?? []).join("; ")));
  }
  const known = new Set(v.ledger.pending().flatMap((e) => [e.key, e.uploadId ?? e.key]));
  const orphans: CreatedObject[] = [
    ...listing.keys
      .filter((key) => !known.has(key))
      .map((key) => ({ key, identity: identityOfKey(key), cleaners: ns.cleaners, state: "created" as const })),
    ...listing.uploads
      .filter((u) => !known.has(u.uploadId))
      .map((u) => ({ ...u, identity: identityOfKey(u.key), cleaners: ns.cleaners, state: "created" as const })),
  ];
  v.ledger.foundUnrecorded(orphans.filter((o) => !o.uploadId).length);
  for (const orphan of orphans) {
    const failures = await removeOne(orphan, v.send, v.signal);
    if (failures.length > 0) v.leftovers.push(leftoverOf(orphan, `found in the run's namespace after cleanup; ${failures.join("; ")}`));
  }
}
