// The exact evaluator against brute force (fast-check): random small policies of globs over a
// small alphabet with `/`, `*` and `?`, random keys and random key sets. For one key, the exact
// answer is the per-request evaluator's (evaluate.ts), allow, deny and undecided alike; for a set,
// a witness is in the set, allowed and shortest, and an empty answer has no allowed key in the set
// among all keys up to length 4 over the alphabet and a character no pattern names.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PolicyDocument, Statement } from "../../src/core/policy/document.js";
import { evaluate, type PolicyRequest } from "../../src/core/policy/evaluate.js";
import { type Caller, decide, objectCandidates } from "../../src/core/policy/exact.js";
import { decideList } from "../../src/core/policy/exact-list.js";
import { allOf, anyOf, complement, contains, exactly, glob, type KeySet, startingWith } from "../../src/core/policy/key-language.js";

const BUCKET = "b";
const ARN = `arn:aws:s3:::${BUCKET}`;
const USER = "arn:aws:iam::123456789012:user/u";
const LETTERS = ["a", "b", "/"];
const ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"];

const globText = (maxLength: number) => fc.array(fc.constantFrom(...LETTERS, "*", "?"), { maxLength }).map((chars) => chars.join(""));
const keyText = (maxLength: number) => fc.array(fc.constantFrom(...LETTERS, "x"), { maxLength }).map((chars) => chars.join(""));

/** All keys up to `length` over the alphabet and x, which no pattern names. */
const ALL_SHORT_KEYS = (() => {
  const keys = [""];
  for (let start = 0, length = 1; length <= 4; length += 1) {
    const end = keys.length;
    for (let i = start; i < end; i += 1) for (const c of [...LETTERS, "x"]) keys.push(`${keys[i]}${c}`);
    start = end;
  }
  return keys;
})();

const resource = fc.oneof(
  { weight: 6, arbitrary: globText(5).map((g) => `${ARN}/${g}`) },
  { weight: 1, arbitrary: fc.constantFrom("*", ARN, `arn:aws:s3:::*`, `arn:aws:s3:::?/a*`, `arn:aws:s3:::b*`) },
);

const condition = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc.record({
      operator: fc.constantFrom(
        "StringLike",
        "StringNotLike",
        "StringEquals",
        "StringNotEquals",
        "StringLikeIfExists",
        "ForAnyValue:StringLike",
        "ForAnyValue:StringNotLike",
      ),
      key: fc.constantFrom("s3:prefix", "s3:prefix", "s3:delimiter"),
      values: fc.array(globText(4), { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constant<{ operator: string; key: string; values: string[] }>({
      operator: "IpAddress",
      key: "aws:SourceIp",
      values: ["10.0.0.0/8"],
    }),
  },
);

const statement: fc.Arbitrary<Statement> = fc
  .record({
    effect: fc.constantFrom<Statement["effect"]>("Allow", "Allow", "Deny"),
    actions: fc.array(fc.constantFrom("s3:GetObject", "s3:*", "S3:put*", "s3:ListBucket", "s3:?etObject"), { minLength: 1, maxLength: 2 }),
    notAction: fc.boolean(),
    resources: fc.array(resource, { minLength: 1, maxLength: 2 }),
    notResource: fc.boolean(),
    principal: fc.constantFrom<Statement["principal"]>(undefined, undefined, "*", [USER]),
    condition,
  })
  .map((r) => ({
    effect: r.effect,
    ...(r.notAction ? { notAction: r.actions } : { action: r.actions }),
    ...(r.notResource ? { notResource: r.resources } : { resource: r.resources }),
    ...(r.principal === undefined ? {} : { principal: r.principal }),
    ...(r.condition ? { condition: { [r.condition.operator]: { [r.condition.key]: r.condition.values } } } : {}),
  }));

/** A glob, or "under one of two prefixes, and not under a third" (the questions' shape). */
const keySet: fc.Arbitrary<KeySet> = fc.oneof(
  globText(5).map(glob),
  fc.tuple(keyText(3), keyText(3), keyText(3)).map(([a, b, c]) => allOf(anyOf(startingWith(a), startingWith(b)), complement(startingWith(c)))),
);

const policy: fc.Arbitrary<PolicyDocument[]> = fc.array(statement, { minLength: 1, maxLength: 4 }).map((statements) => [{ statements }]);
const caller: Caller = { kind: "identity" };

const objectRequest = (action: string, key: string): PolicyRequest => ({ action, resource: `${ARN}/${key}`, context: {}, caller: "identity" });
const listRequest = (prefix: string | null, delimiter: string | null): PolicyRequest => ({
  action: "s3:ListBucket",
  resource: ARN,
  context: { ...(prefix === null ? {} : { "s3:prefix": prefix }), ...(delimiter === null ? {} : { "s3:delimiter": delimiter }) },
  caller: "identity",
});
const verdict = (documents: PolicyDocument[], request: PolicyRequest) => {
  const effect = evaluate(documents, request).effect;
  return effect === "allow" ? "yes" : effect === "undecided" ? "undecided" : "no";
};

describe("the exact evaluator agrees with brute force", () => {
  // Generous timeouts: the runs are counted, not timed, and a loaded machine runs them slower.
  it("on one key: the same allow, deny or undecided as evaluate.ts (10,000 random policy and key pairs)", () => {
    fc.assert(
      fc.property(policy, keyText(6), fc.constantFrom(...ACTIONS.slice(0, 2)), (documents, key, action) => {
        const exact = decide(objectCandidates(documents, caller, action, BUCKET), exactly(key));
        expect(exact.answer).toBe(verdict(documents, objectRequest(action, key)));
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);

  it("on a set of keys: a witness is in the set, allowed and shortest; no is no key of the set allowed", () => {
    fc.assert(
      fc.property(policy, keySet, fc.constantFrom(...ACTIONS.slice(0, 2)), (documents, keys, action) => {
        const exact = decide(objectCandidates(documents, caller, action, BUCKET), keys);
        const allowed = ALL_SHORT_KEYS.filter((key) => contains(keys, key) && verdict(documents, objectRequest(action, key)) === "yes");
        if (exact.answer === "yes") {
          expect(contains(keys, exact.witness)).toBe(true);
          expect(verdict(documents, objectRequest(action, exact.witness))).toBe("yes");
          expect(allowed.every((key) => key.length >= exact.witness.length)).toBe(true);
        } else expect(allowed).toEqual([]);
        if (exact.answer === "undecided" && exact.witness !== undefined)
          expect(verdict(documents, objectRequest(action, exact.witness))).not.toBe("no");
      }),
      { numRuns: 2_000 },
    );
  }, 120_000);

  it("on listing: a witness (prefix, delimiter) is allowed with its prefix in the set; no is no short prefix allowed", () => {
    const delimiters = [null, "", "/", "a", "x"];
    fc.assert(
      fc.property(policy, globText(4), (documents, prefixGlob) => {
        const target = glob(prefixGlob);
        const exact = decideList(documents, caller, BUCKET, target);
        if (exact.answer === "yes") {
          const { prefix, delimiter } = exact.witness;
          expect(contains(target, prefix ?? "")).toBe(true);
          expect(verdict(documents, listRequest(prefix, delimiter))).toBe("yes");
        }
        if (exact.answer !== "no") return;
        for (const prefix of [null, ...ALL_SHORT_KEYS.slice(0, 85)])
          for (const delimiter of delimiters)
            if (contains(target, prefix ?? "")) expect(verdict(documents, listRequest(prefix, delimiter))).not.toBe("yes");
      }),
      { numRuns: 1_000 },
    );
  }, 120_000);
});
