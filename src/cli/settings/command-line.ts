// The command line read without yargs, for the forms people type: --flag, --flag value,
// --flag=value, --no-flag, --identity A [B ...] (repeatable), and a flag by its alias (--endpoint-url,
// -o json). Each form is read as yargs reads it (parser.ts: the same values; an unknown flag, with
// did-you-mean, or a bad choice in the same line), so that a usage error, the most common short
// run, loads no parser. Anything else (-h and other short flags, --, a dotted or odd name, a flag
// without its value, a quoted =value, a word yargs would read as a number) is left to yargs:
// undefined. test/unit/command-line.test.ts holds the two readings to each other.
import { UsageError } from "../../core/usage-error.js";
import { unknownArguments } from "./did-you-mean.js";
import { FIELDS, type Field, type FieldName, type Layer, type RawValue } from "./fields.js";

export interface ParsedCommandLine {
  /** Only the flags on the command line. */
  flags: Layer;
  /** Words that are not flags. */
  positional: string[];
  /** --help was shown. */
  helpShown: boolean;
}

/** Names whose yargs rules this reading knows: letters and digits, inner dashes. */
const NAME = /^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$/;
/** yargs' own flags: it answers them (help) or has rules for them (version) that are not repeated here. */
const YARGS_FLAGS = new Set(["help", "h", "version"]);

interface Reading {
  /** The flags, in the order given: yargs checks choices in that order. */
  values: Map<FieldName, RawValue>;
  /** Unknown flags, as first given; yargs names them before the words. */
  unknownFlags: Set<string>;
  words: string[];
}

/** Each flag's names (its own and its aliases) to its field. */
const NAMES: ReadonlyMap<string, FieldName> = new Map(
  (Object.entries(FIELDS) as [FieldName, Field][]).flatMap(([field, spec]) => [field, ...(spec.alias ?? [])].map((name) => [name, field] as const)),
);

/** Every name a flag of the run answers to, for did-you-mean. */
const KNOWN_NAMES = [...NAMES.keys(), "help"];

function fieldOf(name: string): FieldName | undefined {
  return NAMES.get(name);
}

/** The command line with every alias in its field's name (--endpoint-url URL as --endpoint URL), for checks that count flags. */
export function canonicalFlags(argv: readonly string[]): string[] {
  return argv.map((arg) => {
    const match = /^(?:--([^=]+)|-([A-Za-z]))(=.*)?$/.exec(arg);
    const name = match?.[1] ?? match?.[2];
    const field = name === undefined ? undefined : fieldOf(name);
    return field === undefined ? arg : `--${field}${match?.[3] ?? ""}`;
  });
}

/** A name read here: plain, not yargs' own, and not one that yargs' object of flags already has (constructor). */
function plainName(name: string): boolean {
  const bare = name.startsWith("no-") ? name.slice(3) : name;
  return NAME.test(name) && NAME.test(bare) && !YARGS_FLAGS.has(bare) && !(bare in Object.prototype);
}

/** Sets a flag; false for a second value of a single-valued flag, which yargs would make a list. */
function set(reading: Reading, field: FieldName, value: RawValue): boolean {
  if (reading.values.has(field)) return false;
  reading.values.set(field, value);
  return true;
}

/** A repeatable flag takes every word that follows (yargs' greedy arrays); how many it took. */
function readList(field: FieldName, first: string[], argv: string[], at: number, reading: Reading): number {
  const values = [...first];
  let taken = 0;
  for (let next = argv[at + 1]; next !== undefined && !next.startsWith("-"); next = argv[at + 1 + taken]) {
    values.push(next);
    taken += 1;
  }
  const before = (reading.values.get(field) as string[] | undefined) ?? [];
  reading.values.set(field, [...before, ...values]);
  return taken;
}

