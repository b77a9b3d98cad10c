// What one identity is checked for, and what the reference deployKF policies say it should be
// able to do (fixtures/reference-policies/, copies of deployKF's example policies).
import { type KeyLayout, nearMissProfiles, profileAreaRoots, profilePrefixes } from "./layout.js";
import {
  type BucketOperation,
  isBucketOperation,
  type ObjectOperation,
  OPERATION_NAMES,
  OPERATIONS,
  type Operation,
  objectOperationsWhere,
} from "./operations.js";

/** anonymous: requests sent unsigned, as anyone on the network can send them. */
export type Role = { kind: "backend" } | { kind: "profile"; profile: string } | { kind: "anonymous" };

const BUCKET_OPERATIONS: BucketOperation[] = OPERATION_NAMES.filter(isBucketOperation);
/** What every identity is tried for under a prefix. */
const OBJECT_OPERATIONS = objectOperationsWhere((row) => row.when === "always");

/**
 * required: KFP fails without it. forbidden: a leak if allowed. exposure: key names become
 * visible (a warning, a failure with --strict). optional: KFP copes either way. recommended: KFP
 * works without it but leaves debris (AbortMultipartUpload, which the reference policies lack).
 */
export type Expectation = "required" | "forbidden" | "exposure" | "optional" | "recommended";

/**
 * How a prefix relates to the identity probing it:
 * own: the profile's own; backend-only: pipelines/; all-profiles: the backend's artifacts/ roots;
 * foreign: another profile in this run; unowned: a profile that exists nowhere;
 * near-miss: what a policy without its trailing slash also matches (team-10, team-1-x, artifacts/team-1…).
 */
export type Relation = "own" | "backend-only" | "all-profiles" | "foreign" | "unowned" | "near-miss";

export interface Target {
  prefix: string;
  relation: Relation;
  /** The profile the prefix belongs to (null: the backend's, or nobody's). */
  owner: string | null;
  operations: ObjectOperation[];
}

export interface PlannedCheck {
  identity: string;
  target: Target | null;
  operation: Operation;
  expectation: Expectation;
}

export interface IdentityPlan {
  identity: string;
  role: Role;
  targets: Target[];
  checks: PlannedCheck[];
}

/**
 * pairs: every pair of profiles is tried with the two requests that decide it (a read of an object
 * that exists, a conditional write); full: every operation under every other profile's prefixes.
 */
export type MatrixMode = "pairs" | "full";
export const MATRIX_MODES: readonly MatrixMode[] = ["pairs", "full"];

/** Who else is in the run (decides each profile's foreign targets), and which uploads to try. */
export interface RunContext {
  /** How other profiles' prefixes are tried (default pairs). */
  matrix?: MatrixMode;
  profilesInRun: string[];
  /** Profiles that exist beyond the run: found in the bucket, or named by the config or --other-profile. */
  otherProfiles?: string[];
  unownedProfile: string;
  /** Upload checks (CRC32 put, multipart) where the identity writes artifacts (off: --read-only). */
  uploads?: boolean;
  /** Multipart upload and abort checks among them (off: --no-multipart). */
  multipart?: boolean;
}

/** The upload checks, under the prefixes where the identity writes artifacts. */
function uploadOperations(context: RunContext): ObjectOperation[] {
  if (context.uploads === false) return OBJECT_OPERATIONS;
  return objectOperationsWhere((row) => row.when !== "multipart" || context.multipart !== false);
}

function target(prefix: string, relation: Relation, owner: string | null, operations = OBJECT_OPERATIONS): Target {
  return { prefix, relation, owner, operations };
}

/** What anyone may try without keys: list, write a canary, read an object that exists. */
const ANONYMOUS_OPERATIONS = objectOperationsWhere((row) => row.anonymous);
/** The pairs matrix: the read, then the conditional write. */
const PAIR_OPERATIONS = [...objectOperationsWhere((row) => row.pair === "read"), ...objectOperationsWhere((row) => row.pair === "write")];
/** A profile's own prefix without its slash: a listing there would show the profile's own keys, so no list check. */
const UNSLASHED_OPERATIONS = OBJECT_OPERATIONS.filter((operation) => OPERATIONS[operation].lists === null);

/**
 * Another profile's prefixes in the pairs matrix: a GetObject under the first and a conditional
 * PutObject under the second (both under a layout with one prefix per profile). A grant on another
 * team, explicit or by wildcard, shows in one of the two; --matrix full tries every operation.
 */
