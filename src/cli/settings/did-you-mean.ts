// An unknown flag named as it was typed, with the known flag it is nearest to: yargs suggests
// commands but not options. Written here rather than taken from a library: an edit distance over a
// few dozen names is a dozen lines, and the run's usage errors must load nothing (command-line.ts).
// Nearest: a flag of aws-cli or kubectl whose meaning is one of ours (HABITS), a unique prefix, or
// the fewest edits (insert, delete, replace) within a quarter of the name.

/** Flags of aws-cli, kubectl and the like whose meaning is near one of ours, which another name keeps. */
const HABITS: Readonly<Record<string, string>> = {
  "no-verify-ssl": "insecure-skip-tls-verify",
  insecure: "insecure-skip-tls-verify",
  verbose: "debug",
  // kubectl's -n: a profile is a Kubernetes namespace.
  namespace: "profile",
  n: "profile",
};

/** Edits (insert, delete, replace) from a to b. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A flag as it is written: -o, --output. */
const flagOf = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);

/** The known name nearest to `name` (without its dashes), or undefined where none is near. */
function nearest(name: string, known: readonly string[]): string | undefined {
  const habit = HABITS[name];
  if (habit !== undefined && known.includes(habit)) return habit;
  if (name.startsWith("no-")) {
    const bare = nearest(name.slice(3), known);
    return bare === undefined ? undefined : `no-${bare}`;
  }
  if (name.length < 3) return undefined;
  const long = known.filter((flag) => flag.length > 1);
  const prefixed = long.filter((flag) => flag.startsWith(name));
  if (prefixed.length === 1) return prefixed[0];
  const [best] = long
    .map((flag) => [flag, distance(name, flag)] as const)
    .filter(([flag, edits]) => edits <= Math.max(2, Math.floor(flag.length / 4)))
    .sort((a, b) => a[1] - b[1]);
  return best?.[0];
}

/** The word of the command line that yargs names `name` (it drops the dashes and a --no-), as typed. */
function typed(name: string, argv: readonly string[]): string {
  const flag = argv.find((arg) => new RegExp(`^--?(no-)?${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(=|$)`).test(arg));
  if (flag !== undefined) return flag.split("=")[0] as string;
  return argv.includes(name) ? name : flagOf(name);
}

/** "did you mean --bucket?", for the first of `names` that has a near flag; "" where none has. */
function suggestion(names: readonly string[], known: readonly string[], alone: boolean): string {
  for (const name of names) {
    const near = nearest(name.replace(/^-+/, ""), known);
    if (near !== undefined) return `: did you mean ${flagOf(near)}${alone ? "" : ` (for ${name})`}?`;
  }
  return "";
}

/**
 * yargs' "Unknown argument(s): a, b" in the tool's words: each flag as it was typed, then the words
 * that are no flag, with the flag the first of them most likely meant.
 */
export function unknownArguments(message: string, argv: readonly string[], known: readonly string[]): string | undefined {
  const list = /^Unknown arguments?: (.*)$/.exec(message)?.[1];
  if (list === undefined) return undefined;
  const given = list.split(", ").map((name) => typed(name.replace(/^"(.*)"$/, "$1"), argv));
  const flags = given.filter((word) => word.startsWith("-"));
  const words = given.filter((word) => !word.startsWith("-"));
  // yargs counts a flag it did not know among its names once it has read it: it is not a suggestion.
  const typedNames = new Set(flags.map((flag) => flag.replace(/^--?(no-)?/, "")));
  const near = known.filter((name) => !typedNames.has(name));
  const parts = [
    ...(flags.length > 0 ? [`unknown option${flags.length > 1 ? "s" : ""} ${flags.join(", ")}`] : []),
    ...(words.length > 0 ? [`unexpected argument${words.length > 1 ? "s" : ""} ${words.map((w) => (w.trim() ? w : `"${w}"`)).join(", ")}`] : []),
  ];
  return `${parts.join("; ")}${suggestion([...flags, ...words], near, given.length === 1)}`;
}
