// One vocabulary for every format: the word a person reads in the text report, on a stderr line,
// as a JUnit failure type and in a SARIF message is the JSON `verdict` value in capitals. The
// matrix cells abbreviate these words, and its legend spells them out. What a verdict means (its
// rank, its severity, whether it fails the run) is the core's VERDICTS; this is how it is said.
import type { styleText } from "node:util";
import { EXIT_CODE_TABLE } from "../core/exit-codes.js";
import type { Verdict } from "../core/verdicts.js";

type ExitCodeName = (typeof EXIT_CODE_TABLE)[number]["name"];

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

/** The run's verdict, in a word and its style, by its exit code's row (src/core/exit-codes.ts). */
const RUN_VERDICT_WORDS: Record<ExitCodeName, { word: string; style: Style }> = {
  asExpected: { word: "PASS", style: "green" },
  findings: { word: "FAIL", style: "red" },
  usage: { word: "USAGE ERROR", style: "red" },
  unreachable: { word: "UNREACHABLE", style: "red" },
  internal: { word: "INTERNAL ERROR", style: "red" },
  leftovers: { word: "LEFTOVERS", style: "red" },
  unproven: { word: "UNPROVEN", style: "yellow" },
  interrupted: { word: "INTERRUPTED", style: "yellow" },
};

/** What the run's facts say beside the word: the failures, or why there is no answer. */
interface RunFacts {
  exitCode: number;
  /** Cells of each verdict that count (muted ones left out). */
  counts: Record<Verdict, number>;
  muted: number;
  leftovers: number;
  /** KFP components that fail on their own account (a request in their own shape, their own session). */
  failingComponents: number;
  interruptedBy: string | null;
  assurance: string;
}

function countsOf(counts: Record<Verdict, number>, verdicts: readonly Verdict[]): string {
  return verdicts
    .filter((verdict) => counts[verdict] > 0)
    .map((verdict) => `${counts[verdict]} ${verdictWord(verdict)}`)
    .join(", ");
}

function whyWords(name: ExitCodeName, facts: RunFacts): string {
  switch (name) {
    case "asExpected":
      return "no LEAK, MISSING or ERROR";
    case "findings": {
      const components = facts.failingComponents;
      const own = components > 0 ? [`${components} KFP component${components > 1 ? "s" : ""} FAIL${components > 1 ? "" : "S"}`] : [];
      return [countsOf(facts.counts, ["leak", "missing", "error"]), ...own].filter(Boolean).join(", ");
    }
    case "unreachable":
      return facts.interruptedBy === "deadline"
        ? "the --timeout deadline cut the run"
        : "an identity could not connect or authenticate (see Findings)";
    case "leftovers":
      return `no LEAK or MISSING, but ${facts.leftovers} probe object(s) or upload(s) are not removed (see Cleanup)`;
    case "unproven":
      return "no LEAK or MISSING, but not proven for all keys (--require-proof; see the assurance)";
    case "interrupted":
      return `by ${facts.interruptedBy ?? "a signal"}; what the probe created was removed first`;
    default:
      return "";
  }
}

/** The report's first line: the verdict, the exit code, what is found, the warnings, what is muted and the assurance. */
export function runVerdictLine(facts: RunFacts, paint: (style: Style, text: string) => string = (_, text) => text): string {
  const name = EXIT_CODE_TABLE.find((row) => row.code === facts.exitCode)?.name ?? "internal";
  const { word, style } = RUN_VERDICT_WORDS[name];
  const warnings = countsOf(facts.counts, ["degraded", "exposed", "ambiguous"]);
  const parts = [
    whyWords(name, facts),
    ...(warnings ? [warnings] : []),
    ...(facts.muted > 0 ? [`${facts.muted} muted`] : []),
    `assurance ${facts.assurance}`,
  ];
  return `${paint(style, word)} (exit ${facts.exitCode}): ${parts.filter(Boolean).join("; ")}`;
}
