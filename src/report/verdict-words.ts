// One vocabulary for every format: the word a person reads in the text report, on a stderr line,
// as a JUnit failure type and in a SARIF message is the JSON `verdict` value in capitals. The
// matrix cells abbreviate these words, and its legend spells them out. What a verdict means (its
// rank, its severity, whether it fails the run) is the core's VERDICTS; this is how it is said.
import type { styleText } from "node:util";
import type { Verdict } from "../core/verdicts.js";

export type Style = Parameters<typeof styleText>[0];

interface VerdictWords {
  /** What the verdict means when the check carries no reason of its own. */
  meaning: string;
  /** The matrix cell, at most five characters (null: the observation's, yes or no). */
  cell: string | null;
  style: Style;
}

/** In the order the text report's summary counts them. */
const VERDICT_WORDS = {
  ok: { meaning: "as expected", cell: null, style: "green" },
  leak: { meaning: "allowed, must be denied", cell: "LEAK", style: "red" },
  missing: { meaning: "denied, KFP needs it", cell: "MISS", style: "red" },
  exposed: { meaning: "allowed: key names outside the identity's own prefixes are listable", cell: "warn", style: "yellow" },
  degraded: { meaning: "denied; KFP works without it, but failed uploads leave parts behind", cell: "warn", style: "yellow" },
  ambiguous: { meaning: "the store's answer does not decide", cell: "?", style: "yellow" },
  error: { meaning: "the request failed", cell: "ERR", style: "red" },
  "not-run": { meaning: "not run", cell: "-", style: "gray" },
} as const satisfies Record<Verdict, VerdictWords>;

/** The text summary's order (the keys of a literal object are exactly its key type). */
export const SUMMARY_ORDER = Object.keys(VERDICT_WORDS) as Verdict[];

/** The word for a verdict: "not-run" → "NOT-RUN", "leak" → "LEAK". */
export function verdictWord(verdict: Verdict): string {
  return verdict.toUpperCase();
}

/** The verdict in at most five characters: as expected is plain, what needs a look is loud. */
export function verdictCell(check: { verdict: Verdict; observed: string }): string {
  const { cell } = VERDICT_WORDS[check.verdict];
  if (cell !== null) return cell;
  return check.observed === "allowed" ? "yes" : check.observed === "denied" ? "no" : "ok";
}

export const verdictStyle = (verdict: Verdict): Style => VERDICT_WORDS[verdict].style;

/** The reason a check gives, or what its verdict means. */
export function whyOf(check: { verdict: Verdict; reason?: string | undefined }): string {
  return check.reason ?? VERDICT_WORDS[check.verdict].meaning;
}
