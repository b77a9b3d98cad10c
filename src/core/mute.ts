// Known findings muted, as trivy's --severity and .trivyignore do: which severities count, and an
// ignore file of findings by name. A muted finding stays in the report, marked muted, and does not
// count toward the exit code; a rule that mutes nothing is said. A LEAK is muted only by its
// exact name. Data only: the report words it.
import { CAUSE_NAMES, type Cause } from "./cause.js";
import { UNOWNED_PREFIX } from "./layout.js";
import { OPERATION_NAMES, type Operation } from "./operations.js";
import type { FindingCheck } from "./summary.js";

/** What a rule or --severity mutes: a check, or a KFP component's failure no cell says (no operation of its own). */
type Mutable = Omit<FindingCheck, "operation"> & { operation: Operation | null };

import { UsageError } from "./usage-error.js";
import { type Severity, severityOf } from "./verdicts.js";

/** The severities a finding can have (pass is no finding), worst first: --severity's choices. */
const FINDING_SEVERITIES = ["failure", "error", "warning", "undecided", "skipped"] as const satisfies readonly Severity[];
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** How the report names the bucket itself where a prefix would stand (the stderr lines, an ignore rule). */
export const BUCKET_PLACE = "(bucket)";
/** How an ignore rule names the profile that exists nowhere, whose name is new in each run. */
const NOBODY = "(nobody)";

/** A check's place as an ignore rule names it: the same in every run. */
function placeName(prefix: string | null): string {
  if (prefix === null) return BUCKET_PLACE;
  return prefix
    .split("/")
    .map((segment) => (segment.startsWith(UNOWNED_PREFIX) ? NOBODY : segment))
    .join("/");
}

/**
 * One line of an ignore file: CAUSE [IDENTITY [PREFIX [OPERATION]]]. A field left out or `*` is
 * any; a PREFIX ending in `*` is any prefix that starts so; `(bucket)` is the bucket itself, and
 * `(nobody)` the profile that exists nowhere (kfp-s3-probe-nobody-…, new in each run).
 */
export interface IgnoreRule {
  line: number;
  /** The rule as written, without its comment. */
  text: string;
  cause: Cause;
  identity?: string;
  prefix?: string;
  operation?: Operation;
}

export type MuteReason = { by: "ignore-file"; line: number; rule: string } | { by: "severity" };

/** --severity's value: a comma-separated list of finding severities, in any case (trivy writes them in capitals). */
export function parseSeverities(text: string): FindingSeverity[] {
  const given = text.split(",").map((part) => part.trim().toLowerCase());
  for (const part of given) {
    if (!FINDING_SEVERITIES.some((severity) => severity === part))
      throw new UsageError(
        `--severity ${JSON.stringify(part)} is not a severity: give some of ${FINDING_SEVERITIES.join(", ")}, comma-separated (e.g. --severity failure,error)`,
      );
  }
  return FINDING_SEVERITIES.filter((severity) => given.includes(severity));
}

const anyField = (field: string | undefined): string | undefined => (field === undefined || field === "*" ? undefined : field);

function ruleOf(fields: string[], line: number, where: string): IgnoreRule {
  const [cause, identity, prefix, operation, ...rest] = fields;
  const at = `${where} line ${line}`;
  if (rest.length > 0) throw new UsageError(`${at}: write CAUSE [IDENTITY [PREFIX [OPERATION]]], at most 4 fields (a comment starts with #)`);
  if (!CAUSE_NAMES.some((name) => name === cause))
    throw new UsageError(
      `${at}: ${JSON.stringify(cause)} is not a cause; the causes are the report's cause codes (docs/report-schema.md), e.g. recommended-action`,
    );
  const op = anyField(operation);
  if (op !== undefined && !OPERATION_NAMES.some((name) => name === op))
    throw new UsageError(`${at}: ${JSON.stringify(op)} is not an operation; give one of ${OPERATION_NAMES.join(", ")}, or *`);
  const id = anyField(identity);
  const pre = anyField(prefix);
  return {
    line,
    text: fields.join(" "),
    cause: cause as Cause,
    ...(id !== undefined ? { identity: id } : {}),
    ...(pre !== undefined ? { prefix: pre } : {}),
    ...(op !== undefined ? { operation: op as Operation } : {}),
  };
}

