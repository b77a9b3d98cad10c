// Phase: cleanup, always, also after an abort or an exception. The run's namespace under every
// prefix is listed (with its open uploads, by an identity that may): a write with no answer is
// there or it never landed, and what no entry recorded is the run's own too. Every entry is
// removed by the first of its cleaners that may: those the store confirmed while the namespaces
// are listed, the others once the listing has told (a write with no answer in a namespace nobody
// may list is looked up first: a 404 means it never landed). Where something could not be removed,
// the namespace is listed again: only what is still there is a leftover; where no identity may
// list, the ledger's word stands.
import { setMaxListeners } from "node:events";
import pLimit, { type LimitFunction } from "p-limit";
import { probeNamespaceArn } from "../../core/bucket-facts.js";
import { findingWith } from "../../core/cause.js";
import { classify, type ResponseFacts } from "../../core/classify.js";
import type { Cleaner, CreatedObject, Ledger, Leftover } from "../ledger.js";
import type { S3Port } from "../port.js";
import { bounded, DEFAULT_REQUEST_TIMEOUT_MS } from "../run-state.js";
import { type Verification, verifyVersions } from "./versions.js";

interface CleanupOptions {
  concurrency: number;
  /** For the remedies' resources. */
  bucket?: string;
  /** The bucket keeps versions: each is removed by its id, and ListObjectVersions verifies where allowed. */
  versioned?: boolean;
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
  /**
   * Keys where an upload may be open with an id the probe never saw (a CreateMultipartUpload whose
   * answer was lost) and no identity could list the open uploads to find out.
   */
  unverifiedUploads?: { key: string; reason: string }[];
  /**
   * Namespaces whose listing failed (an error, not a denial: the store refused the listing's
   * signature, or never answered): what no entry recorded could not be looked for there, so
   * "removed" is the ledger's word, unverified.
   */
  unverifiedNamespaces?: { prefix: string; reason: string }[];
  /**
   * On a versioned bucket: "verified" where ListObjectVersions under every namespace of the run
   * showed what is left, "unverified" where some could not be listed (s3:ListBucketVersions) and
   * the leftovers are the ledger's word.
   */
  versions?: "verified" | "unverified";
  /**
   * Where versions could not be listed: keys where a write whose answer was lost or that the SDK
   * sent again may have left a version or a delete marker beyond the leftovers named (its id was
   * never heard, and only ListObjectVersions could find it).
   */
  unverifiedVersions?: { key: string; reason: string }[];
}

/** Time for each round of `concurrency` removals, beyond the base budget. */
const PER_ROUND_MS = 1000;

export type Send = <R extends ResponseFacts>(send: (signal: AbortSignal) => Promise<R>) => Promise<R | ResponseFacts>;

const allowed = (facts: ResponseFacts) => classify(facts, "write").outcome === "allowed";

/** Told that an upload turned out completed (by the cleanup, or in flight): its object, of this version, is what is left to remove. */
type Completed = (versionId: string | undefined) => void;

/** Removes a key if it is there, by the version HeadObject names (a plain delete on a versioned bucket would leave a marker). */
async function removeIfThere(port: S3Port, key: string, send: Send, completed: Completed): Promise<ResponseFacts> {
  const head = await send((s) => port.headObject(key, s));
  if (head.status === 404) return head;
  const versionId = "versionId" in head ? head.versionId : undefined;
  completed(versionId);
  return send((s) => port.deleteObject(key, versionId, s));
}

/**
 * Ends an upload the probe left open. Aborting needs s3:AbortMultipartUpload, which the reference
 * policies do not grant; then the upload is finished with a one-byte part (s3:PutObject) and the
 * object deleted. An upload that is gone may have completed in flight (a 404 to the part, or to
 * the SDK's retry of a complete that acted): its object is removed too.
 */
