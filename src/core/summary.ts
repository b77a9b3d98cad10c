// Counts the verdicts (exit-codes.ts decides the exit code from them), and groups the findings
// as data: which checks are one finding, for which identities.
import type { Cause, Remedy } from "./cause.js";
import { type ErrorKind, FATAL_ERROR_KINDS } from "./classify.js";
import { OPERATION_NAMES, type Operation } from "./operations.js";
import type { Relation } from "./plan.js";
import type { CheckResult } from "./verdict.js";
import { byRank, type Severity, severityOf, VERDICT_NAMES, type Verdict } from "./verdicts.js";

export type VerdictCounts = Record<Verdict, number>;

/** Of a run's results, or of a report's checks (merge counts the shards' together). */
export function countVerdicts(results: readonly { verdict: Verdict }[]): VerdictCounts {
  const counts = Object.fromEntries(VERDICT_NAMES.map((verdict) => [verdict, 0])) as VerdictCounts;
  for (const result of results) counts[result.verdict] += 1;
  return counts;
}

/** How many checks have a verdict of this severity. */
export function countOf(counts: VerdictCounts, severity: Severity): number {
  return VERDICT_NAMES.filter((verdict) => severityOf(verdict) === severity).reduce((n, verdict) => n + counts[verdict], 0);
}

/** An error after which nothing else the identity does can be trusted (exit 3). */
export function isFatalErrorKind(kind: string | undefined): boolean {
  return kind !== undefined && FATAL_ERROR_KINDS.has(kind as ErrorKind);
}

export function hasFatalError(results: readonly CheckResult[]): boolean {
  return results.some((r) => isFatalErrorKind(r.observation.errorKind));
}

/** The parts of a check that its finding is grouped and muted by (a report's checks have them all). */
export interface FindingCheck {
  identity: string;
  verdict: Verdict;
  operation: Operation;
  prefix: string | null;
  relation: Relation | null;
  owner: string | null;
  cause?: Cause | undefined;
  reason?: string | undefined;
  errorKind?: string | undefined;
}

/** Checks with one finding: the same verdict and cause, for these identities, operations and prefixes. */
export interface FindingGroup<C extends FindingCheck> {
  verdict: Verdict;
  cause: Cause | undefined;
  identities: string[];
  operations: Operation[];
  /** null: the bucket itself. */
  prefixes: (string | null)[];
  checks: C[];
}

const CROSS_PROFILE: ReadonlySet<Relation | null> = new Set<Relation | null>(["foreign", "unowned", "near-miss"]);

/** Warnings and undecided cells have one fix for all their prefixes: one finding per kind, whatever the prefix or the answer's words. */
export const isSaidPerKind = (verdict: Verdict): boolean => severityOf(verdict) === "warning" || severityOf(verdict) === "undecided";

/** Said once, not per prefix: warnings and undecided cells, and requests mangled on the way (one fix everywhere; the diagnosis names them). */
const isSaidOnce = (check: FindingCheck): boolean => isSaidPerKind(check.verdict) || check.cause === "request-mangled";

/** Every verdict that is a finding, of a check that was run. */
const isFinding = (verdict: Verdict): boolean => verdict !== "ok" && verdict !== "not-run";

const distinct = <T>(items: T[]): T[] => [...new Set(items)];
/** The operations of a group, in the table's order (so that the same set is the same list). */
const operationsOf = (checks: FindingCheck[]): Operation[] => OPERATION_NAMES.filter((operation) => checks.some((c) => c.operation === operation));

/**
 * Where a failure lies, as the same for every identity: other profiles' prefixes are one place,
 * an identity's own prefix is its layout's place (artifacts/team-1/ and artifacts/team-2/ are
 * artifacts/*\/), a shared prefix (pipelines/) and the bucket are themselves.
 */
function placeOf(check: FindingCheck): string {
  if (isSaidOnce(check)) return "";
  if (CROSS_PROFILE.has(check.relation)) return "others";
  if (check.prefix === null) return "(bucket)";
  const owner = check.relation === "own" ? check.owner : null;
  return owner
    ? check.prefix
        .split("/")
        .map((segment) => (segment === owner ? "*" : segment))
        .join("/")
    : check.prefix;
}

function groupBy<C extends FindingCheck>(items: C[][], keyOf: (group: C[]) => string): C[][] {
  const groups = new Map<string, C[]>();
  for (const group of items) {
    const key = keyOf(group);
    groups.set(key, [...(groups.get(key) ?? []), ...group]);
  }
  return [...groups.values()];
}

/** What makes two findings one, besides where they are. */
function findingKey(check: FindingCheck): string {
  return [check.verdict, check.cause, isSaidPerKind(check.verdict) ? "" : check.reason, check.errorKind].join("|");
}

/**
 * The findings of a run as blocks, worst first. Per identity first, a failure per prefix (its fix
 * names the prefix) and a warning or undecided cell per kind; then the blocks with the same
 * finding on the same operations, in the same place, are one across prefixes of other profiles
 * and across identities: a wildcard is one block, not one per team, and a warning of the
 * reference policies one block naming every identity it applies to.
 */
export function groupFindings<C extends FindingCheck>(checks: readonly C[]): FindingGroup<C>[] {
  const findings = checks.filter((c) => isFinding(c.verdict));
  const perIdentity = groupBy(
    findings.map((c) => [c]),
    ([c]) => [c?.identity, c ? findingKey(c) : "", c && isSaidOnce(c) ? "" : c?.prefix].join("|"),
  );
  const merged = groupBy(perIdentity, (group) => {
    const first = group[0] as C;
    return [findingKey(first), placeOf(first), operationsOf(group).join(",")].join("|");
  });
  const groups = merged.map((group) => {
    const first = group[0] as C;
    return {
      verdict: first.verdict,
      cause: first.cause,
      identities: distinct(group.map((c) => c.identity)),
      operations: operationsOf(group),
      prefixes: distinct(group.map((c) => c.prefix)),
      checks: group,
    };
  });
  return groups.sort((a, b) => byRank(a, b));
}

/** What a run already has that a fix may ask for: writing on or off, and who in the run may write an object to read. */
export interface RunHas {
  readOnly: boolean;
  backend: boolean;
  /** The profiles of the run's identities. */
  profiles: ReadonlySet<string>;
}

/**
 * A finding's remedy as it stands in this run: no fix that the run has already done. A read with
 * no object to read asks for the prefix's owner or the backend to write one; where one of them is
 * in the run, what is left is --read-only (rerun without it) or their write that failed (check
 * it: their own findings say why); where none is and --read-only is on, both.
 */
export function remedyInRun(finding: { cause: Cause; remedy: Remedy }, owner: string | null, run: RunHas): Remedy {
  if (finding.cause !== "no-object-to-read") return finding.remedy;
  const writerInRun = run.backend || (owner !== null && run.profiles.has(owner));
  if (writerInRun) return run.readOnly ? { where: "flag", change: "rerun", settings: ["--read-only"] } : { where: "none", change: "check" };
  return run.readOnly ? { ...finding.remedy, settings: ["--read-only"] } : finding.remedy;
}
