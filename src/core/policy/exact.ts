// The exact evaluator: what a caller's policy statements allow for a whole SET of keys (or of
// s3:prefix values), not for one request. The same semantics as evaluate.ts (an explicit Deny wins,
// else an Allow that matches allows; Action/NotAction case-insensitive, Resource/NotResource with *
// and ?, the string operators on s3:prefix and s3:delimiter), with each statement turned into the
// set of keys it applies to. A part it cannot read (another condition key or operator, a Principal
// it cannot match) brackets the answer: the keys surely allowed (doubtful Allows left out, doubtful
// Denies put in) and the keys possibly allowed (the other way round). Only where the two differ is
// the answer undecided, naming what was not read.
import type { ConditionBlock, PolicyDocument, Statement } from "./document.js";
import { wildcardMatch } from "./evaluate.js";
import { ALL_KEYS, afterLiteral, allOf, anyOf, complement, contains, exactly, globPattern, type KeySet, matching } from "./key-language.js";
import { shortestMember } from "./key-search.js";

export type Caller = { kind: "anonymous" } | { kind: "identity"; arn?: string };

export type ExactAnswer<W> =
  | { answer: "no" }
  | { answer: "yes"; witness: W }
  /** `unread`: the condition keys, operators or principals that decide it; `witness`: a key they could allow. */
  | { answer: "undecided"; reasons: string[]; unread: string[]; witness?: W };

/** One statement as a set: the keys it applies to, and what about it was not read. */
export interface Candidate {
  effect: Statement["effect"];
  keys: KeySet;
  doubts: Doubt[];
}

interface Doubt {
  statement: string;
  unread: string;
}

/** A context key's condition: whether it holds when the request lacks the key, and for which values. */
export interface KeyCondition {
  whenAbsent: boolean;
  whenPresent: KeySet;
}

const READ_KEYS = new Set(["s3:prefix", "s3:delimiter"]);
const ANY_VALUE: KeyCondition = { whenAbsent: true, whenPresent: ALL_KEYS };

function statementName(statement: Statement, index: number): string {
  return statement.sid ? `statement ${statement.sid}` : `${statement.effect} statement #${index + 1}`;
}

function actionApplies(statement: Statement, action: string): boolean {
  if (statement.action) return statement.action.some((pattern) => wildcardMatch(pattern, action, true));
  return !(statement.notAction ?? []).some((pattern) => wildcardMatch(pattern, action, true));
}

/** The keys of `bucket` a statement's Resource (or NotResource) names. */
function resourceKeys(statement: Statement, bucket: string): KeySet {
  const patterns = statement.resource ?? statement.notResource ?? [];
  const named = anyOf(...patterns.flatMap((arn) => afterLiteral(globPattern(arn), `arn:aws:s3:::${bucket}/`).map(matching)));
  return statement.resource ? named : complement(named);
}

export function bucketNamed(statement: Statement, bucket: string): boolean {
  const named = (statement.resource ?? statement.notResource ?? []).some((pattern) => wildcardMatch(pattern, `arn:aws:s3:::${bucket}`));
  return statement.resource ? named : !named;
}

/** Does a NotPrincipal take in the caller (everyone it does not name): yes, no, or what could not be told. */
function notPrincipalApplies(notPrincipal: "*" | string[], caller: Caller): boolean | string {
  if (notPrincipal === "*") return false;
  // No NotPrincipal can name the anonymous caller: it is always taken in.
  if (caller.kind === "anonymous") return true;
  if (caller.arn !== undefined && notPrincipal.includes(caller.arn)) return false;
  return "a NotPrincipal (whether it leaves the caller out is not read offline)";
}

/** Does a statement's Principal take in the caller: yes, no, or what could not be told. */
function principalApplies(statement: Statement, caller: Caller): boolean | string {
  if (statement.notPrincipal !== undefined) return notPrincipalApplies(statement.notPrincipal, caller);
  const principal = statement.principal;
  // Identity policies have no Principal: they are the identity's own, never the anonymous caller's.
  if (principal === undefined) return caller.kind === "identity";
  if (principal === "*") return true;
  if (caller.kind === "anonymous") return false;
  if (caller.arn === undefined) return "a Principal naming specific callers (their ARNs are not known offline)";
  if (principal.includes(caller.arn)) return true;
  // An account named as the principal takes in its members as their own policies allow: not read here.
  if (principal.some((entry) => /^\d{12}$/.test(entry) || entry.endsWith(":root"))) return "a Principal naming an account";
  return false;
}

const OPERATOR = /^(ForAnyValue:)?(String(?:Not)?(?:Equals|Like))(IfExists)?$/;

/** One operator on one key, as a condition on that key's value; or what it is that is not read. */
function operatorCondition(operator: string, key: string, values: string[]): KeyCondition | string {
  if (!READ_KEYS.has(key)) return `condition key ${key}`;
  const match = OPERATOR.exec(operator);
  if (!match) return `condition operator ${operator}`;
  const form = match[2] as string;
  const negated = form.includes("Not");
  const like = form.endsWith("Like");
  const named = anyOf(...values.map((value) => (like ? matching(globPattern(value)) : exactly(value))));
  // As evaluate.ts: a missing key makes the positive forms false and the Not forms true, IfExists
  // true; ForAnyValue: over no values is false, negated or not.
  return { whenAbsent: match[3] ? true : match[1] ? false : negated, whenPresent: negated ? complement(named) : named };
}

