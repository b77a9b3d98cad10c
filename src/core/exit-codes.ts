// Every exit code the probe returns, with its meaning (the README's table, tested against it) and
// a brief one for --help: this one table, and exitCodeFor is the only place that picks one.

import { countOf, countVerdicts, hasFatalError, type VerdictCounts } from "./summary.js";
import type { CheckResult } from "./verdict.js";
import { VERDICT_NAMES, VERDICTS } from "./verdicts.js";

export const EXIT_CODE_TABLE = [
  {
    name: "asExpected",
    code: 0,
    meaning: "every check as the role expects (warnings and undecided cells allowed)",
    brief: "everything as the role expects (warnings and undecided cells allowed)",
  },
  {
    name: "findings",
    code: 1,
    meaning:
      "a LEAK (allowed, must be denied), a MISSING (denied, KFP needs it), a check that failed with an error, or a KFP component that fails on its own request or session",
    brief: "a LEAK (allowed, must be denied), a MISSING (denied, KFP needs it), a failed check or a failing KFP component",
  },
  {
    name: "usage",
    code: 2,
    meaning: "bad usage or configuration: one line says what to fix; nothing was sent",
    brief: "bad usage or configuration; nothing was sent",
  },
  {
    name: "unreachable",
    code: 3,
    meaning: "cannot connect or authenticate (endpoint, DNS, TLS, keys, region, bucket, timeout), and no LEAK or MISSING was found",
    brief: "cannot connect or authenticate (endpoint, TLS, keys, region, bucket, timeout)",
  },
  { name: "internal", code: 4, meaning: "an internal error of the probe", brief: "an internal error of the probe" },
  {
    name: "leftovers",
    code: 5,
    meaning:
      "no LEAK or MISSING, but the probe could not remove everything it created: the report lists each key and upload; `kfp-s3-probe sweep --delete` removes them",
    brief: "it could not remove everything it created (listed; kfp-s3-probe sweep --delete)",
  },
  {
    name: "unproven",
    code: 6,
    meaning:
      "--require-proof: no LEAK or MISSING, but the answer is not proven for all keys (`assurance` in the report says what it rests on and what stays open)",
    brief: "--require-proof: nothing found, but not proven for all keys (see the assurance)",
  },
  {
    name: "interrupted",
    code: 130,
    meaning: "interrupted (Ctrl-C, SIGTERM); what the probe created was removed first",
    brief: "interrupted (Ctrl-C, SIGTERM); what the probe created was removed first",
  },
] as const;

export const EXIT_CODES = Object.fromEntries(EXIT_CODE_TABLE.map((row) => [row.name, row.code])) as {
  [Row in (typeof EXIT_CODE_TABLE)[number] as Row["name"]]: Row["code"];
};

/** The codes --exit-code may not take: each already says something else than "findings". */
export const RESERVED_EXIT_CODES: readonly number[] = EXIT_CODE_TABLE.flatMap((row) =>
  row.name === "findings" || row.name === "asExpected" ? [] : [row.code],
);

/** How a run ended, beyond its checks. */
export type RunEnding =
  | {
      kind: "finished";
      interruptedBy?: "SIGINT" | "SIGTERM" | "deadline" | string;
      leftovers?: number;
      unproven?: boolean;
      /** --exit-code N: the code for findings instead of 1 (trivy's flag); every other code stays. */
      findingsCode?: number;
    }
  | { kind: "usage-error" }
  | { kind: "internal-error" };

/** The exit code of a judged run, or of a run that never started. */
export function exitCodeFor(results: readonly CheckResult[], ending: RunEnding = { kind: "finished" }): number {
  return exitCodeOf({ counts: countVerdicts(results), fatalError: hasFatalError(results) }, ending);
}

/**
 * The same decision from counts alone: what `merge` has of the shards' reports. `componentFailures`:
 * KFP components that fail on a request only their own shape showed (no cell says it), a finding as a cell's.
 */
export function exitCodeOf(
  facts: { counts: VerdictCounts; fatalError: boolean; componentFailures?: number },
  ending: RunEnding = { kind: "finished" },
): number {
  if (ending.kind === "usage-error") return EXIT_CODES.usage;
  if (ending.kind === "internal-error") return EXIT_CODES.internal;
  if (ending.interruptedBy === "SIGINT" || ending.interruptedBy === "SIGTERM") return EXIT_CODES.interrupted;
  const { counts } = facts;
  const findings = ending.findingsCode ?? EXIT_CODES.findings;
  if (countOf(counts, "failure") > 0 || (facts.componentFailures ?? 0) > 0) return findings;
  // A run that leaves anything behind never exits 0.
  if ((ending.leftovers ?? 0) > 0) return EXIT_CODES.leftovers;
  if (ending.interruptedBy === "deadline") return EXIT_CODES.unreachable;
  if (facts.fatalError) return EXIT_CODES.unreachable;
  // What is left that fails the run is an error that did not stop its identity.
  if (VERDICT_NAMES.some((verdict) => VERDICTS[verdict].failing && counts[verdict] > 0)) return findings;
  if (ending.unproven) return EXIT_CODES.unproven;
  return EXIT_CODES.asExpected;
}
