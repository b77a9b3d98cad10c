// Counts the verdicts; exit-codes.ts decides the exit code from them.
import { type ErrorKind, FATAL_ERROR_KINDS } from "./classify.js";
import type { CheckResult, Verdict } from "./verdict.js";

export type VerdictCounts = Record<Verdict, number>;

/** Of a run's results, or of a report's checks (merge counts the shards' together). */
export function countVerdicts(results: readonly { verdict: Verdict | string }[]): VerdictCounts {
  const counts: VerdictCounts = { ok: 0, missing: 0, leak: 0, exposed: 0, degraded: 0, ambiguous: 0, error: 0, "not-run": 0 };
  for (const result of results) counts[result.verdict as Verdict] += 1;
  return counts;
}

/** An error after which nothing else the identity does can be trusted (exit 3). */
export function isFatalErrorKind(kind: string | undefined): boolean {
  return kind !== undefined && FATAL_ERROR_KINDS.has(kind as ErrorKind);
}

export function hasFatalError(results: readonly CheckResult[]): boolean {
  return results.some((r) => isFatalErrorKind(r.observation.errorKind));
}