function pairTargets(prefixes: string[], relation: Relation, owner: string): Target[] {
  if (prefixes.length === 1) return prefixes.map((prefix) => target(prefix, relation, owner, PAIR_OPERATIONS));
  return prefixes.slice(0, 2).flatMap((prefix, i) => {
    const operation = PAIR_OPERATIONS[i];
    return operation ? [target(prefix, relation, owner, [operation])] : [];
  });
}

/** Every other profile's prefixes, tried with the given operations, or as pairs. */
function foreignTargets(profiles: string[], layout: KeyLayout, context: RunContext, operations: ObjectOperation[]): Target[] {
  return profiles.flatMap((other) => {
    const prefixes = profilePrefixes(layout, other);
    if (context.matrix === "full") return prefixes.map((prefix) => target(prefix, "foreign", other, operations));
    return pairTargets(prefixes, "foreign", other);
  });
}

function knownProfiles(context: RunContext): string[] {
  return [...new Set([...context.profilesInRun, ...(context.otherProfiles ?? [])])].sort();
}

/** The anonymous caller is tried under every prefix: all of them must be closed to it. */
function anonymousTargets(layout: KeyLayout, context: RunContext): Target[] {
  const prefixesOf = (profile: string) => profilePrefixes(layout, profile);
  return [
    ...layout.backendPrefixes.map((prefix) => target(prefix, "backend-only", null, ANONYMOUS_OPERATIONS)),
    ...foreignTargets(knownProfiles(context), layout, context, ANONYMOUS_OPERATIONS),
    ...prefixesOf(context.unownedProfile).map((prefix) => target(prefix, "unowned", null, ANONYMOUS_OPERATIONS)),
  ];
}

export function targetsFor(role: Role, layout: KeyLayout, context: RunContext): Target[] {
  const backendOnly = layout.backendPrefixes.map((prefix) => target(prefix, "backend-only", null));
  if (role.kind === "anonymous") return anonymousTargets(layout, context);
  if (role.kind === "backend") {
    return [...backendOnly, ...profileAreaRoots(layout).map((prefix) => target(prefix, "all-profiles", null, uploadOperations(context)))];
  }
  const me = role.profile;
  const others = knownProfiles(context).filter((p) => p !== me);
  const nearMisses = nearMissProfiles(me).filter((p) => !others.includes(p));
  const prefixesOf = (profile: string) => profilePrefixes(layout, profile);
  return [
    ...prefixesOf(me).map((prefix) => target(prefix, "own", me, uploadOperations(context))),
    ...backendOnly,
    ...foreignTargets(others, layout, context, OBJECT_OPERATIONS),
    ...prefixesOf(context.unownedProfile).map((prefix) => target(prefix, "unowned", null)),
    ...nearMisses.flatMap((name) => prefixesOf(name).map((prefix) => target(prefix, "near-miss", null))),
    // "artifacts/team-1" without the slash.
    ...prefixesOf(me).map((prefix) => target(prefix.replace(/\/$/, ""), "near-miss", null, UNSLASHED_OPERATIONS)),
  ];
}

export function expectationFor(role: Role, target: Target | null, operation: Operation): Expectation {
  if (role.kind === "anonymous") return "forbidden";
  const row = OPERATIONS[operation];
  if (row.need === "recommended") return "recommended";
  if (role.kind === "backend") return "required";
  if (target === null) {
    // Profiles' keys never need the bucket-wide list; HeadBucket and GetBucketLocation are
    // used by tools that fall back when denied (Argo assumes us-east-1).
    return row.lists ? "exposure" : "optional";
  }
  if (target.relation === "own") return "required";
  return row.lists ? "exposure" : "forbidden";
}

export function planFor(identity: string, role: Role, layout: KeyLayout, context: RunContext): IdentityPlan {
  const targets = targetsFor(role, layout, context);
  const bucketOperations = role.kind === "anonymous" ? BUCKET_OPERATIONS.filter((operation) => OPERATIONS[operation].anonymous) : BUCKET_OPERATIONS;
  const checks: PlannedCheck[] = [
    ...bucketOperations.map((operation) => ({
      identity,
      target: null,
      operation,
      expectation: expectationFor(role, null, operation),
    })),
    ...targets.flatMap((t) => t.operations.map((operation) => ({ identity, target: t, operation, expectation: expectationFor(role, t, operation) }))),
  ];
  return { identity, role, targets, checks };
}

export function describeRole(role: Role): string {
  if (role.kind === "anonymous") return "anyone: unsigned requests";
  return role.kind === "backend" ? "backend" : `profile ${role.profile}`;
}
