// Counts the verdicts and decides the exit code (documented in --help and the README).
import { FATAL_ERROR_KINDS } from "./classify.js";
import type { CheckResult, Verdict } from "./verdict.js";

export const EXIT_CODES = {
  /** Every check came out as the identity's role expects. */
  asExpected: 0,
  /** A LEAK or MISSING, or a check that failed with an error. */
  findings: 1,
  /** Bad usage or configuration; nothing was sent. */
  usage: 2,
  /** An identity could not connect or authenticate, and no LEAK or MISSING was found. */
  unreachable: 3,
  /** Interrupted (Ctrl-C / SIGTERM); what was created is removed first. */
  interrupted: 130,
} as const;

export type VerdictCounts = Record<Verdict, number>;

export function countVerdicts(results: readonly CheckResult[]): VerdictCounts {
  const counts: VerdictCounts = { ok: 0, missing: 0, leak: 0, exposed: 0, degraded: 0, ambiguous: 0, error: 0, "not-run": 0 };
  for (const result of results) counts[result.verdict] += 1;
  return counts;
}

export function hasFatalError(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.observation.errorKind !== undefined && FATAL_ERROR_KINDS.has(r.observation.errorKind));
}

export function exitCodeFor(results: readonly CheckResult[]): number {
  const counts = countVerdicts(results);
  if (counts.leak > 0 || counts.missing > 0) return EXIT_CODES.findings;
  if (hasFatalError(results)) return EXIT_CODES.unreachable;
  if (counts.error > 0) return EXIT_CODES.findings;
  return EXIT_CODES.asExpected;
}
