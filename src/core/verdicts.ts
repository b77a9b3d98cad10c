// Every verdict a check can get, with what it means to every renderer and to the exit code: one
// row each. `Verdict` is the table's keys; the words of each are the report's (verdict-words.ts).

/**
 * What a verdict means, for every renderer and the exit code. failure: the identity's rights are
 * wrong (a JUnit failure); error: the request failed; warning: KFP works, but look (exposed key
 * names; degraded: a recommended right is missing, so failed uploads leave debris); undecided: the
 * answer does not decide; skipped: not sent; pass: as expected.
 */
export type Severity = "failure" | "error" | "warning" | "undecided" | "skipped" | "pass";

interface VerdictRow {
  /** Worst first: findings are listed in this order. */
  rank: number;
  severity: Severity;
  /** The run does not pass with one (exit 1, or 3 for an error that stops the identity). */
  failing: boolean;
}

/** Every verdict, in the order of the JSON report's summary. */
export const VERDICTS = {
  ok: { rank: 7, severity: "pass", failing: false },
  missing: { rank: 1, severity: "failure", failing: true },
  leak: { rank: 0, severity: "failure", failing: true },
  exposed: { rank: 4, severity: "warning", failing: false },
  degraded: { rank: 3, severity: "warning", failing: false },
  ambiguous: { rank: 5, severity: "undecided", failing: false },
  error: { rank: 2, severity: "error", failing: true },
  "not-run": { rank: 6, severity: "skipped", failing: false },
} as const satisfies Record<string, VerdictRow>;

export type Verdict = keyof typeof VERDICTS;
/** The keys of a literal object are exactly its key type (TypeScript types Object.keys as string[]). */
export const VERDICT_NAMES = Object.keys(VERDICTS) as Verdict[];
export const severityOf = (verdict: Verdict): Severity => VERDICTS[verdict].severity;
/** For sorting checks worst first. */
export const byRank = (a: { verdict: Verdict }, b: { verdict: Verdict }): number => VERDICTS[a.verdict].rank - VERDICTS[b.verdict].rank;
