// Phase 2: the bucket's profiles. Each layout root (artifacts/, v2/artifacts/) is listed with
// delimiter "/", every page, by the first identity that may (the backend first), all roots at
// once; the profiles found join those in the run and those named by the config or --other-profile.
import { type DiscoveryReport, mergeProfiles, profileOfFolder } from "../../core/discovery.js";
import { profileAreaRoots } from "../../core/layout.js";
import type { ProbeIdentity, RunState } from "../run-state.js";

const PAGE = 1000;
const DEFAULT_MAX_PROFILES = 500;

interface RootListing {
  names: string[];
  /** Set when this identity may not list the root (or the store failed). */
  refused?: string;
}

/** Every page of one root, stopping once more names than the bound are known. */
async function listRoot(state: RunState, lister: ProbeIdentity, root: string, bound: number): Promise<RootListing> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await state.request(`ListObjectsV2 prefix=${root} delimiter=/ (discovery)`, undefined, "bucket", (s) =>
      lister.port.listObjects(root, PAGE, s, { delimiter: "/", ...(token ? { continuationToken: token } : {}) }),
    );
    if (page.observation.outcome !== "allowed") return { names, refused: page.observation.reason ?? page.observation.outcome };
    const folders = "commonPrefixes" in page.result ? (page.result.commonPrefixes ?? []) : [];
    names.push(...folders.flatMap((folder) => profileOfFolder(root, folder) ?? []));
    token = "nextContinuationToken" in page.result ? page.result.nextContinuationToken : undefined;
  } while (token && names.length <= bound);
  return { names };
}

/** One root by the first lister that may: the names found, and who listed it or why nobody could. */
async function listRootByFirst(state: RunState, root: string, bound: number): Promise<{ names: string[]; listedBy?: string; problems: string[] }> {
  const names: string[] = [];
  const problems: string[] = [];
  for (const lister of state.listers()) {
    const listing = await listRoot(state, lister, root, bound);
    names.push(...listing.names);
    if (!listing.refused) return { names, listedBy: lister.name, problems };
    problems.push(`${lister.name} may not list ${root} (${listing.refused})`);
  }
  return { names, problems };
}

/**
 * The roots, all at once (none waits on another's answer), each by the first lister that may;
 * returns the names and who listed them, taken in the roots' order as if listed one after another.
 */
async function listRoots(state: RunState, roots: string[], bound: number): Promise<{ found: string[]; listedBy: string | null; problem?: string }> {
  const listings = await Promise.all(roots.map((root) => listRootByFirst(state, root, bound)));
  const found = new Set(listings.flatMap((listing) => listing.names));
  const problems = listings.flatMap((listing) => listing.problems);
  const listedBy = listings.find((listing) => listing.listedBy)?.listedBy ?? null;
  const problem = listedBy ? undefined : problems.length > 0 ? problems.join("; ") : "no identity in the run could list the bucket";
  return { found: [...found], listedBy, ...(problem ? { problem } : {}) };
}

export async function discover(state: RunState): Promise<DiscoveryReport> {
  const { options, identities } = state;
  const limit = options.maxProfiles ?? DEFAULT_MAX_PROFILES;
  const roots = profileAreaRoots(options.layout);
  const inRun = identities.flatMap((i) => (i.role.kind === "profile" ? [i.role.profile] : []));
  const listing =
    options.discover === false
      ? { found: [], listedBy: null, problem: "discovery is off (--no-discover)" }
      : await listRoots(state, roots, limit + inRun.length);
  const { profiles, leftOut } = mergeProfiles(inRun, options.namedProfiles ?? [], listing.found, limit);
  return { roots, listedBy: listing.listedBy, ...(listing.problem ? { problem: listing.problem } : {}), profiles, limit, leftOut };
}
