// The HTML report's matrix as data for its script: one cell per identity and prefix (the bucket's
// checks are a column of their own), its verdict the worst of its checks, and each check's evidence
// in words. Compact so that 300 profiles' 200,000 checks stay a few MB: arrays of indices, and
// every text once in `strings` (the same reasons, fixes and requests recur across cells).

import type { Evidence } from "../core/verdict.js";
import { VERDICT_NAMES, VERDICTS, type Verdict } from "../core/verdicts.js";
import type { Report, ReportCheck } from "./model.js";
import { verdictWord, whyOf } from "./verdict-words.js";

/** The bucket-wide checks' column. */
export const BUCKET_COLUMN = "(bucket)";

/** A check in the page: operation, expected, observed, verdict (index), why, fix, evidence (all but the verdict: indices into strings), ms. */
type PageCheck = [number, number, number, number, number, number, number[], number | null];

/** A cell: identity (index), prefix (index), verdict (index), its checks (indices). */
type PageCell = [number, number, number, number[]];

export interface PageData {
  verdicts: { name: Verdict; word: string; rank: number; failing: boolean }[];
  identities: { name: string; description: string }[];
  prefixes: string[];
  strings: string[];
  cells: PageCell[];
  checks: PageCheck[];
}

/** One request in words: `get artifacts/team-1/x → 403 AccessDenied`. */
function evidenceWords(evidence: Evidence): string {
  const answer = [evidence.status, evidence.errorName].filter((part) => part !== undefined).join(" ");
  return `${evidence.request}${evidence.key ? ` ${evidence.key}` : ""}${answer ? ` → ${answer}` : ""}`;
}

function pageCheck(check: ReportCheck, text: (value: string) => number): PageCheck {
  return [
    text(check.operation),
    text(check.expected),
    text(check.observed),
    VERDICT_NAMES.indexOf(check.verdict),
    text(whyOf(check)),
    text(check.hint ?? ""),
    check.evidence.map((e) => text(evidenceWords(e))),
    check.durationMs ?? null,
  ];
}

/** Index of each distinct value, in the order first seen. */
function indexer(): { indexOf: (value: string) => number; values: string[] } {
  const positions = new Map<string, number>();
  const values: string[] = [];
  return {
    values,
    indexOf(value) {
      let position = positions.get(value);
      if (position === undefined) {
        position = values.push(value) - 1;
        positions.set(value, position);
      }
      return position;
    },
  };
}

export function pageDataOf(report: Report): PageData {
  const identities = indexer();
  for (const identity of report.identities) identities.indexOf(identity.name);
  const prefixes = indexer();
  const cells = new Map<string, PageCell>();
  report.checks.forEach((check, position) => {
    const row = identities.indexOf(check.identity);
    const column = prefixes.indexOf(check.prefix ?? BUCKET_COLUMN);
    const key = `${row} ${column}`;
    const verdict = VERDICT_NAMES.indexOf(check.verdict);
    const cell = cells.get(key);
    if (!cell) cells.set(key, [row, column, verdict, [position]]);
    else {
      cell[3].push(position);
      if (VERDICTS[check.verdict].rank < VERDICTS[VERDICT_NAMES[cell[2]] as Verdict].rank) cell[2] = verdict;
    }
  });
  const described = new Map(report.identities.map((identity) => [identity.name, identity.description]));
  const strings = indexer();
  const checks = report.checks.map((check) => pageCheck(check, strings.indexOf));
  return {
    verdicts: VERDICT_NAMES.map((name) => ({ name, word: verdictWord(name), rank: VERDICTS[name].rank, failing: VERDICTS[name].failing })),
    identities: identities.values.map((name) => ({ name, description: described.get(name) ?? "" })),
    prefixes: prefixes.values,
    strings: strings.values,
    cells: [...cells.values()],
    checks,
  };
}

/** JSON safe inside a <script> element: no `</script>`, no `<!--`, whatever the report's strings hold. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