/** An ignore file's rules: one per line that is not blank or a comment; a bad line is a usage error naming it. */
export function parseIgnoreRules(text: string, where: string): IgnoreRule[] {
  return text.split(/\r?\n/).flatMap((raw, index) => {
    const fields = raw
      .replace(/(^|\s)#.*$/, "")
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    return fields.length === 0 ? [] : [ruleOf(fields, index + 1, where)];
  });
}

function prefixMatches(rule: string | undefined, prefix: string | null): boolean {
  if (rule === undefined) return true;
  // Either name of the profile that exists nowhere: this run's, or (nobody).
  const [place, wanted] = [placeName(prefix), placeName(rule)];
  return wanted.endsWith("*") ? place.startsWith(wanted.slice(0, -1)) : place === wanted;
}

/** The rule names this finding, exactly or with wildcards. */
function ruleMatches(rule: IgnoreRule, check: Mutable): boolean {
  return (
    check.verdict !== "ok" &&
    rule.cause === check.cause &&
    (rule.identity === undefined || rule.identity === check.identity) &&
    prefixMatches(rule.prefix, check.prefix) &&
    (rule.operation === undefined || rule.operation === check.operation)
  );
}

/** Every field given, no wildcard: the only rule that mutes a LEAK. */
const isExactName = (rule: IgnoreRule): boolean =>
  rule.identity !== undefined && rule.prefix !== undefined && !rule.prefix.endsWith("*") && rule.operation !== undefined;

export interface Muting {
  /** Per check, in the checks' order: why it is muted, or undefined. */
  reasons: (MuteReason | undefined)[];
  /** Rules that mute nothing (the report says each). */
  unmatched: IgnoreRule[];
  /** Rules that name a LEAK without its exact name: it stays unmuted, and the report says the names that would mute it. */
  inexactLeaks: { rule: IgnoreRule; names: string[] }[];
}

/** A check's exact name, as an ignore rule writes it: CAUSE IDENTITY PREFIX OPERATION. */
function exactName(check: Mutable): string {
  return [check.cause, check.identity, placeName(check.prefix), check.operation ?? "*"].join(" ");
}

/**
 * Of a severity --severity shows (absent: all); ok is no finding and always shown. A LEAK is always
 * shown: only a rule naming it exactly mutes it, so that no severity list hides another team's data.
 */
const isShown = (check: Mutable, severities: readonly FindingSeverity[] | undefined): boolean =>
  !severities || check.verdict === "ok" || check.verdict === "leak" || severities.some((severity) => severity === severityOf(check.verdict));

/** Which findings are muted, by the ignore file's rules (first that matches) or by --severity (absent: every severity counts). */
export function muteFindings(
  checks: readonly Mutable[],
  options: { rules?: readonly IgnoreRule[]; severities?: readonly FindingSeverity[] },
): Muting {
  const rules = options.rules ?? [];
  const used = new Set<IgnoreRule>();
  const leaksNamed = new Map<IgnoreRule, string[]>();
  const reasons = checks.map((check): MuteReason | undefined => {
    const matching = rules.filter((rule) => ruleMatches(rule, check));
    const rule = check.verdict === "leak" ? matching.find(isExactName) : matching[0];
    if (rule) {
      used.add(rule);
      return { by: "ignore-file", line: rule.line, rule: rule.text };
    }
    for (const r of matching) leaksNamed.set(r, [...(leaksNamed.get(r) ?? []), exactName(check)]);
    return isShown(check, options.severities) ? undefined : { by: "severity" };
  });
  const inexactLeaks = [...leaksNamed].filter(([rule]) => !used.has(rule)).map(([rule, names]) => ({ rule, names }));
  return { reasons, unmatched: rules.filter((rule) => !used.has(rule) && !leaksNamed.has(rule)), inexactLeaks };
}
