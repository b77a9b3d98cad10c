// One vocabulary for every format: the word a person reads in the text report, on a stderr line,
// as a JUnit failure type and in a SARIF message is the JSON `verdict` value in capitals. The
// matrix cells abbreviate these words, and its legend spells them out.
import type { Verdict } from "../core/verdict.js";

/** The word for a verdict: "not-run" → "NOT-RUN", "leak" → "LEAK". */
export function verdictWord(verdict: Verdict | string): string {
  return verdict.toUpperCase();
}

/** What a verdict means when the check carries no reason of its own. */
const MEANINGS: Record<Verdict, string> = {
  ok: "as expected",
  leak: "allowed, must be denied",
  missing: "denied, KFP needs it",
  exposed: "allowed: key names outside the identity's own prefixes are listable",
  degraded: "denied; KFP works without it, but failed uploads leave parts behind",
  ambiguous: "the store's answer does not decide",
  error: "the request failed",
  "not-run": "not run",
};

function verdictMeaning(verdict: Verdict | string): string {
  return MEANINGS[verdict as Verdict] ?? verdict;
}

/** The reason a check gives, or what its verdict means. */
export function whyOf(check: { verdict: string; reason?: string | undefined }): string {
  return check.reason ?? verdictMeaning(check.verdict);
}
