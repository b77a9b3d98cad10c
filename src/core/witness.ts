// Witnesses: where the exact evaluator finds that an identity's policy lets it act on a key KFP
// forbids it, that key becomes a check on the store itself (issue 21). Each witness names the key,
// the directory to look in for an object that exists, and a key inside the run's own namespace
// that the same policy allows, where an object can be planted when none exists. Pure.
import { type KeyLayout, profileFolderOf, runNamespace } from "./layout.js";
import { OPERATIONS, type Operation } from "./operations.js";
import type { IdentityPlan, PlannedCheck, Role, Target } from "./plan.js";
import type { PolicyDocument } from "./policy/document.js";
import type { ExactAnswer } from "./policy/exact.js";
import { decide } from "./policy/exact.js";
import { auditSubject, mayListOutsideOwn, type PolicySubject, subjectCandidates } from "./policy/exact-questions.js";
import { allOf, complement, exactly, glob, startingWith } from "./policy/key-language.js";
import { type UntriedGrant, untriedGrants } from "./policy/untried.js";

/** The operations a witness is tried with: a read, a write, a delete. */
const WITNESS_OPERATIONS = ["get", "put", "delete"] as const satisfies readonly Operation[];
export type WitnessOperation = (typeof WITNESS_OPERATIONS)[number];

/** The witness operation an IAM action is the action of, if any. */
export const witnessOperationOf = (action: string): WitnessOperation | undefined =>
  WITNESS_OPERATIONS.find((operation) => OPERATIONS[operation].action === action);
const actionOf = (operation: WitnessOperation): string => OPERATIONS[operation].action;

export interface Witness {
  identity: string;
  operation: WitnessOperation;
  /** The shortest key the evaluator found the identity may act on, KFP forbidding it. */
  key: string;
  /** Where an object that exists is looked for: the key's directory. */
  dir: string;
  /** The profile whose prefix holds the key (one that exists, or one that does not yet), or null. */
  owner: string | null;
  /** A key the policy allows too, inside the run's namespace (under `dir` or under the key itself); none where there is none. */
  plantKey?: string;
  /** The evaluator's answer was undecided (a condition it does not read): the store decides alone. */
  undecided?: boolean;
}

/** A witness as a check of the run: its cell, and the run's namespace where its objects go (cleaned up with the others). */
export interface WitnessCheck {
  witness: Witness;
  check: PlannedCheck;
  /** The prefix the run's namespace for it lies under (its directory, or its key), and that namespace. */
  base: string;
  namespace: string;
}

/** The cell a witness is judged in: its directory, relation and owner, the one operation. */
export function witnessCell(witness: Witness, known: ReadonlySet<string>): Target {
  const relation = witness.owner !== null && known.has(witness.owner) ? "foreign" : "unowned";
  return { prefix: witness.dir, relation, owner: witness.owner, operations: [witness.operation] };
}

/**
 * Where the plan tries the witness's directory already with the same operation (on a key the
 * witness's grant may not match), the witness's cell is its key's instead, so that each cell is one.
 */
export function cellIsTaken(plan: IdentityPlan, check: PlannedCheck): boolean {
  return plan.checks.some((c) => c !== check && c.target?.prefix === check.target?.prefix && c.operation === check.operation);
}

/** The witness's cell in a plan that stays as it is (check-policy). */
export function witnessTarget(plan: IdentityPlan, witness: Witness, known: ReadonlySet<string>): Target {
  const cell = witnessCell(witness, known);
  return plan.checks.some((c) => c.target?.prefix === cell.prefix && c.operation === witness.operation) ? { ...cell, prefix: witness.key } : cell;
}

/**
 * Each identity's policy subject from the policies in hand by name, where the anonymous caller's
 * documents are the bucket's policy (--policy-dir's anonymous.json): that policy applies to every
 * identity too.
 */
export function policySubjects(
  policies: ReadonlyMap<string, PolicyDocument[]>,
  identities: { name: string; role: Role }[],
  anonymousName: string,
): Map<string, PolicySubject> {
  const bucketPolicy = policies.get(anonymousName) ?? [];
  const subjects = new Map<string, PolicySubject>();
  for (const { name, role } of identities) {
    if (role.kind === "anonymous" && bucketPolicy.length > 0) subjects.set(name, { role, identityPolicies: [], bucketPolicy });
    const own = policies.get(name);
    if (role.kind !== "anonymous" && own) subjects.set(name, { role, identityPolicies: own, bucketPolicy });
  }
  return subjects;
}

/** What the bucket's policy lets anyone do that KFP forbids, decided offline: the anonymous caller is not in the run to try it. */
export interface PublicUntried {
  keys: { operation: WitnessOperation; key: string }[];
  unread: string[];
  /** Grants to anyone of actions the probe never sends (s3:GetObjectVersion, s3:PutBucketPolicy…). */
  untried: UntriedGrant[];
}

