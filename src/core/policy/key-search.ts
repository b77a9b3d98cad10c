// Emptiness and a shortest member of a KeySet: breadth first over the product of its globs, so the
// first accepted word found is a shortest one. Each glob's NFA (a set of positions) is made
// deterministic lazily and kept: its position sets get numbers, its moves are looked up once
// computed, and the same glob in the next question (a profile's own prefixes, asked against 300
// others) starts from what is known. A state from which the formula is false whatever follows (a
// required glob can no longer match) is not expanded; that keeps questions such as "under
// artifacts/team-2/ and allowed" linear in the prefix.
import { ANY_RUN, closure, type KeySet, type Pattern, step } from "./key-language.js";

export type Search = { found: true; word: string } | { found: false } | { tooComplex: true; states: number };

/** Past this many product states the set is called too complex rather than guessed. */
const STATE_LIMIT = 200_000;

/** What a glob in a state says about every word that goes on from here. */
const Fate = { Never: 0, Always: 1, Open: 2 } as const;
type Fate = (typeof Fate)[keyof typeof Fate];

/** A glob made deterministic as far as it has been walked: state 0 is its start. */
interface Machine {
  pattern: Pattern;
  /** The characters the glob names; any other moves it as OTHER does. */
  named: Set<number>;
  sets: number[][];
  ids: Map<string, number>;
  moves: Map<number, number>[];
  accepting: boolean[];
  fates: Fate[];
  /** Per state, the characters that move it otherwise than OTHER does: the literals at its positions. */
  literals: number[][];
}

const OTHER = -3;
/** Globs seen before, by their tokens; dropped whole past this many, so that a long run does not grow without end. */
const MACHINES = new Map<string, Machine>();
const MACHINE_LIMIT = 20_000;

function stateOf(machine: Machine, positions: number[]): number {
  const key = positions.join(",");
  const known = machine.ids.get(key);
  if (known !== undefined) return known;
  const id = machine.sets.length;
  machine.ids.set(key, id);
  machine.sets.push(positions);
  machine.moves.push(new Map());
  machine.accepting.push(positions.includes(machine.pattern.length));
  machine.fates.push(fateOf(machine.pattern, positions));
  machine.literals.push([...new Set(positions.map((p) => machine.pattern[p] ?? ANY_RUN).filter((token) => token >= 0))]);
  return id;
}

function fateOf(pattern: Pattern, positions: readonly number[]): Fate {
  if (positions.length === 0) return Fate.Never;
  let sinkFrom = pattern.length;
  while (sinkFrom > 0 && pattern[sinkFrom - 1] === ANY_RUN) sinkFrom -= 1;
  const last = positions[positions.length - 1] as number;
  return sinkFrom < pattern.length && last >= sinkFrom ? Fate.Always : Fate.Open;
}

function machineFor(pattern: Pattern): Machine {
  const key = pattern.join(",");
  const known = MACHINES.get(key);
  if (known) return known;
  if (MACHINES.size >= MACHINE_LIMIT) MACHINES.clear();
  const named = new Set(pattern.filter((token) => token >= 0));
  const machine: Machine = { pattern, named, sets: [], ids: new Map(), moves: [], accepting: [], fates: [], literals: [] };
  stateOf(machine, closure(pattern, [0]));
  MACHINES.set(key, machine);
  return machine;
}

function move(machine: Machine, state: number, code: number): number {
  const symbol = machine.named.has(code) ? code : OTHER;
  const moves = machine.moves[state] as Map<number, number>;
  let next = moves.get(symbol);
  if (next === undefined) {
    next = stateOf(machine, step(machine.pattern, machine.sets[state] as number[], symbol));
    moves.set(symbol, next);
  }
  return next;
}

