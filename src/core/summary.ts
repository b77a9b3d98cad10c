// Counts the verdicts; exit-codes.ts decides the exit code from them.
import { type ErrorKind, FATAL_ERROR_KINDS } from "./classify.js";
import type { CheckResult } from "./verdict.js";
import { type Severity, severityOf, VERDICT_NAMES, type Verdict } from "./verdicts.js";

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