async function closeUpload(port: S3Port, key: string, uploadId: string, send: Send, completed: Completed): Promise<ResponseFacts> {
  const abort = await send((s) => port.abortMultipartUpload(key, uploadId, s));
  if (allowed(abort)) return abort;
  if (abort.status === 404) return removeIfThere(port, key, send, completed);
  const part = await send((s) => port.uploadPart(key, uploadId, 1, new Uint8Array(1), s));
  if (part.status === 404) return removeIfThere(port, key, send, completed);
  if (!("etag" in part) || !part.etag) return abort;
  const etag = part.etag;
  const done = await send((s) => port.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag }], s));
  if (done.status === 404) return removeIfThere(port, key, send, completed);
  if (!allowed(done)) return abort;
  // Completed by us just now: the object is there, no need to look it up; on a versioned bucket it is removed by its version.
  const versionId = "versionId" in done ? done.versionId : undefined;
  completed(versionId);
  return send((s) => port.deleteObject(key, versionId, s));
}

/** An upload that turned out completed is its object now (of this version): reported, and removed by the next cleaner, as one. */
function becomeObject(entry: CreatedObject, versionId: string | undefined): void {
  delete entry.uploadId;
  if (versionId) entry.versionId = versionId;
}

/** A version's removal refused: by object lock where the store says so, else for want of s3:DeleteObjectVersion. */
function refusalOf(answer: ResponseFacts): NonNullable<CreatedObject["refusal"]> {
  return answer.refusedBy === "object-lock" ? "object-lock-retention" : "delete-version-denied";
}

/**
 * Tries each cleaner in turn; returns the failures, empty once removed (or never written).
 * `onFound` is told when a write that had no answer turns out to have landed. On a versioned
 * bucket an entry whose version the probe never heard (a write with no answer, one a listing
 * found) is looked up first: it is removed by the version HeadObject names, not hidden by a marker.
 */
export async function removeOne(
  entry: CreatedObject,
  send: Send,
  signal: AbortSignal,
  onFound: () => void = () => undefined,
  versioned = false,
): Promise<string[]> {
  const failures: string[] = [];
  for (const cleaner of entry.cleaners) {
    if (signal.aborted) return [...failures, "the cleanup was cut short"];
    const { uploadId } = entry;
    if (!uploadId && (entry.state !== "created" || (versioned && !entry.versionId))) {
      // A write with no answer: it may never have landed.
      const head = await send((s) => cleaner.port.headObject(entry.key, s));
      if (head.status === 404) return [];
      if (head.status !== undefined && head.status < 300) onFound();
      if (versioned && "versionId" in head && head.versionId) entry.versionId ??= head.versionId;
    }
    const answer = uploadId
      ? await closeUpload(cleaner.port, entry.key, uploadId, send, (versionId) => becomeObject(entry, versionId))
      : await send((s) => cleaner.port.deleteObject(entry.key, entry.versionId, s));
    const { outcome, reason } = classify(answer, "write");
    if (outcome === "allowed" || answer.status === 404) return [];
    if (outcome === "denied" && entry.versionId && !entry.uploadId) entry.refusal = refusalOf(answer);
    const request = entry.uploadId ? "AbortMultipartUpload" : entry.versionId ? `DeleteObject of version ${entry.versionId}` : "DeleteObject";
    failures.push(outcome === "denied" ? `${request} denied to ${cleaner.identity}` : `${cleaner.identity}: ${reason ?? `${request} failed`}`);
  }
  return failures;
}

function leftoverOf(entry: CreatedObject, reason: string, bucket = ""): Leftover {
  return {
    key: entry.key,
    ...(entry.versionId ? { versionId: entry.versionId } : {}),
    ...(entry.deleteMarker ? { deleteMarker: true } : {}),
    ...(entry.uploadId ? { uploadId: entry.uploadId } : {}),
    identity: entry.identity,
    reason,
    ...(entry.refusal ? refusalFinding(entry.refusal, bucket) : {}),
  };
}

/** The cause and remedy of a version left: s3:DeleteObjectVersion on the probe's namespaces (or a lifecycle rule), or object lock. */
function refusalFinding(refusal: NonNullable<CreatedObject["refusal"]>, bucket: string): Pick<Leftover, "cause" | "remedy"> {
  const parts = refusal === "delete-version-denied" ? { actions: ["s3:DeleteObjectVersion" as const], resource: probeNamespaceArn(bucket) } : {};
  return findingWith(refusal, parts);
}