function atomsOf(set: KeySet, atoms: Map<string, number>, list: Machine[]): void {
  if (set.op === "match") {
    const key = set.pattern.join(",");
    if (atoms.has(key)) return;
    atoms.set(key, list.length);
    list.push(machineFor(set.pattern));
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

/** One character no glob names (a letter where one is free: it reads well in a witness): it stands for all such. */
function otherOf(atoms: readonly Machine[]): number {
  const named = new Set<number>();
  for (const atom of atoms) for (const code of atom.named) named.add(code);
  const candidates = "xyzqwkjabcdefghilmnoprstuv0123456789";
  let other = [...candidates].map((c) => c.charCodeAt(0)).find((code) => !named.has(code));
  for (let code = 0xa1; other === undefined; code += 1) if (!named.has(code)) other = code;
  return other;
}

/** The characters worth trying from a product state: the stand-in first, then those its globs' positions name. */
function codesFrom(atoms: readonly Machine[], state: readonly number[], other: number): number[] {
  const codes = new Set<number>();
  for (const [i, id] of state.entries()) for (const code of (atoms[i] as Machine).literals[id] as number[]) codes.add(code);
  return [other, ...[...codes].sort((a, b) => a - b)];
}

interface Node {
  state: number[];
  parent: number;
  code: number;
}

function wordAt(nodes: readonly Node[], index: number): string {
  const codes: number[] = [];
  for (let at = index; at > 0; at = (nodes[at] as Node).parent) codes.push((nodes[at] as Node).code);
  return String.fromCharCode(...codes.reverse());
}

/** The literal before a glob's only wildcard, a trailing `*`: `artifacts/team-2/*` → "artifacts/team-2/". */
function literalPrefix(part: KeySet): string | undefined {
  if (part.op !== "match" || part.pattern[part.pattern.length - 1] !== ANY_RUN) return undefined;
  const lead = part.pattern.slice(0, -1);
  return lead.every((token) => token >= 0) ? String.fromCharCode(...lead) : undefined;
}

/**
 * A set "under one of these prefixes, and the rest" as its alternatives: the rest is searched from
 * where each prefix leaves it, without a walk along the prefix's characters one by one.
 */
function underPrefixes(set: KeySet): { prefixes: string[]; rest: KeySet } | undefined {
  if (set.op !== "and") return undefined;
  for (const [i, part] of set.parts.entries()) {
    const options = part.op === "or" ? part.parts : [part];
    const prefixes = options.map(literalPrefix);
    if (prefixes.every((prefix) => prefix !== undefined)) {
      const rest = set.parts.filter((_, j) => j !== i);
      return { prefixes: prefixes as string[], rest: rest.length === 1 ? (rest[0] as KeySet) : { op: "and", parts: rest } };
    }
  }
  return undefined;
}

/** A shortest word of the set, or that it has none. */
export function shortestMember(set: KeySet, limit = STATE_LIMIT): Search {
  const split = underPrefixes(set);
  if (!split) return search(set, "", limit);
  let best: Search = { found: false };
  for (const prefix of split.prefixes) {
    const found = search(split.rest, prefix, limit);
    if ("tooComplex" in found) return found;
    if (found.found && !("found" in best && best.found && best.word.length <= found.word.length)) best = found;
  }
  return best;
}

/** A shortest word of the set among those that start with `prefix`. */
function search(set: KeySet, prefix: string, limit: number): Search {
  const ids = new Map<string, number>();
  const atoms: Machine[] = [];
  atomsOf(set, ids, atoms);
  const formula = indexed(set, ids);
  const other = otherOf(atoms);
  const start = atoms.map((atom) => {
    let id = 0;
    for (let i = 0; i < prefix.length; i += 1) id = move(atom, id, prefix.charCodeAt(i));
    return id;
  });
  const nodes: Node[] = [{ state: start, parent: -1, code: 0 }];
  const seen = new Set<string>([nodes[0]?.state.join(",") as string]);
  for (let at = 0; at < nodes.length; at += 1) {
    const { state } = nodes[at] as Node;
    if (
      holds(
        formula,
        state.map((id, i) => (atoms[i] as Machine).accepting[id] as boolean),
      )
    )
      return { found: true, word: prefix + wordAt(nodes, at) };
    if (
      fate(
        formula,
        state.map((id, i) => (atoms[i] as Machine).fates[id] as Fate),
      ) === Fate.Never
    )
      continue;
    for (const code of codesFrom(atoms, state, other)) {
      const next = state.map((id, i) => move(atoms[i] as Machine, id, code));
      const key = next.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      nodes.push({ state: next, parent: at, code });
      if (nodes.length > limit) return { tooComplex: true, states: nodes.length };
    }
  }
  return { found: false };
}
