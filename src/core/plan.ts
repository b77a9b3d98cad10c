// What one identity is checked for, and what the reference deployKF policies say it should be
// able to do (../shared/reference/deploykf-policies/).
import { type KeyLayout, profileAreaRoots, profilePrefixes } from "./layout.js";

export type Role = { kind: "backend" } | { kind: "profile"; profile: string };

export type BucketOperation = "head-bucket" | "get-bucket-location" | "list-bucket";
export type ObjectOperation = "list" | "put" | "head" | "get" | "delete";
export type Operation = BucketOperation | ObjectOperation;

export const BUCKET_OPERATIONS: BucketOperation[] = ["head-bucket", "get-bucket-location", "list-bucket"];
export const OBJECT_OPERATIONS: ObjectOperation[] = ["list", "put", "head", "get", "delete"];

/**
 * required: KFP fails without it. forbidden: a leak if allowed. exposure: key names become
 * visible (a warning, a failure with --strict). optional: KFP copes either way.
 */
export type Expectation = "required" | "forbidden" | "exposure" | "optional";

/** How a prefix relates to the identity probing it. */
export type Relation = "own" | "backend-only" | "all-profiles";

export interface Target {
  prefix: string;
  relation: Relation;
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

export function targetsFor(role: Role, layout: KeyLayout): Target[] {
  const backendOnly = layout.backendPrefixes.map((prefix) => ({ prefix, relation: "backend-only" as const }));
  if (role.kind === "backend") {
    return [...backendOnly, ...profileAreaRoots(layout).map((prefix) => ({ prefix, relation: "all-profiles" as const }))];
  }
  return [...profilePrefixes(layout, role.profile).map((prefix) => ({ prefix, relation: "own" as const })), ...backendOnly];
}

export function expectationFor(role: Role, target: Target | null, operation: Operation): Expectation {
  if (role.kind === "backend") return "required";
  if (target === null) {
    // Profiles' keys never need the bucket-wide list; HeadBucket and GetBucketLocation are
    // used by tools that fall back when denied (Argo assumes us-east-1).
    return operation === "list-bucket" ? "exposure" : "optional";
  }
  if (target.relation === "own") return "required";
  return operation === "list" ? "exposure" : "forbidden";
}

export function planFor(identity: string, role: Role, layout: KeyLayout): IdentityPlan {
  const targets = targetsFor(role, layout);
  const checks: PlannedCheck[] = [
    ...BUCKET_OPERATIONS.map((operation) => ({
      identity,
      target: null,
      operation,
      expectation: expectationFor(role, null, operation),
    })),
    ...targets.flatMap((target) =>
      OBJECT_OPERATIONS.map((operation) => ({
        identity,
        target,
        operation,
        expectation: expectationFor(role, target, operation),
      })),
    ),
  ];
  return { identity, role, targets, checks };
}

export function describeRole(role: Role): string {
  return role.kind === "backend" ? "backend" : `profile ${role.profile}`;
}