interface Listing {
  keys: string[];
  uploads: { key: string; uploadId: string }[];
  /** The uploads could not be listed (s3:ListBucketMultipartUploads is rarely granted). */
  uploadsUnknown: boolean;
}

const LISTING_TRIES = 3;
/** The version listings are the leftovers' last word (each of them the SDK's 3 attempts): tried longer. */
const VERSION_LISTING_TRIES = 6;

/** A listing whose answer was lost or broken (reset, truncated body, 5xx) is sent again: cleanup's truth rests on it. */
function retrying(send: Send, tries = LISTING_TRIES): Send {
  const failed = (answer: ResponseFacts) => !answer.aborted && classify(answer, "bucket").outcome === "error";
  return async (request) => {
    let answer = await send(request);
    for (let i = 1; i < tries && failed(answer); i++) answer = await send(request);
    return answer;
  };
}

/** Every page of a listing, with its "folders" where a delimiter is given; undefined when the identity may not list there. */
export async function listPages(
  lister: Cleaner,
  prefix: string,
  send: Send,
  delimiter?: string,
): Promise<{ keys: string[]; folders: string[] } | undefined> {
  const keys: string[] = [];
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const page = await send((s) =>
      lister.port.listObjects(prefix, 1000, s, { ...(delimiter ? { delimiter } : {}), ...(token ? { continuationToken: token } : {}) }),
    );
    if (!allowed(page)) return undefined;
    keys.push(...("keys" in page ? (page.keys ?? []) : []));
    folders.push(...("commonPrefixes" in page ? (page.commonPrefixes ?? []) : []));
    token = "nextContinuationToken" in page ? page.nextContinuationToken : undefined;
  } while (token);
  return { keys, folders };
}

/** Who may list open uploads, and (until the namespace is changed) what it listed under the prefix it was asked on. */
interface UploadLister {
  lister: Cleaner;
  asked?: { prefix: string; uploads: { key: string; uploadId: string }[] };
}

/**
 * Every key of the namespace, and its open uploads, by the first lister that may; undefined when
 * none may list it. Where every lister's listing failed with an error, `unlisted` is told why.
 */
async function listNamespace(
  ns: Namespace,
  plainSend: Send,
  uploadLister: Promise<UploadLister | undefined>,
  unlisted: Map<string, string>,
): Promise<Listing | undefined> {
  const send = retrying(plainSend);
  // The keys and the open uploads at once: neither waits on the other's answer.
  const [listed, uploads] = await Promise.all([firstListing(ns, send, unlisted), ns.uploads ? openUploads(ns.keyPrefix, uploadLister, send) : []]);
  if (!listed) return undefined;
  return { keys: listed.keys, uploads: uploads ?? [], uploadsUnknown: uploads === undefined };
}

async function firstListing(ns: Namespace, send: Send, unlisted: Map<string, string>): Promise<{ keys: string[] } | undefined> {
  let failure: string | undefined;
  for (const lister of ns.listers) {
    const watched: Send = async (request) => {
      const answer = await send(request);
      const { outcome, reason } = classify(answer, "bucket");
      if (outcome === "error" && !answer.aborted) failure = `${lister.identity}: ${reason ?? "the listing failed"}`;
      return answer;
    };
    const listed = await listPages(lister, ns.keyPrefix, watched);
    if (listed) return listed;
  }
  if (failure) unlisted.set(ns.keyPrefix, failure);
  return undefined;
}

/** Open uploads under a prefix by the identity that may list them (its first answer, where it was asked there); undefined where none may. */
async function openUploads(
  prefix: string,
  uploadLister: Promise<UploadLister | undefined>,
  send: Send,
): Promise<{ key: string; uploadId: string }[] | undefined> {
  const found = await uploadLister;
  if (!found) return undefined;
  if (found.asked?.prefix === prefix) return found.asked.uploads;
  return listUploads([found.lister], prefix, send);
}

