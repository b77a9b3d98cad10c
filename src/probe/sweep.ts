// kfp-s3-probe sweep: finds what probe runs left behind (a run killed by SIGKILL, OOM or node
// eviction cannot clean up), lists it, and with `delete` removes it. It looks only under the
// layout's prefixes, inside probe namespaces, and never touches a key outside one.
import { setMaxListeners } from "node:events";
import pLimit, { type LimitFunction } from "p-limit";
import type { KeyLayout } from "../core/layout.js";
import { PROBE_NAMESPACE, profileAreaRoots } from "../core/layout.js";
import { deeperNamespaceOf, namespacesUnder, probeRunOf, runStartedAt } from "../core/sweep-rules.js";
import type { Cleaner, CreatedObject } from "./ledger.js";
import { firstUploadLister, listPages, listUploads, removeOne, type Send } from "./phases/cleanup.js";
import { listVersions } from "./phases/versions.js";
import { type ObjectVersion, type S3Port, type Versioning, withCalls } from "./port.js";
import { bounded } from "./run-state.js";

export interface SweepOptions {
  layout: KeyLayout;
  /** Only runs that started before this. */
  startedBefore: Date;
  delete: boolean;
  signal: AbortSignal;
  requestTimeoutMs: number;
  /** At most this many namespaces listed, or keys removed, at once (default 32, a run's default). */
  concurrency?: number;
}

const DEFAULT_SWEEP_CONCURRENCY = 32;

interface SweptRun {
  runId: string;
  startedAt: string;
  /** Current objects, where the versions could not be listed (on an unversioned bucket, every object). */
  keys: string[];
  /** Where ListObjectVersions was allowed: every version and delete marker (a "null" version is among the keys). */
  versions: { key: string; versionId: string; deleteMarker: boolean }[];
  uploads: { key: string; uploadId: string }[];
  /** With delete: what could not be removed, with why. */
  notRemoved: { key: string; versionId?: string; uploadId?: string; reason: string }[];
}

export interface SweepReport {
  /** Who listed; null when no identity may list. */
  listedBy: string | null;
  namespaces: number;
  runs: SweptRun[];
  /** Prefixes whose open uploads could not be listed (s3:ListBucketMultipartUploads). */
  uploadsNotListed: number;
  /** Namespaces whose versions could not be listed (s3:ListBucketVersions): on a versioned bucket, what their deletes leave is not seen. */
  versionsNotListed: number;
  /**
   * With delete, where versions could not be listed: whether the bucket keeps versions. "markers-left"
   * where the deletes' answers named delete markers, else GetBucketVersioning's answer, or "unread".
   */
  versioning?: Versioning | "unread" | "markers-left";
}

/** The first identity that may list the bucket's roots, and the probe namespaces under them. */
async function findNamespaces(cleaners: Cleaner[], layout: KeyLayout, send: Send): Promise<{ lister?: Cleaner; namespaces: string[] }> {
  // Under pipelines/ the probe writes only in pipelines/.kfp-s3-probe/; under each profile root, in each folder.
  const roots = profileAreaRoots(layout);
  const backendNamespaces = layout.backendPrefixes.map((prefix) => `${prefix}${PROBE_NAMESPACE}`);
  for (const lister of cleaners) {
    const listings = await Promise.all(roots.map((root) => listPages(lister, root, send, "/")));
    if (listings.some((l) => l === undefined)) continue;
    return { lister, namespaces: [...backendNamespaces, ...roots.flatMap((root, i) => namespacesUnder(root, listings[i]?.folders ?? []))] };
  }
  return { namespaces: [] };
}

function runOf(runs: Map<string, SweptRun>, runId: string): SweptRun {
  const started = runStartedAt(runId)?.toISOString() ?? "";
  const run = runs.get(runId) ?? { runId, startedAt: started, keys: [], versions: [], uploads: [], notRemoved: [] };
  runs.set(runId, run);
  return run;
}

/** What one namespace holds: its keys, its versions and its open uploads (undefined where they could not be listed). */
interface NamespaceListing {
  keys: string[];
  versions: ObjectVersion[] | undefined;
  uploads: { key: string; uploadId: string }[] | undefined;
}

