// s3:ListBucket over all requests at once: the caller picks the s3:prefix (or none) and the
// s3:delimiter (or none), so the question is whether ANY pair of them is allowed with a prefix in
// the target set. The delimiter is settled first: the statements whose conditions read it split
// its values into regions (which of those conditions hold); each region that has a value, and the
// missing delimiter, leaves a question about prefixes alone, which decide() answers.
import type { PolicyDocument } from "./document.js";
import { applicableStatements, bucketNamed, type Caller, type Candidate, conditionOn, decide, type ExactAnswer, type KeyCondition } from "./exact.js";
import { ALL_KEYS, allOf, complement, contains, type KeySet, NO_KEYS } from "./key-language.js";
import { shortestMember } from "./key-search.js";

/** A list request: null where the request leaves the key out. */
export interface ListWitness {
  prefix: string | null;
  delimiter: string | null;
}

interface ListCandidate {
  candidate: Omit<Candidate, "keys">;
  prefix: KeyCondition;
  delimiter: KeyCondition;
}

/** Past this many statements that read s3:delimiter, their regions are not enumerated (2^n). */
const DELIMITER_STATEMENTS = 8;

function listCandidates(documents: PolicyDocument[], caller: Caller, bucket: string, action: string): ListCandidate[] {
  return applicableStatements(documents, caller, action)
    .filter(({ statement }) => bucketNamed(statement, bucket))
    .map(({ statement, doubts, conditions }) => ({
      candidate: { effect: statement.effect, doubts },
      prefix: conditionOn(conditions, "s3:prefix"),
      delimiter: conditionOn(conditions, "s3:delimiter"),
    }));
}

/** Each delimiter case: which candidates' delimiter conditions hold, and a delimiter that makes it so. */
function delimiterCases(candidates: ListCandidate[]): { holds: boolean[]; delimiter: string | null }[] {
  const cases = [{ holds: candidates.map((c) => c.delimiter.whenAbsent), delimiter: null as string | null }];
  const reading = candidates.flatMap((c, i) => (c.delimiter.whenPresent.op === "all" ? [] : [i]));
  for (let region = 0; region < 2 ** reading.length; region += 1) {
    const inside = (i: number) => reading.indexOf(i) < 0 || ((region >> reading.indexOf(i)) & 1) === 1;
    const values = allOf(...candidates.map((c, i) => (inside(i) ? c.delimiter.whenPresent : complement(c.delimiter.whenPresent))));
    const found = shortestMember(values);
    if ("found" in found && found.found) cases.push({ holds: candidates.map((_, i) => inside(i)), delimiter: found.word });
  }
  return cases;
}

/** The prefix questions of one delimiter case: a prefix given, then none (which lists what "" lists). */
function prefixAnswers(candidates: ListCandidate[], holds: boolean[], target: KeySet): [ExactAnswer<string>, ExactAnswer<string>] {
  const active = candidates.filter((_, i) => holds[i]);
  const given = decide(
    active.map((c) => ({ ...c.candidate, keys: c.prefix.whenPresent })),
    target,
  );
  const absent = decide(
    active.map((c) => ({ ...c.candidate, keys: c.prefix.whenAbsent ? ALL_KEYS : NO_KEYS })),
    contains(target, "") ? ALL_KEYS : NO_KEYS,
  );
  return [given, absent];
}

/** May the caller list names under any prefix of `target` (with any delimiter or none), by `action` (s3:ListBucket, or another listing)? */
export function decideList(
  documents: PolicyDocument[],
  caller: Caller,
  bucket: string,
  target: KeySet,
  action = "s3:ListBucket",
): ExactAnswer<ListWitness> {
  const candidates = listCandidates(documents, caller, bucket, action);
  const reading = candidates.filter((c) => c.delimiter.whenPresent.op !== "all").length;
  if (reading > DELIMITER_STATEMENTS)
    return {
      answer: "undecided",
      reasons: [`${reading} statements read s3:delimiter, more than the ${DELIMITER_STATEMENTS} decided exactly`],
      // Named as unread, so that the run cannot be proven on it.
      unread: ["s3:delimiter conditions too many to decide exactly"],
    };
  let open: ExactAnswer<ListWitness> | undefined;
  for (const { holds, delimiter } of delimiterCases(candidates)) {
    const [given, absent] = prefixAnswers(candidates, holds, target);
    for (const [answer, prefix] of [
      [given, given.answer === "no" ? null : (given.witness ?? null)],
      [absent, null],
    ] as const) {
      if (answer.answer === "yes") return { answer: "yes", witness: { prefix, delimiter } };
      if (answer.answer === "undecided") open ??= { ...answer, witness: { prefix, delimiter } };
    }
  }
  return open ?? { answer: "no" };
}