/** Open uploads under a prefix, by the first identity that may list them (few keys may). */
export async function listUploads(listers: Cleaner[], prefix: string, send: Send): Promise<{ key: string; uploadId: string }[] | undefined> {
  return (await firstUploadLister(listers, prefix, send))?.uploads;
}

/**
 * The first identity, in the listers' order, that may list open uploads, with what it listed. All
 * are asked at once: few keys may, and no answer changes what another is asked. Once per cleanup
 * or sweep.
 */
export async function firstUploadLister(
  listers: Cleaner[],
  prefix: string,
  send: Send,
): Promise<{ lister: Cleaner; uploads: { key: string; uploadId: string }[] } | undefined> {
  const answers = await Promise.all(listers.map((lister) => send((s) => lister.port.listMultipartUploads(prefix, s))));
  const first = answers.findIndex((answer) => "uploads" in answer && allowed(answer));
  const answer = answers[first];
  const lister = listers[first];
  return lister && answer && "uploads" in answer ? { lister, uploads: answer.uploads ?? [] } : undefined;
}

/** Who may list open uploads, asked on the first namespace where uploads were tried. */
async function findUploadLister(namespaces: Namespace[], send: Send): Promise<UploadLister | undefined> {
  const withUploads = namespaces.find((ns) => ns.uploads);
  if (!withUploads) return undefined;
  const found = await firstUploadLister(withUploads.listers, withUploads.keyPrefix, retrying(send));
  return found ? { lister: found.lister, asked: { prefix: withUploads.keyPrefix, uploads: found.uploads } } : undefined;
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
  // Where no write was ever sent, nothing can be there: nothing is listed (nor sent to a store that hangs).
  const listable = ledger.anyWriteSent ? namespaces : [];
  // Asked beside the namespaces' listings, which wait for it only to list open uploads.
  const uploadLister = findUploadLister(listable, send);
  const unlisted = new Map<string, string>();
  const listAll = async (which: Namespace[], lister: Promise<UploadLister | undefined>) =>
    new Map(
      (await Promise.all(which.map((ns) => limit(async () => [ns, await listNamespace(ns, send, lister, unlisted)] as const)))).filter(hasListing),
    );
  const work: Removal = { ledger, entries, send, signal, failed: new Map(), limit, versioned: options.versioned === true };
  const { answered, unsure } = byWhatListingTells(entries);
  // 1. The namespaces as they are: they say which writes with no answer landed, and what no entry
  // recorded. A write the store answered needs no listing: it is removed while they are listed.
  const [before] = await Promise.all([
    listAll(listable, uploadLister).then((listings) => removeWithListings(listings, unsure, work)),
    ...answered.map((entry) => limit(() => removeEntry(entry, undefined, work))),
  ]);
  // 2. Where something could not be removed, the namespace is listed again: only what is still there is left.
  // (The uploads the lister saw before the removals are not taken for what is there now.)
  const lister = uploadLister.then((found) => found && { lister: found.lister });
  const after = await listAll(
    [...before.keys()].filter((ns) => [...work.failed.keys()].some((e) => e.key.startsWith(ns.keyPrefix))),
    lister,
  );
  if (work.versioned) await hideCurrent(work, after);
  const listed = [...work.failed].flatMap(([entry, failures]) => {
    const listing = namespaceOf(entry, after);
    return listing && stillThere(entry, listing) === false ? [] : [leftoverOf(entry, failures.join("; "), options.bucket)];
  });
  const checked = work.versioned ? await verifyVersions(verificationOf(work, listable, listed, options.bucket ?? "")) : undefined;
  const leftovers = checked?.leftovers ?? listed;
  const removed = Math.max(0, ledger.created - leftovers.length);
  return {
    created: ledger.created,
    removed,
    leftovers,
    ...unverifiedUploadsOf(ledger),
    ...unverifiedNamespacesOf(unlisted),
    ...(checked ? { versions: checked.verified ? ("verified" as const) : ("unverified" as const) } : {}),
    ...unverifiedVersionsOf(ledger, checked?.unlisted ?? []),
  };
}