async function collect(
  lister: Cleaner,
  cleaners: Cleaner[],
  namespaces: string[],
  options: SweepOptions,
  send: Send,
): Promise<{ runs: SweptRun[]; uploadsNotListed: number; versionsNotListed: number; versionsUnseen: Set<string>; namespaces: number }> {
  // Who may list open uploads is asked once, on the first namespace: few keys may, and every other is
  // asked in vain. The namespaces' keys are listed meanwhile; only their uploads wait for the answer.
  const first = namespaces[0];
  const search = first ? firstUploadLister([lister, ...cleaners.filter((c) => c !== lister)], first, send) : Promise.resolve(undefined);
  const limit = pLimit(options.concurrency ?? DEFAULT_SWEEP_CONCURRENCY);
  const listOne = async (ns: string): Promise<NamespaceListing> => {
    const [listing, versions, uploads] = await Promise.all([
      listPages(lister, ns, send),
      listVersions(lister, ns, send),
      search.then((found) => (!found ? undefined : ns === first ? found.uploads : listUploads([found.lister], ns, send))),
    ]);
    return { keys: listing?.keys ?? [], versions, uploads };
  };
  const listings = await Promise.all(namespaces.map((ns) => limit(() => listOne(ns))));
  // A run's namespaces deeper than one folder (its witnesses') are named by markers in these (a marker hidden by a delete marker too).
  const named = (l: NamespaceListing) => [...l.keys, ...(l.versions ?? []).filter((v) => !v.deleteMarker).map((v) => v.key)];
  const deeper = [...new Set(listings.flatMap((l) => named(l).flatMap((key) => deeperNamespaceOf(key) ?? [])))];
  const deeperListings = await Promise.all(deeper.map((ns) => limit(() => listOne(ns))));
  return { ...runsIn([...listings, ...deeperListings], options), namespaces: namespaces.length + deeper.length };
}

/** The listings, in the namespaces' order, as the runs old enough to sweep. */
function runsIn(
  listings: NamespaceListing[],
  options: SweepOptions,
): { runs: SweptRun[]; uploadsNotListed: number; versionsNotListed: number; versionsUnseen: Set<string> } {
  const versionsUnseen = new Set<string>();
  const runs = new Map<string, SweptRun>();
  const old = (runId: string | undefined): runId is string =>
    runId !== undefined && (runStartedAt(runId)?.getTime() ?? Infinity) < options.startedBefore.getTime();
  for (const listing of listings) {
    // Where the versions were listed they are what there is (the current objects among them).
    for (const key of listing.versions ? [] : listing.keys) {
      const runId = probeRunOf(key);
      if (!old(runId)) continue;
      runOf(runs, runId).keys.push(key);
      versionsUnseen.add(key);
    }
    for (const { key, versionId, deleteMarker } of listing.versions ?? []) {
      const runId = probeRunOf(key);
      // A "null" version id is no version (an unversioned bucket's object): a key, removed by a plain delete.
      if (!old(runId)) continue;
      if (versionId === "null" && !deleteMarker) runOf(runs, runId).keys.push(key);
      else runOf(runs, runId).versions.push({ key, versionId, deleteMarker });
    }
    for (const upload of listing.uploads ?? []) {
      const runId = probeRunOf(upload.key);
      if (old(runId)) runOf(runs, runId).uploads.push(upload);
    }
  }
  const uploadsNotListed = listings.filter((listing) => listing.uploads === undefined).length;
  const versionsNotListed = listings.filter((listing) => listing.versions === undefined).length;
  return { runs: [...runs.values()].sort((a, b) => a.runId.localeCompare(b.runId)), uploadsNotListed, versionsNotListed, versionsUnseen };
}

/** Keys and uploads removed at most `limit` at once; what could not be, in their order. */
async function removeAll(run: SweptRun, entries: CreatedObject[], send: Send, signal: AbortSignal, limit: LimitFunction): Promise<void> {
  const failures = await Promise.all(
    entries.map((entry) =>
      // The rule again, at the moment of deleting: never a key outside a probe namespace.
      probeRunOf(entry.key) !== run.runId ? [] : limit(() => removeOne(entry, send, signal)),
    ),
  );
  for (const [i, entry] of entries.entries()) {
    const failed = failures[i] ?? [];
    if (failed.length > 0) {
      const id = entry.uploadId ? { uploadId: entry.uploadId } : entry.versionId ? { versionId: entry.versionId } : {};
      run.notRemoved.push({ key: entry.key, ...id, reason: failed.join("; ") });
    }
  }
}

/**
 * Every key and upload of the run; the markers of its deeper namespaces last, and only once all
 * else is gone, so that a sweep that could not remove everything finds the rest the next time.
 */
