// Emptiness and a shortest member of a KeySet: breadth first over the product of its globs' NFAs
// (each glob a set of positions), so the first accepted word found is a shortest one. A state from
// which the formula is false whatever follows (a required glob can no longer match) is not expanded;
// that keeps questions such as "under artifacts/team-2/ and allowed" linear in the prefix.
import { ANY_RUN, closure, type KeySet, type Pattern, step } from "./key-language.js";

export type Search = { found: true; word: string } | { found: false } | { tooComplex: true; states: number };

/** Past this many product states the set is called too complex rather than guessed. */
const STATE_LIMIT = 200_000;

/** What a glob in a state says about every word that goes on from here. */
const Fate = { Never: 0, Always: 1, Open: 2 } as const;
type Fate = (typeof Fate)[keyof typeof Fate];

interface Atom {
  pattern: Pattern;
  /** The first position from which only `*` follows (a match from there on is for good). */
  sinkFrom: number;
}

function atomsOf(set: KeySet, atoms: Map<string, number>, list: Atom[]): void {
  if (set.op === "match") {
    const key = set.pattern.join(",");
    if (atoms.has(key)) return;
    atoms.set(key, list.length);
    let sinkFrom = set.pattern.length;
    while (sinkFrom > 0 && set.pattern[sinkFrom - 1] === ANY_RUN) sinkFrom -= 1;
    list.push({ pattern: set.pattern, sinkFrom: sinkFrom === set.pattern.length ? Number.POSITIVE_INFINITY : sinkFrom });
  } else if (set.op === "and" || set.op === "or") for (const part of set.parts) atomsOf(part, atoms, list);
  else if (set.op === "not") atomsOf(set.part, atoms, list);
}

/** A formula whose globs are numbered, so that a state is an array of position sets. */
type Indexed = { op: "all" | "none" } | { op: "atom"; index: number } | { op: "and" | "or"; parts: Indexed[] } | { op: "not"; part: Indexed };

function indexed(set: KeySet, atoms: Map<string, number>): Indexed {
  if (set.op === "match") return { op: "atom", index: atoms.get(set.pattern.join(",")) as number };
  if (set.op === "and" || set.op === "or") return { op: set.op, parts: set.parts.map((part) => indexed(part, atoms)) };
  if (set.op === "not") return { op: "not", part: indexed(set.part, atoms) };
  return { op: set.op };
}

/** Kleene's three values over the globs' fates: is the formula settled for every continuation? */
function fate(formula: Indexed, fates: readonly Fate[]): Fate {
  switch (formula.op) {
    case "all":
      return Fate.Always;
    case "none":
      return Fate.Never;
    case "atom":
      return fates[formula.index] as Fate;
    case "not": {
      const inner = fate(formula.part, fates);
      return inner === Fate.Open ? Fate.Open : inner === Fate.Always ? Fate.Never : Fate.Always;
    }
    default: {
      const [settles, other] = formula.op === "and" ? [Fate.Never, Fate.Always] : [Fate.Always, Fate.Never];
      let result: Fate = other;
      for (const part of formula.parts) {
        const value = fate(part, fates);
        if (value === settles) return settles;
        if (value === Fate.Open) result = Fate.Open;
      }
      return result;
    }
  }
}

function holds(formula: Indexed, accepted: readonly boolean[]): boolean {
  switch (formula.op) {
    case "all":
      return true;
    case "none":
      return false;
    case "atom":
      return accepted[formula.index] as boolean;
    case "not":
      return !holds(formula.part, accepted);
    case "and":
      return formula.parts.every((part) => holds(part, accepted));
    case "or":
      return formula.parts.some((part) => holds(part, accepted));
  }
}

function fateOf(atom: Atom, positions: readonly number[]): Fate {
  if (positions.length === 0) return Fate.Never;
  return (positions[positions.length - 1] as number) >= atom.sinkFrom ? Fate.Always : Fate.Open;
}

/** One character the globs do not name (a letter where one is free: it reads well in a witness), then those they name. */
function alphabetOf(atoms: readonly Atom[]): number[] {
  const named = new Set<number>();
  for (const atom of atoms) for (const token of atom.pattern) if (token >= 0) named.add(token);
  const candidates = "xyzqwkjabcdefghilmnoprstuv0123456789";
  let other = [...candidates].map((c) => c.charCodeAt(0)).find((code) => !named.has(code));
  for (let code = 0xa1; other === undefined; code += 1) if (!named.has(code)) other = code;
  return [other, ...[...named].sort((a, b) => a - b)];
}

interface Node {
  state: number[][];
  parent: number;
  code: number;
}

function wordAt(nodes: readonly Node[], index: number): string {
  const codes: number[] = [];
  for (let at = index; at > 0; at = (nodes[at] as Node).parent) codes.push((nodes[at] as Node).code);
  return String.fromCharCode(...codes.reverse());
}

/** A shortest word of the set, or that it has none. */
export function shortestMember(set: KeySet, limit = STATE_LIMIT): Search {
  const ids = new Map<string, number>();
  const atoms: Atom[] = [];
  atomsOf(set, ids, atoms);
  const formula = indexed(set, ids);
  const alphabet = alphabetOf(atoms);
  const nodes: Node[] = [{ state: atoms.map((atom) => closure(atom.pattern, [0])), parent: -1, code: 0 }];
  const seen = new Set<string>([nodes[0]?.state.join("|") as string]);
  for (let at = 0; at < nodes.length; at += 1) {
    const { state } = nodes[at] as Node;
    if (
      holds(
        formula,
        state.map((positions, i) => positions.includes((atoms[i] as Atom).pattern.length)),
      )
    )
      return { found: true, word: wordAt(nodes, at) };
    if (
      fate(
        formula,
        state.map((positions, i) => fateOf(atoms[i] as Atom, positions)),
      ) === Fate.Never
    )
      continue;
    for (const code of alphabet) {
      const next = state.map((positions, i) => step((atoms[i] as Atom).pattern, positions, code));
      const key = next.join("|");
      if (seen.has(key)) continue;
      seen.add(key);
      nodes.push({ state: next, parent: at, code });
      if (nodes.length > limit) return { tooComplex: true, states: nodes.length };
    }
  }
  return { found: false };
}