/** What ListObjectVersions is to check, and how what it finds is removed and reported. */
function verificationOf(work: Removal, namespaces: Namespace[], leftovers: Leftover[], bucket: string): Verification {
  const { send, signal, limit, ledger } = work;
  return {
    namespaces,
    leftovers,
    // The listings are the truth the leftovers rest on: one whose answer was lost is sent again.
    send: retrying(send, VERSION_LISTING_TRIES),
    limit,
    ledger,
    remove: (entry) => removeOne(entry, send, signal, () => undefined, true),
    leftoverOf: (entry, reason) => leftoverOf(entry, reason, bucket),
    identityOf: identityOfKey,
  };
}

/**
 * Where a probe version could not be removed and is still the key's current object, a plain
 * DeleteObject hides it behind a delete marker: no probe object stays current. The marker is left
 * too (removing it would make the version current again), and reported with the version's cause.
 */
async function hideCurrent(work: Removal, after: Listings): Promise<void> {
  const stuck = [...work.failed.keys()].filter((entry) => entry.refusal && !entry.uploadId && namespaceOf(entry, after)?.keys.includes(entry.key));
  const byKey = new Map(stuck.map((entry) => [entry.key, entry]));
  await Promise.all([...byKey.values()].map((entry) => work.limit(() => hideOne(entry, work))));
}

async function hideOne(entry: CreatedObject, work: Removal): Promise<void> {
  for (const cleaner of entry.cleaners) {
    const hidden = await work.send((s) => cleaner.port.deleteObject(entry.key, undefined, s));
    if (!allowed(hidden)) continue;
    if ("versionId" in hidden && hidden.versionId && "deleteMarker" in hidden && hidden.deleteMarker) {
      const marker = work.ledger.record({
        key: entry.key,
        versionId: hidden.versionId,
        deleteMarker: true,
        identity: cleaner.identity,
        cleaners: entry.cleaners,
        state: "created",
        ...(entry.refusal ? { refusal: entry.refusal } : {}),
      });
      work.failed.set(marker, [
        `the delete marker that hides version ${entry.versionId} of the key, which could not be removed: kept, or the version would be current again`,
      ]);
    }
    return;
  }
}

/**
 * Entries the store said it created, and those the listing decides (a write with no answer). A
 * created entry that shares its key with one the listing decides waits for the listing too: its
 * removal must not make the other look as if it never landed.
 */
function byWhatListingTells(entries: readonly CreatedObject[]): { answered: CreatedObject[]; unsure: CreatedObject[] } {
  const unsure = entries.filter((entry) => entry.state !== "created");
  const unsureKeys = new Set(unsure.map((entry) => entry.key));
  const answered = entries.filter((entry) => entry.state === "created" && !unsureKeys.has(entry.key));
  return { answered, unsure: entries.filter((entry) => !answered.includes(entry)) };
}

/** Once the namespaces are listed: the writes it decides, and what no entry recorded, removed. */
async function removeWithListings(before: Listings, unsure: CreatedObject[], work: Removal): Promise<Listings> {
  const { ledger, limit } = work;
  forgetSeenUploads(ledger, before);
  await Promise.all([
    ...unsure.map((entry) => limit(() => removeEntry(entry, namespaceOf(entry, before), work))),
    ...orphansIn(before, work.entries, ledger).map((orphan) => limit(() => removeEntry(orphan, undefined, work))),
  ]);
  return before;
}

interface Removal {
  ledger: Ledger;
  /** The ledger's entries when the cleanup began (removals during the listing leave the ledger). */
  entries: readonly CreatedObject[];
  send: Send;
  limit: LimitFunction;
  signal: AbortSignal;
  failed: Map<CreatedObject, string[]>;
  versioned: boolean;
}

type Listings = Map<Namespace, Listing>;

function hasListing(pair: readonly [Namespace, Listing | undefined]): pair is readonly [Namespace, Listing] {
  return pair[1] !== undefined;
}