/** A statement's Condition, per context key (all must hold), and what in it is not read. */
function conditionsOf(condition: ConditionBlock | undefined): { keys: Map<string, KeyCondition>; unread: string[] } {
  const keys = new Map<string, KeyCondition>();
  const unread: string[] = [];
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, values] of Object.entries(entries)) {
      const part = operatorCondition(operator, key, values);
      if (typeof part === "string") unread.push(part);
      else {
        const before = keys.get(key) ?? ANY_VALUE;
        keys.set(key, { whenAbsent: before.whenAbsent && part.whenAbsent, whenPresent: allOf(before.whenPresent, part.whenPresent) });
      }
    }
  }
  return { keys, unread };
}

export const conditionOn = (conditions: Map<string, KeyCondition>, key: string): KeyCondition => conditions.get(key) ?? ANY_VALUE;

/** The statements of the documents that apply to the caller and the action, each with what was not read in it. */
export function applicableStatements(
  documents: PolicyDocument[],
  caller: Caller,
  action: string,
): { statement: Statement; doubts: Doubt[]; conditions: Map<string, KeyCondition> }[] {
  const found = [];
  for (const [index, statement] of documents.flatMap((d) => d.statements).entries()) {
    if (!actionApplies(statement, action)) continue;
    const principal = principalApplies(statement, caller);
    if (principal === false) continue;
    const { keys, unread } = conditionsOf(statement.condition);
    const name = statementName(statement, index);
    const doubts = [...(typeof principal === "string" ? [principal] : []), ...unread].map((what) => ({ statement: name, unread: what }));
    found.push({ statement, doubts, conditions: keys });
  }
  return found;
}

/** The statements on an action whose request carries no s3:prefix or s3:delimiter: each such condition is settled as absent. */
function unlistedStatements(documents: PolicyDocument[], caller: Caller, action: string) {
  return applicableStatements(documents, caller, action).filter(({ conditions }) =>
    [...conditions.values()].every((condition) => condition.whenAbsent),
  );
}

/** Object actions, as sets of the keys each statement names. */
export function objectCandidates(documents: PolicyDocument[], caller: Caller, action: string, bucket: string): Candidate[] {
  return unlistedStatements(documents, caller, action).map(({ statement, doubts }) => ({
    effect: statement.effect,
    keys: resourceKeys(statement, bucket),
    doubts,
  }));
}

/** A bucket action (PutBucketPolicy…): the statements that name the bucket, each over every key (decide asks of one). */
export function bucketCandidates(documents: PolicyDocument[], caller: Caller, action: string, bucket: string): Candidate[] {
  return unlistedStatements(documents, caller, action)
    .filter(({ statement }) => bucketNamed(statement, bucket))
    .map(({ statement, doubts }) => ({ effect: statement.effect, keys: ALL_KEYS, doubts }));
}

function doubtsOf(candidates: Candidate[]): { reasons: string[]; unread: string[] } {
  const doubts = candidates.flatMap((candidate) => candidate.doubts);
  return {
    reasons: [...new Set(doubts.map((d) => `${d.statement} uses ${d.unread}, which the exact evaluator does not read`))],
    unread: [...new Set(doubts.map((d) => d.unread))],
  };
}

/** The keys of `target` surely allowed and possibly allowed (see the top of this file). */
function bracket(candidates: Candidate[], target: KeySet): { sure: KeySet; possible: KeySet } {
  const union = (effect: Statement["effect"], doubtful: boolean) =>
    anyOf(...candidates.filter((c) => c.effect === effect && (doubtful || c.doubts.length === 0)).map((c) => c.keys));
  return {
    sure: allOf(target, union("Allow", false), complement(union("Deny", true))),
    possible: allOf(target, union("Allow", true), complement(union("Deny", false))),
  };
}

const tooComplex = (states: number): ExactAnswer<string> => ({
  answer: "undecided",
  reasons: [`the key patterns are too complex to decide exactly (over ${states} automaton states)`],
  // Named as unread, so that the run cannot be proven on it: no key was found, none was ruled out.
  unread: ["key patterns too complex to decide exactly"],
});

type Found = { word: string } | { tooComplex: number } | undefined;

/** A shortest member of `set`, one of `prefer` where it has one. */
function witnessIn(set: KeySet, prefer: KeySet): Found {
  const any = shortestMember(set);
  if ("tooComplex" in any) return { tooComplex: any.states };
  if (!any.found) return undefined;
  const nicer = prefer.op === "all" || contains(prefer, any.word) ? any : shortestMember(allOf(set, prefer));
  return { word: "found" in nicer && nicer.found ? nicer.word : any.word };
}

/** May the candidates allow any key of `target`: no, yes (with a shortest key, one of `prefer` where there is one), or undecided. */
export function decide(candidates: Candidate[], target: KeySet, prefer: KeySet = ALL_KEYS): ExactAnswer<string> {
  const { sure, possible } = bracket(candidates, target);
  const surely = witnessIn(sure, prefer);
  if (surely && "tooComplex" in surely) return tooComplex(surely.tooComplex);
  if (surely) return { answer: "yes", witness: surely.word };
  const possibly = witnessIn(possible, prefer);
  if (possibly && "tooComplex" in possibly) return tooComplex(possibly.tooComplex);
  if (!possibly) return { answer: "no" };
  // Name only the doubtful statements that reach the target at all.
  const relevant = candidates.filter((c) => c.doubts.length > 0 && witnessIn(allOf(target, c.keys), ALL_KEYS) !== undefined);
  return { answer: "undecided", ...doubtsOf(relevant), witness: possibly.word };
}
