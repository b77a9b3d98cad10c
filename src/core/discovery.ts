// Which profiles a bucket holds, from the "folders" under the layout's roots, and how each profile
// the run tries came to be known. Pure: the listing itself is the probe's.
import { isValidProfileName, PROBE_NAMESPACE, UNOWNED_PREFIX } from "./layout.js";

export type ProfileSource = "run" | "bucket" | "config" | "flag";

export interface KnownProfile {
  name: string;
  /** How it came to be known, in the order found. */
  sources: ProfileSource[];
}

export interface DiscoveryReport {
  /** The layout's roots that were listed. */
  roots: string[];
  /** The identity whose listing found the bucket's profiles; null where none could list. */
  listedBy: string | null;
  /** Why the bucket's profiles could not be listed, where they could not. */
  problem?: string;
  profiles: KnownProfile[];
  /** At most this many profiles beyond the run are tried. */
  limit: number;
  /** How many profiles beyond the run were left out by the limit. */
  leftOut: number;
}

/** `artifacts/team-2/` under the root `artifacts/` is the profile team-2; the probe's own namespaces are not profiles. */
export function profileOfFolder(root: string, folder: string): string | undefined {
  if (!folder.startsWith(root) || !folder.endsWith("/")) return undefined;
  const name = folder.slice(root.length, -1);
  if (`${name}/` === PROBE_NAMESPACE || name.startsWith(UNOWNED_PREFIX) || !isValidProfileName(name)) return undefined;
  return name;
}

/**
 * Every profile the run tries, each once with all its sources: the run's own first, then those
 * named, then those found, cut to `limit` beyond the run.
 */
export function mergeProfiles(
  inRun: string[],
  named: { name: string; source: ProfileSource }[],
  found: string[],
  limit: number,
): { profiles: KnownProfile[]; leftOut: number } {
  const byName = new Map<string, KnownProfile>();
  const add = (name: string, source: ProfileSource) => {
    const known = byName.get(name) ?? { name, sources: [] };
    if (!known.sources.includes(source)) known.sources.push(source);
    byName.set(name, known);
  };
  for (const name of inRun) add(name, "run");
  for (const { name, source } of named) add(name, source);
  for (const name of found) add(name, "bucket");
  const all = [...byName.values()];
  const run = all.filter((p) => p.sources.includes("run"));
  // Profiles named by the operator are never the ones the bound cuts.
  const namedFirst = (p: KnownProfile) => (p.sources.includes("config") || p.sources.includes("flag") ? 0 : 1);
  const beyond = all.filter((p) => !p.sources.includes("run")).sort((a, b) => namedFirst(a) - namedFirst(b) || a.name.localeCompare(b.name));
  return { profiles: [...run, ...beyond.slice(0, limit)], leftOut: Math.max(0, beyond.length - limit) };
}
