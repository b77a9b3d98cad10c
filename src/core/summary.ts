// Counts the verdicts; exit-codes.ts decides the exit code from them.
import { FATAL_ERROR_KINDS } from "./classify.js";
import type { CheckResult, Verdict } from "./verdict.js";

export type VerdictCounts = Record<Verdict, number>;

export function countVerdicts(results: readonly CheckResult[]): VerdictCounts {
  const counts: VerdictCounts = { ok: 0, missing: 0, leak: 0, exposed: 0, degraded: 0, ambiguous: 0, error: 0, "not-run": 0 };
  for (const result of results) counts[result.verdict] += 1;
  return counts;
}

export function hasFatalError(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.observation.errorKind !== undefined && FATAL_ERROR_KINDS.has(r.observation.errorKind));
}