/** With the bucket's policy in hand and no anonymous caller in the run (--no-anonymous): its grants to anyone, or undefined where none. */
export function untriedPublicGrants(
  bucketPolicy: PolicyDocument[],
  context: { layout: KeyLayout; bucket: string; runId: string; profiles: string[] },
): PublicUntried | undefined {
  if (bucketPolicy.length === 0) return undefined;
  const subject: PolicySubject = { role: { kind: "anonymous" }, identityPolicies: [], bucketPolicy };
  const { witnesses, unread, untried } = witnessesOf("anonymous", subject, context);
  // Listing too: a run with the anonymous caller tries it live, this one cannot.
  const list = mayListOutsideOwn(subject, context.layout, context.bucket);
  const listed = list.answer === "yes" ? [{ action: "s3:ListBucket", key: list.witness.prefix ?? "" }] : [];
  const all = [...untried, ...listed];
  if (witnesses.length === 0 && unread.length === 0 && all.length === 0) return undefined;
  return { keys: witnesses.map(({ operation, key }) => ({ operation, key })), unread, untried: all };
}

/** The first of `keys` the subject's policies surely let it do `operation` on (an object found by listing is read only then). */
export function firstAllowed(subject: PolicySubject, bucket: string, operation: WitnessOperation, keys: readonly string[]): string | undefined {
  const candidates = subjectCandidates(subject, bucket, actionOf(operation));
  return keys.find((key) => decide(candidates, exactly(key)).answer === "yes");
}

export const policyAllows = (subject: PolicySubject, bucket: string, operation: WitnessOperation, key: string): boolean =>
  firstAllowed(subject, bucket, operation, [key]) !== undefined;

/** The profile a key belongs to by the layout (its first segment under a profile area root). */
const ownerOf = (key: string, layout: KeyLayout): string | null => profileFolderOf(key, layout)?.profile ?? null;

const directoryOf = (key: string) => key.slice(0, key.lastIndexOf("/") + 1);

/** A key the policy allows inside the run's namespace under the witness's directory, else under the key itself. */
function plantKeyFor(subject: PolicySubject, bucket: string, operation: WitnessOperation, key: string, runId: string): string | undefined {
  const candidates = subjectCandidates(subject, bucket, actionOf(operation));
  for (const base of [directoryOf(key), key]) {
    const namespace = runNamespace(base, runId);
    // A name of one segment in the namespace (what sweep recognises), "witness" where the policy allows it.
    const named = decide(candidates, exactly(`${namespace}witness`));
    if (named.answer === "yes") return named.witness;
    const oneSegment = allOf(startingWith(namespace), complement(exactly(namespace)), complement(glob(`${namespace}*/*`)));
    const answer = decide(candidates, oneSegment);
    if (answer.answer === "yes") return answer.witness;
  }
  return undefined;
}

function witnessOf(
  identity: string,
  subject: PolicySubject,
  context: { layout: KeyLayout; bucket: string; runId: string },
  operation: WitnessOperation,
  answer: ExactAnswer<string>,
): Witness | undefined {
  if (answer.answer === "no" || answer.witness === undefined) return undefined;
  const { layout, bucket, runId } = context;
  const key = answer.witness;
  const plantKey = plantKeyFor(subject, bucket, operation, key, runId);
  return {
    identity,
    operation,
    key,
    dir: directoryOf(key),
    owner: ownerOf(key, layout),
    ...(plantKey ? { plantKey } : {}),
    ...(answer.answer === "undecided" ? { undecided: true } : {}),
  };
}

/**
 * The witnesses of one identity: per object action, one per profile the policy reaches (of those
 * the run knows); where it reaches keys outside its own but none of those profiles, the one key the
 * evaluator found (a profile that does not exist yet, or keys no layout prefix holds). `unread`:
 * what in its policies the evaluator could not read, where that could change an answer.
 */
export function witnessesOf(
  identity: string,
  subject: PolicySubject,
  context: { layout: KeyLayout; bucket: string; runId: string; profiles: string[] },
): { witnesses: Witness[]; unread: string[]; untried: UntriedGrant[] } {
  const audit = auditSubject(subject, context.layout, context.bucket, context.profiles);
  const answers = [...audit.actions.flatMap((a) => [a.outside, ...a.profiles.map((p) => p.answer)]), audit.list];
  const beyond = untriedGrants(subject, context.layout, context.bucket);
  // An audited action no witness operation stands for (AbortMultipartUpload): its yes is untried.
  const audited = audit.actions.flatMap(({ action, outside }): UntriedGrant[] =>
    !witnessOperationOf(action) && outside.answer === "yes" ? [{ action, key: outside.witness }] : [],
  );
  const unread = [...new Set([...answers.flatMap((a) => (a.answer === "undecided" ? a.unread : [])), ...beyond.unread])];
  const witnesses = audit.actions.flatMap(({ action, outside, profiles }) => {
    const operation = witnessOperationOf(action);
    if (!operation || outside.answer === "no") return [];
    const perProfile = profiles.flatMap(({ answer }) => witnessOf(identity, subject, context, operation, answer) ?? []);
    if (perProfile.length > 0) return perProfile;
    return witnessOf(identity, subject, context, operation, outside) ?? [];
  });
  return { witnesses, unread, untried: [...audited, ...beyond.grants] };
}
