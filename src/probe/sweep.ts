// kfp-s3-probe sweep: finds what probe runs left behind (a run killed by SIGKILL, OOM or node
// eviction cannot clean up), lists it, and with `delete` removes it. It looks only under the
// layout's prefixes, inside probe namespaces, and never touches a key outside one.
import { setMaxListeners } from "node:events";
import type { KeyLayout } from "../core/layout.js";
import { PROBE_NAMESPACE, profileAreaRoots } from "../core/layout.js";
import { namespacesUnder, probeRunOf, runStartedAt } from "../core/sweep-rules.js";
import type { Cleaner, CreatedObject } from "./ledger.js";
import { firstUploadLister, listPages, listUploads, removeOne, type Send } from "./phases/cleanup.js";
import { bounded } from "./run-state.js";

export interface SweepOptions {
  layout: KeyLayout;
  /** Only runs that started before this. */
  startedBefore: Date;
  delete: boolean;
  signal: AbortSignal;
  requestTimeoutMs: number;
}

export interface SweptRun {
  runId: string;
  startedAt: string;
  keys: string[];
  uploads: { key: string; uploadId: string }[];
  /** With delete: what could not be removed, with why. */
  notRemoved: { key: string; uploadId?: string; reason: string }[];
}

export interface SweepReport {
  /** Who listed; null when no identity may list. */
  listedBy: string | null;
  namespaces: number;
  runs: SweptRun[];
  /** Prefixes whose open uploads could not be listed (s3:ListBucketMultipartUploads). */
  uploadsNotListed: number;
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
  const run = runs.get(runId) ?? { runId, startedAt: started, keys: [], uploads: [], notRemoved: [] };
  runs.set(runId, run);
  return run;
}

async function collect(
  lister: Cleaner,
  cleaners: Cleaner[],
  namespaces: string[],
  options: SweepOptions,
  send: Send,
): Promise<{ runs: SweptRun[]; uploadsNotListed: number }> {
  const runs = new Map<string, SweptRun>();
  let uploadsNotListed = 0;
  // Who may list open uploads is asked once, on the first namespace: few keys may, and every other is asked in vain.
  const first = namespaces[0];
  const uploadLister = first ? (await firstUploadLister([lister, ...cleaners.filter((c) => c !== lister)], first, send))?.lister : undefined;
  const old = (runId: string | undefined): runId is string =>
    runId !== undefined && (runStartedAt(runId)?.getTime() ?? Infinity) < options.startedBefore.getTime();
  for (const ns of namespaces) {
    const listing = await listPages(lister, ns, send);
    for (const key of listing?.keys ?? []) {
      const runId = probeRunOf(key);
      if (old(runId)) runOf(runs, runId).keys.push(key);
    }
    const uploads = uploadLister ? await listUploads([uploadLister], ns, send) : undefined;
    if (!uploads) uploadsNotListed += 1;
    for (const upload of uploads ?? []) {
      const runId = probeRunOf(upload.key);
      if (old(runId)) runOf(runs, runId).uploads.push(upload);
    }
  }
  return { runs: [...runs.values()].sort((a, b) => a.runId.localeCompare(b.runId)), uploadsNotListed };
}

async function remove(run: SweptRun, cleaners: Cleaner[], send: Send, signal: AbortSignal): Promise<void> {
  const entries: CreatedObject[] = [
    ...run.keys.map((key) => ({ key, identity: "", cleaners, state: "created" as const })),
    ...run.uploads.map((u) => ({ ...u, identity: "", cleaners, state: "created" as const })),
  ];
  for (const entry of entries) {
    // The rule again, at the moment of deleting: never a key outside a probe namespace.
    if (probeRunOf(entry.key) !== run.runId) continue;
    const failures = await removeOne(entry, send, signal);
    if (failures.length > 0)
      run.notRemoved.push({ key: entry.key, ...(entry.uploadId ? { uploadId: entry.uploadId } : {}), reason: failures.join("; ") });
  }
}

export async function sweep(cleaners: Cleaner[], options: SweepOptions): Promise<SweepReport> {
  setMaxListeners(0, options.signal);
  const send: Send = (request) => bounded(request, options.signal, options.requestTimeoutMs);
  const { lister, namespaces } = await findNamespaces(cleaners, options.layout, send);
  if (!lister) return { listedBy: null, namespaces: 0, runs: [], uploadsNotListed: 0 };
  const { runs, uploadsNotListed } = await collect(lister, cleaners, namespaces, options, send);
  if (options.delete) for (const run of runs) await remove(run, cleaners, send, options.signal);
  return { listedBy: lister.identity, namespaces: namespaces.length, runs, uploadsNotListed };
}
