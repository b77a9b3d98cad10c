// A run as named phases over one explicit RunState:
//   preflight (one bucket-wide list per identity; an identity that cannot connect or authenticate
//   sends nothing more) → discover (the bucket's profiles) → plan → at once: find objects to read
//   (one KFP object per prefix the identities must not reach), seed (objects that exist, for reads
//   and deletes where no KFP object does) and check (bucket, each prefix, uploads; a prefix's checks
//   wait for its seed and its object to read) → clean up (always, also after an abort or an
//   exception) → collect.
// The engine only composes them; each phase is a module in ./phases/.

import { type BucketFacts, isVersioned } from "../core/bucket-facts.js";
import { type ComponentVerdict, judgeComponents } from "../core/component-verdicts.js";
import { markMangled, markPublic } from "../core/diagnoses.js";
import type { DiscoveryReport } from "../core/discovery.js";
import { runNamespace, unownedProfileName } from "../core/layout.js";
import { OPERATIONS } from "../core/operations.js";
import { type IdentityPlan, planFor, type RunContext } from "../core/plan.js";
import type { UntriedGrant } from "../core/policy/untried.js";
import { assess, type CheckResult, type Observation } from "../core/verdict.js";
import type { PublicUntried } from "../core/witness.js";
import { Ledger } from "./ledger.js";
import { checkBucket } from "./phases/bucket.js";
import { learnBucket } from "./phases/bucket-facts.js";
import { checkPrefix } from "./phases/check-prefix.js";
import { type CleanupReport, type Namespace, removeCreated } from "./phases/cleanup.js";
import { planRunComponents, sendComponentShapes } from "./phases/component-shapes.js";
import { discover } from "./phases/discover.js";
import { preflight, recordPreflight } from "./phases/preflight.js";
import { findRealObjects } from "./phases/real-objects.js";
import { plantSeeds } from "./phases/seed.js";
import { uploadsFor } from "./phases/uploads.js";
import { checkWitness, narrowToProof, planWitnesses, settleWitnessCells } from "./phases/witnesses.js";
import { forEachBounded, settled } from "./pool.js";
import { notRun, type ProbeIdentity, type ProbeOptions, RunState } from "./run-state.js";
import { watchVersionWrites } from "./version-watch.js";

export type { CleanupReport } from "./phases/cleanup.js";
export type { ProbeIdentity, ProbeOptions, ProbeSettings } from "./run-state.js";

export interface ProbeRun {
  plans: IdentityPlan[];
  results: CheckResult[];
  cleanup: CleanupReport;
  /** The profiles tried, and how each was found (absent for runs made without the engine). */
  discovery?: DiscoveryReport;
  /** With policies in hand: the witnesses' cells, and what the evaluator could not read per identity. */
  proof?: {
    witnessResults: CheckResult[];
    unread: Map<string, string[]>;
    enforcementSample: string[];
    publicUntried?: PublicUntried;
    /** Per identity: what its policies allow beyond KFP's grant of actions the probe never sends. */
    untried?: Map<string, UntriedGrant[]>;
  };
  /** What the run learned of the bucket before it wrote more than one object (absent for runs made without the engine). */
  bucket?: BucketFacts;
  /** Per prober and KFP component that runs with its keys: works, or fails on which request (absent: not asked for, ProbeOptions.components). */
  components?: ComponentVerdict[];
}

/** What each identity is tried for, given every profile the run knows. */
function planRun(identities: ProbeIdentity[], options: ProbeOptions, discovery?: DiscoveryReport): IdentityPlan[] {
  const profilesInRun = identities.flatMap((i) => (i.role.kind === "profile" ? [i.role.profile] : []));
  const context: RunContext = {
    profilesInRun,
    otherProfiles: (discovery?.profiles ?? []).map((p) => p.name).filter((name) => !profilesInRun.includes(name)),
    unownedProfile: unownedProfileName(options.runId),
    uploads: !options.readOnly,
    multipart: options.multipart !== false,
    matrix: options.matrix ?? "pairs",
  };
  return identities.map((identity) => planFor(identity.name, identity.role, options.layout, context));
}

function knownProfiles(identities: ProbeIdentity[], discovery: DiscoveryReport): string[] {
  const inRun = identities.flatMap((i) => (i.role.kind === "profile" ? [i.role.profile] : []));
  return [...new Set([...inRun, ...discovery.profiles.map((p) => p.name)])].sort();
}

/** Every check of the probers this process runs: the bucket's, each target's, each upload's. */
function* checkTasks(state: RunState): Generator<() => Promise<void>> {
  for (const identity of state.probers().filter((i) => state.reachable.has(i))) {
    if (identity.role.kind !== "anonymous") yield () => checkBucket(state, identity);
    if (state.componentPlans.some((plan) => plan.identity === identity.name)) yield () => sendComponentShapes(state, identity);
    for (const target of state.planOf(identity).targets) {
      yield () => checkPrefix(state, identity, target);
      yield () => uploadsFor(state, identity, target);
    }
    for (const wc of state.witnessChecks.filter((w) => w.witness.identity === identity.name)) yield () => checkWitness(state, identity, wc);
  }
}

/** Twice as many checks under way as requests may be in flight: the request bound stays busy. */
async function check(state: RunState): Promise<void> {
  await forEachBounded(checkTasks(state), state.options.concurrency * 2, (task) => task());
}