/** --name=value: how many more words it took, or undefined for a form left to yargs. */
function readAssigned(name: string, value: string, argv: string[], at: number, reading: Reading): number | undefined {
  // yargs strips quotes from a =value, reads "" as the word after, and --no-x=y its own way.
  if (value === "" || /^["']/.test(value) || name.startsWith("no-")) return undefined;
  const field = fieldOf(name);
  if (field === undefined) {
    reading.unknownFlags.add(name);
    return 0;
  }
  const { kind } = FIELDS[field];
  if (kind === "strings") return readList(field, [value], argv, at, reading);
  const read = kind === "boolean" ? value === "true" : kind === "number" ? Number(value) : value;
  return set(reading, field, read) ? 0 : undefined;
}

/** --no-name: false for a switch; yargs names an unknown one without its no-. */
function readNegated(bare: string, reading: Reading): number | undefined {
  const field = fieldOf(bare);
  if (field === undefined) {
    reading.unknownFlags.add(bare);
    return 0;
  }
  return FIELDS[field].kind === "boolean" && set(reading, field, false) ? 0 : undefined;
}

/** --name [value]: a switch takes a following true or false, any other flag the word after it. */
function readSpaced(name: string, argv: string[], at: number, reading: Reading): number | undefined {
  const field = fieldOf(name);
  const next = argv[at + 1];
  const hasValue = next !== undefined && !next.startsWith("-");
  if (field === undefined) {
    reading.unknownFlags.add(name);
    return hasValue ? 1 : 0;
  }
  const { kind } = FIELDS[field];
  if (kind === "boolean") {
    const given = next === "true" || next === "false";
    return set(reading, field, given ? next === "true" : true) ? Number(given) : undefined;
  }
  // Without its value, yargs gives a flag a default of its own ("" or none).
  if (!hasValue) return undefined;
  if (kind === "strings") return readList(field, [], argv, at, reading);
  return set(reading, field, kind === "number" ? Number(next) : next) ? 1 : undefined;
}

/** One word of the command line: how many more words it took, or undefined for a form left to yargs. */
function readWord(argv: string[], at: number, reading: Reading): number | undefined {
  const arg = argv[at] as string;
  if (!arg.startsWith("-")) {
    // yargs turns a word like 05 or 1e3 into a number, and quotes an empty one in its message.
    if (arg.trim() === "" || /^[0-9.]/.test(arg)) return undefined;
    reading.words.push(arg);
    return 0;
  }
  // A one-letter alias followed by its value (-o json); yargs' other short forms (-ojson, -abc) are its own.
  const short = /^-([A-Za-z])$/.exec(arg)?.[1];
  const shortField = short === undefined ? undefined : fieldOf(short);
  if (short !== undefined && shortField !== undefined && FIELDS[shortField].kind !== "boolean") return readSpaced(short, argv, at, reading);
  if (!arg.startsWith("--")) return undefined;
  const equals = arg.indexOf("=");
  const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
  if (!plainName(name)) return undefined;
  if (equals >= 0) return readAssigned(name, arg.slice(equals + 1), argv, at, reading);
  if (name.startsWith("no-")) return readNegated(name.slice(3), reading);
  return readSpaced(name, argv, at, reading);
}

/** yargs' "Invalid values:" for flags given a value outside their choices, or undefined. */
function invalidChoices(values: Map<FieldName, RawValue>): string | undefined {
  const quoted = (list: readonly unknown[]) => list.map((value) => JSON.stringify(value)).join(", ");
  let message = "";
  for (const [field, value] of values) {
    const { choices } = FIELDS[field] as Field;
    const bad = [value].flat().filter((given) => choices !== undefined && !choices.includes(String(given)));
    if (choices !== undefined && bad.length > 0) message += `\n  Argument: ${field}, Given: ${quoted(bad)}, Choices: ${quoted(choices)}`;
  }
  return message === "" ? undefined : `Invalid values:${message}`;
}

/**
 * The flags of the command line as yargs would give them; a UsageError where yargs would fail, in
 * its words; undefined for what only yargs reads (parser.ts).
 */
export function readCommandLine(argv: string[], ownFlags: readonly string[] = []): ParsedCommandLine | undefined {
  const reading: Reading = { values: new Map(), unknownFlags: new Set(), words: [] };
  for (let at = 0; at < argv.length; at++) {
    const taken = readWord(argv, at, reading);
    if (taken === undefined) return undefined;
    at += taken;
  }
  // Under strict(), yargs names every unknown flag and word before it looks at any value.
  const unknown = [...new Set([...reading.unknownFlags, ...reading.words])];
  if (unknown.length > 0) throw usageErrorOf(`Unknown argument${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`, argv, ownFlags);
  const invalid = invalidChoices(reading.values);
  if (invalid !== undefined) throw usageErrorOf(invalid, argv, ownFlags);
  // In the order of FIELDS, as parser.ts lists them.
  const flags: Layer = {};
  for (const field of Object.keys(FIELDS) as FieldName[]) {
    const value = reading.values.get(field);
    if (value !== undefined) flags[field] = value;
  }
  return { flags, positional: [], helpShown: false };
}

/**
 * A yargs complaint as the tool's one line: an unknown flag as typed, with did-you-mean among the
 * run's flags and the command's own (sweep's), and where to look.
 */
export function usageErrorOf(message: string, argv: readonly string[], ownFlags: readonly string[] = []): UsageError {
  const oneLine = message.replace(/\s*\n\s*/g, " ").trim();
  return new UsageError(`${unknownArguments(oneLine, argv, [...KNOWN_NAMES, ...ownFlags]) ?? oneLine} (see --help)`);
}
