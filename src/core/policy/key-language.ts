// Sets of keys as regular languages, for the exact evaluator: an IAM glob (`*` any run, `?` one
// character) is a small NFA over its positions, and a set of keys is a boolean formula over such
// globs. Emptiness and a shortest member come from one breadth-first walk over the product of the
// formula's globs. The alphabet is the characters the globs name plus one stand-in for all others:
// a character no glob names moves every glob the same way, so one of them speaks for the rest.
// Characters are UTF-16 code units, as evaluate.ts's RegExp (without the u flag) reads them.

/** A glob's tokens: a character code, or one of the two wildcards. */
export type Pattern = readonly number[];
const ANY_ONE = -1;
export const ANY_RUN = -2;

export type KeySet =
  | { op: "all" }
  | { op: "none" }
  | { op: "match"; pattern: Pattern }
  | { op: "and" | "or"; parts: readonly KeySet[] }
  | { op: "not"; part: KeySet };

export const ALL_KEYS: KeySet = { op: "all" };
export const NO_KEYS: KeySet = { op: "none" };

/** IAM's glob: `*` and `?` are wildcards, every other character stands for itself. */
export function globPattern(glob: string): Pattern {
  return Array.from({ length: glob.length }, (_, i) => {
    const code = glob.charCodeAt(i);
    return code === 42 ? ANY_RUN : code === 63 ? ANY_ONE : code;
  });
}

function literalPattern(text: string): Pattern {
  return Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
}

export const matching = (pattern: Pattern): KeySet => ({ op: "match", pattern });
export const glob = (text: string): KeySet => matching(globPattern(text));
export const exactly = (text: string): KeySet => matching(literalPattern(text));
export const startingWith = (prefix: string): KeySet => matching([...literalPattern(prefix), ANY_RUN]);

export function anyOf(...parts: KeySet[]): KeySet {
  const kept = parts.filter((part) => part.op !== "none");
  if (kept.some((part) => part.op === "all")) return ALL_KEYS;
  if (kept.length === 0) return NO_KEYS;
  return kept.length === 1 ? (kept[0] as KeySet) : { op: "or", parts: kept };
}

export function allOf(...parts: KeySet[]): KeySet {
  const kept = parts.filter((part) => part.op !== "all");
  if (kept.some((part) => part.op === "none")) return NO_KEYS;
  if (kept.length === 0) return ALL_KEYS;
  return kept.length === 1 ? (kept[0] as KeySet) : { op: "and", parts: kept };
}

export function complement(part: KeySet): KeySet {
  if (part.op === "all") return NO_KEYS;
  if (part.op === "none") return ALL_KEYS;
  return part.op === "not" ? part.part : { op: "not", part };
}

/** A glob's positions after the wildcards that may match nothing: `a*` at 1 is also at 2. */
export function closure(pattern: Pattern, positions: Iterable<number>): number[] {
  const out = new Set<number>();
  for (let position of positions) {
    out.add(position);
    while (pattern[position] === ANY_RUN) out.add(++position);
  }
  return [...out].sort((a, b) => a - b);
}

export function step(pattern: Pattern, positions: readonly number[], code: number): number[] {
  const next: number[] = [];
  for (const position of positions) {
    const token = pattern[position];
    if (token === ANY_RUN) next.push(position);
    else if (token === ANY_ONE || token === code) next.push(position + 1);
  }
  return next.length === 0 ? next : closure(pattern, next);
}

/** The globs whose union is what is left of `pattern` once `text` has been read: `a*b` after "ax" is `*b`. */
export function afterLiteral(pattern: Pattern, text: string): Pattern[] {
  let positions = closure(pattern, [0]);
  for (let i = 0; i < text.length && positions.length > 0; i += 1) positions = step(pattern, positions, text.charCodeAt(i));
  // A position that the closure reached from a wildcard before it is already covered by that wildcard's glob.
  const starts = positions.filter((p) => !(p > 0 && pattern[p - 1] === ANY_RUN && positions.includes(p - 1)));
  return starts.map((p) => pattern.slice(p));
}

function patternMatches(pattern: Pattern, word: string): boolean {
  let positions = closure(pattern, [0]);
  for (let i = 0; i < word.length && positions.length > 0; i += 1) positions = step(pattern, positions, word.charCodeAt(i));
  return positions.includes(pattern.length);
}

/** Membership of one word, without automata: for tests and as the brute-force side. */
export function contains(set: KeySet, word: string): boolean {
  switch (set.op) {
    case "all":
      return true;
    case "none":
      return false;
    case "match":
      return patternMatches(set.pattern, word);
    case "and":
      return set.parts.every((part) => contains(part, word));
    case "or":
      return set.parts.some((part) => contains(part, word));
    case "not":
      return !contains(set.part, word);
  }
}