/** The listing of the namespace an entry lies in, where there is one. */
function namespaceOf(entry: CreatedObject, listings: Listings): Listing | undefined {
  for (const [ns, listing] of listings) if (entry.key.startsWith(ns.keyPrefix)) return listing;
  return undefined;
}

/** Whether a listing shows the entry; undefined where it cannot say (versions; uploads that could not be listed). */
function stillThere(entry: CreatedObject, listing: Listing): boolean | undefined {
  if (entry.versionId || (entry.uploadId && listing.uploadsUnknown)) return undefined;
  return entry.uploadId ? listing.uploads.some((u) => u.uploadId === entry.uploadId) : listing.keys.includes(entry.key);
}

/** A write with no answer is decided by the listing where there is one: absent, it never landed. */
async function removeEntry(entry: CreatedObject, listing: Listing | undefined, work: Removal): Promise<void> {
  const { ledger } = work;
  if (entry.state !== "created" && listing) {
    const there = stillThere(entry, listing);
    if (there === false) return ledger.neverWritten(entry);
    if (there === true) ledger.confirm(entry);
  }
  const failures = await removeOne(entry, work.send, work.signal, () => ledger.confirm(entry), work.versioned);
  if (failures.length === 0) ledger.markRemoved(entry);
  else work.failed.set(entry, failures);
}

/** What the namespaces hold that no entry recorded (a write whose answer was lost): the run's own, to remove. */
function orphansIn(listings: Listings, entries: readonly CreatedObject[], ledger: Ledger): CreatedObject[] {
  const known = new Set(entries.flatMap((e) => [e.key, e.uploadId ?? e.key]));
  const orphans: CreatedObject[] = [...listings].flatMap(([ns, listing]): CreatedObject[] => [
    ...listing.keys
      .filter((key) => !known.has(key))
      .map((key) => ({ key, identity: identityOfKey(key), cleaners: ns.cleaners, state: "created" as const })),
    ...listing.uploads
      .filter((u) => !known.has(u.uploadId))
      .map((u) => ({ ...u, identity: identityOfKey(u.key), cleaners: ns.cleaners, state: "created" as const })),
  ]);
  ledger.foundUnrecorded(orphans.filter((o) => !o.uploadId).length);
  return orphans;
}

/** Where the open uploads were listed, an upload whose id the probe never saw was found there (and is removed as an orphan). */
function forgetSeenUploads(ledger: Ledger, listings: Listings): void {
  for (const [ns, listing] of listings) {
    if (listing.uploadsUnknown) continue;
    for (const key of [...ledger.unseenUploads.keys()]) if (key.startsWith(ns.keyPrefix)) ledger.unseenUploads.delete(key);
  }
}

function unverifiedUploadsOf(ledger: Ledger): Pick<CleanupReport, "unverifiedUploads"> {
  const unverifiedUploads = [...ledger.unseenUploads].map(([key, why]) => ({
    key,
    reason: `${why}: an upload may be open with an id the probe never saw, and no identity may list open uploads (s3:ListBucketMultipartUploads)`,
  }));
  return unverifiedUploads.length > 0 ? { unverifiedUploads } : {};
}

/** Where ListObjectVersions could not be had: the keys where a write may have left a version or marker unheard. */
function unverifiedVersionsOf(ledger: Ledger, unlisted: string[]): Pick<CleanupReport, "unverifiedVersions"> {
  const unverifiedVersions = [...ledger.unseenVersions]
    .filter(([key]) => unlisted.some((prefix) => key.startsWith(prefix)))
    .map(([key, reason]) => ({ key, reason }));
  return unverifiedVersions.length > 0 ? { unverifiedVersions } : {};
}

function unverifiedNamespacesOf(unlisted: Map<string, string>): Pick<CleanupReport, "unverifiedNamespaces"> {
  const unverifiedNamespaces = [...unlisted].map(([prefix, reason]) => ({ prefix, reason }));
  return unverifiedNamespaces.length > 0 ? { unverifiedNamespaces } : {};
}
