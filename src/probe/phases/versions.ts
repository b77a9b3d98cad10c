// Cleanup's last word on a versioned bucket: ListObjectVersions under each of the run's namespaces,
// by the first identity that may (s3:ListBucketVersions). What it shows that no entry recorded (a
// write or delete whose answer was lost) is removed by its version id too; what is still listed
// after that is exactly what is left. Where a namespace cannot be listed, the ledger's word stands
// and the cleanup says "unverified".
import type { LimitFunction } from "p-limit";
import { classify, type ResponseFacts } from "../../core/classify.js";
import type { Cleaner, CreatedObject, Ledger, Leftover } from "../ledger.js";
import type { ObjectVersion, VersionsResult } from "../port.js";

type Send = <R extends ResponseFacts>(send: (signal: AbortSignal) => Promise<R>) => Promise<R | ResponseFacts>;

interface VersionedNamespace {
  keyPrefix: string;
  listers: Cleaner[];
  cleaners: Cleaner[];
}

export interface Verification {
  namespaces: VersionedNamespace[];
  /** What the cleanup could not remove, as the ledger knows it. */
  leftovers: Leftover[];
  send: Send;
  limit: LimitFunction;
  ledger: Ledger;
  /** Removes one entry (by its version id), returning why not. */
  remove: (entry: CreatedObject) => Promise<string[]>;
  leftoverOf: (entry: CreatedObject, reason: string) => Leftover;
  identityOf: (key: string) => string;
}

/** Every version and marker under a prefix, every page; undefined where the lister may not list them. */
export async function listVersions(lister: Cleaner, prefix: string, send: Send): Promise<ObjectVersion[] | undefined> {
  const versions: ObjectVersion[] = [];
  let from: VersionsResult["next"];
  do {
    const marker = from;
    const page = await send((s) => lister.port.listObjectVersions(prefix, s, marker));
    if (classify(page, "bucket").outcome !== "allowed") return undefined;
    versions.push(...("versions" in page ? (page.versions ?? []) : []));
    from = "next" in page ? page.next : undefined;
  } while (from);
  return versions;
}

/** The first lister's versions under the namespace, with who listed; undefined where none may. */
async function firstVersionListing(ns: VersionedNamespace, send: Send): Promise<{ lister: Cleaner; versions: ObjectVersion[] } | undefined> {
  for (const lister of ns.listers) {
    const versions = await listVersions(lister, ns.keyPrefix, send);
    if (versions) return { lister, versions };
  }
  return undefined;
}

const idOf = (key: string, versionId: string | undefined) => `${key}\u0000${versionId ?? "null"}`;

/**
 * A listed version or marker as an entry to remove. A "null" version is no version (an object
 * written before versioning, or while it is suspended): removed by a plain delete. A "null" delete
 * marker (what a plain delete leaves on a suspended bucket) is removed only by its id, "null": a
 * plain delete would find nothing current and leave it.
 */
function entryOf(version: ObjectVersion, ns: VersionedNamespace, identityOf: (key: string) => string): CreatedObject {
  return {
    key: version.key,
    ...(version.versionId !== "null" || version.deleteMarker ? { versionId: version.versionId } : {}),
    ...(version.deleteMarker ? { deleteMarker: true } : {}),
    identity: identityOf(version.key),
    cleaners: ns.cleaners,
    state: "created",
  };
}

/** One namespace: its orphans removed, then what is listed is what is left; undefined where it cannot be listed. */
async function verifyNamespace(ns: VersionedNamespace, known: Map<string, Leftover>, work: Verification): Promise<Leftover[] | undefined> {
  const first = await firstVersionListing(ns, work.send);
  if (!first) return undefined;
  const orphans = first.versions.filter((v) => !known.has(idOf(v.key, v.versionId === "null" ? undefined : v.versionId)));
  work.ledger.foundUnrecorded(orphans.length);
  const failed = new Map<string, Leftover>();
  await Promise.all(
    orphans.map((version) =>
      work.limit(async () => {
        const entry = entryOf(version, ns, work.identityOf);
        const failures = await work.remove(entry);
        if (failures.length > 0) failed.set(idOf(entry.key, entry.versionId), work.leftoverOf(entry, failures.join("; ")));
      }),
    ),
  );
  if (known.size === 0 && failed.size === 0) return [];
  // A listing after the removals that cannot be had leaves the namespace unverified: the first is no longer the truth.
  const after = await listVersions(first.lister, ns.keyPrefix, work.send);
  if (!after) return undefined;
  return after.map((version) => {
    const id = idOf(version.key, version.versionId === "null" ? undefined : version.versionId);
    const entry = entryOf(version, ns, work.identityOf);
    return known.get(id) ?? failed.get(id) ?? work.leftoverOf(entry, "listed by ListObjectVersions after the cleanup");
  });
}

/** The leftovers as ListObjectVersions shows them where it may; verified only where every namespace could be listed. */
export async function verifyVersions(work: Verification): Promise<{ leftovers: Leftover[]; verified: boolean; unlisted: string[] }> {
  const inNamespace = (ns: VersionedNamespace) => (l: Leftover) => l.key.startsWith(ns.keyPrefix);
  const results = await Promise.all(
    work.namespaces.map((ns) => {
      const mine = work.leftovers.filter(inNamespace(ns)).filter((l) => !l.uploadId);
      return verifyNamespace(ns, new Map(mine.map((l) => [idOf(l.key, l.versionId), l])), work);
    }),
  );
  const verified = results.every((r) => r !== undefined);
  // Uploads are not versions; a namespace that could not be listed keeps the ledger's leftovers.
  const kept = work.leftovers.filter((l) => l.uploadId || work.namespaces.every((ns, i) => !inNamespace(ns)(l) || results[i] === undefined));
  const unlisted = work.namespaces.filter((_, i) => results[i] === undefined).map((ns) => ns.keyPrefix);
  return { leftovers: [...kept, ...results.flatMap((r) => r ?? [])], verified, unlisted };
}