async function remove(run: SweptRun, cleaners: Cleaner[], send: Send, signal: AbortSignal, limit: LimitFunction): Promise<void> {
  const entry = (key: string, id: { uploadId?: string; versionId?: string } = {}): CreatedObject => ({
    key,
    ...id,
    identity: "",
    cleaners,
    state: "created",
  });
  const all = [
    ...run.keys.map((key) => entry(key)),
    ...run.versions.map((v) => entry(v.key, { versionId: v.versionId })),
    ...run.uploads.map((u) => entry(u.key, { uploadId: u.uploadId })),
  ];
  const isMarker = (e: CreatedObject) => !e.uploadId && deeperNamespaceOf(e.key) !== undefined;
  await removeAll(
    run,
    all.filter((e) => !isMarker(e)),
    send,
    signal,
    limit,
  );
  const markers = all.filter(isMarker);
  if (run.notRemoved.length === 0) await removeAll(run, markers, send, signal, limit);
  else
    for (const { key, versionId } of markers)
      run.notRemoved.push({ key, ...(versionId ? { versionId } : {}), reason: "kept until what it names is removed" });
}

/** Whether the bucket keeps versions, by the first cleaner that may read its versioning. */
async function versioningOf(cleaners: Cleaner[], send: Send): Promise<Versioning | "unread"> {
  for (const { port } of cleaners) {
    const result = await send((s) => port.getBucketVersioning(s));
    if ("none" in result && result.none) return "never-enabled";
    if ("setting" in result && result.setting !== undefined) return result.setting;
  }
  return "unread";
}

/** The cleaners, each plain delete whose answer names a delete marker noted by key: the bucket keeps versions. */
function noticingMarkers(cleaners: Cleaner[], markers: Set<string>): Cleaner[] {
  return cleaners.map((cleaner) => {
    const deleteObject: S3Port["deleteObject"] = async (key, versionId, signal) => {
      const answer = await cleaner.port.deleteObject(key, versionId, signal);
      if (!versionId && answer.deleteMarker) markers.add(key);
      return answer;
    };
    return { ...cleaner, port: withCalls(cleaner.port, { deleteObject }) };
  });
}

/**
 * A key removed by a plain delete where its versions could not be listed: on a bucket that keeps
 * versions, a delete marker now hides it and its data stays as a noncurrent version. Not removed.
 */
function keptAsVersions(runs: SweptRun[], versionsUnseen: ReadonlySet<string>): void {
  for (const run of runs) {
    const failed = new Set(run.notRemoved.map((left) => left.key));
    for (const key of run.keys.filter((k) => versionsUnseen.has(k) && !failed.has(k)))
      run.notRemoved.push({
        key,
        reason:
          "a delete marker hides it and its versions stay: the bucket keeps versions, and these keys may not list them (s3:ListBucketVersions) to remove them (s3:DeleteObjectVersion)",
      });
  }
}

export async function sweep(cleaners: Cleaner[], options: SweepOptions): Promise<SweepReport> {
  setMaxListeners(0, options.signal);
  const send: Send = (request) => bounded(request, options.signal, options.requestTimeoutMs);
  const { lister, namespaces } = await findNamespaces(cleaners, options.layout, send);
  if (!lister) return { listedBy: null, namespaces: 0, runs: [], uploadsNotListed: 0, versionsNotListed: 0 };
  const {
    runs,
    uploadsNotListed,
    versionsNotListed,
    versionsUnseen,
    namespaces: listed,
  } = await collect(lister, cleaners, namespaces, options, send);
  const limit = pLimit(options.concurrency ?? DEFAULT_SWEEP_CONCURRENCY);
  const report = { listedBy: lister.identity, namespaces: listed, runs, uploadsNotListed, versionsNotListed };
  if (!options.delete) return report;
  const markers = new Set<string>();
  const watched = noticingMarkers(cleaners, markers);
  await Promise.all(runs.map((run) => remove(run, watched, send, options.signal, limit)));
  if (versionsUnseen.size === 0) return report;
  // The deletes' answers name the markers they leave (AWS, RGW, MinIO); the bucket's versioning is
  // asked where none did (RGW adds no marker over a marker). Unread, the answers are all there is.
  const versioning = markers.size > 0 ? "markers-left" : await versioningOf([lister, ...cleaners.filter((c) => c !== lister)], send);
  const keeps = versioning === "enabled" || versioning === "suspended" || versioning === "markers-left";
  if (keeps) keptAsVersions(runs, versionsUnseen);
  return { ...report, versioning };
}