/**
 * Every planned check, in plan order; one never decided (a cut-short run) is "not run". A cell the
 * anonymous caller may do too is judged public, not the identity's own grant.
 */
function collect(state: RunState): CheckResult[] {
  const { strict, bucket } = state.options;
  const results = state
    .proberPlans()
    .flatMap((plan) => plan.checks.map((c) => state.decided.get(c) ?? assess(c, notRun("not run", "interrupted"), { strict, bucket })));
  return markMangled(markPublic(results, state.identities.find((i) => i.role.kind === "anonymous")?.name, bucket));
}

/** The witnesses' cells as judged (public ones included), and what the evaluator could not read. */
function proofOf(state: RunState, results: CheckResult[]): NonNullable<ProbeRun["proof"]> {
  // A result carries its check's target: each witness's target is its own object.
  const witnessTargets = new Set(state.witnessChecks.map((w) => w.check.target));
  const probed = new Set(state.probers().map((p) => p.name));
  const witnessResults = results.filter((r) => probed.has(r.identity) && witnessTargets.has(r.target));
  const { publicUntried } = state;
  return {
    witnessResults,
    unread: state.policyUnread,
    enforcementSample: state.enforcementSample,
    untried: state.policyUntried,
    ...(publicUntried ? { publicUntried } : {}),
  };
}

/** The run's namespace under every prefix it tried, listed and cleaned by whoever may (the backend first). */
function namespacesOf(state: RunState): Namespace[] {
  const targets = state.proberPlans().flatMap((plan) => plan.targets);
  const prefixes = new Set(targets.map((target) => target.prefix));
  // Where the multipart operations (multipart, abort-multipart) ran, uploads may be open.
  const withUploads = new Set(targets.filter((t) => t.operations.some((o) => OPERATIONS[o].when === "multipart")).map((t) => t.prefix));
  const cleaners = state.listers().map((identity) => ({ identity: identity.name, port: identity.port }));
  const keyPrefixes = new Set([...prefixes].map((prefix) => runNamespace(prefix, state.options.runId)));
  const markerNamespaces = [...state.deeperMarkers.keys()].map((marker) => marker.slice(0, marker.lastIndexOf("/") + 1));
  const witnessNamespaces = [...state.witnessChecks.map((w) => w.namespace), ...markerNamespaces].filter((namespace) => !keyPrefixes.has(namespace));
  return [
    ...[...prefixes].map((prefix) => ({
      keyPrefix: runNamespace(prefix, state.options.runId),
      uploads: withUploads.has(prefix),
      listers: cleaners,
      cleaners,
    })),
    ...[...new Set(witnessNamespaces)].map((keyPrefix) => ({ keyPrefix, uploads: false, listers: cleaners, cleaners })),
  ];
}

/**
 * Preflight → discover → plan → find objects to read, seed and check, at once; cleanup always. The
 * searches and seeds are started first: a check under a prefix waits for that prefix's alone.
 */
async function phases(state: RunState): Promise<DiscoveryReport> {
  const { identities } = state;
  const preflights = await Promise.all(identities.map((identity) => preflight(state, identity)));
  // The bucket is known beside discovery, before anything more is written.
  const learning = state.reachable.size > 0 && !state.options.signal.aborted ? learnBucket(state) : undefined;
  const discovery = await discover(state);
  const plans = planRun(identities, state.options, discovery);
  state.witnessChecks = planWitnesses(state, plans, knownProfiles(identities, discovery));
  state.enforcementSample = narrowToProof(state, plans);
  settleWitnessCells(plans, state.witnessChecks);
  state.setPlans(plans);
  planRunComponents(state);
  for (const [i, identity] of identities.entries()) recordPreflight(state, identity, preflights[i] as Observation);
  if (learning !== undefined) state.bucketFacts = await learning;
  state.options.onBucketKnown?.(state.bucketFacts);
  const preparing = [findRealObjects(state), plantSeeds(state)];
  await settled([...preparing, check(state)]);
  return discovery;
}

export async function runProbe(identities: ProbeIdentity[], options: ProbeOptions, ledger = new Ledger()): Promise<ProbeRun> {
  const watched = identities.map((identity) => ({ ...identity, port: watchVersionWrites(identity.port, identity.name, ledger) }));
  const state = new RunState(watched, options, ledger);
  let cleanup: CleanupReport;
  let discovery: DiscoveryReport;
  try {
    discovery = await phases(state);
  } finally {
    // A version the ledger holds shows the bucket keeps them, whatever its settings could be read to say.
    const versioned = isVersioned(state.bucketFacts) || ledger.pending().some((entry) => entry.versionId !== undefined);
    cleanup = await removeCreated({ ledger, options: { ...options, versioned }, namespaces: namespacesOf(state) });
  }
  const results = collect(state);
  return {
    plans: state.proberPlans(),
    results,
    cleanup,
    discovery,
    bucket: state.bucketFacts,
    ...(options.policies ? { proof: proofOf(state, results) } : {}),
    ...(options.components
      ? { components: judgeComponents(state.componentPlans, { results, shapes: state.shapeObservations, bucket: options.bucket }) }
      : {}),
  };
}
