// The command line read without yargs (command-line.ts) against yargs itself (parser.ts): wherever
// the quick reading answers, it gives the same flags, or fails with the same line, as yargs does.
import { describe, expect, it } from "vitest";
import { readCommandLine } from "../../src/cli/settings/command-line.js";
import { parseCommandLine } from "../../src/cli/settings/parser.js";

type Outcome = { flags: unknown; positional: string[]; helpShown: boolean } | { error: string };

async function byYargs(argv: string[]): Promise<Outcome> {
  try {
    return await parseCommandLine(argv, () => {}, []);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function quickly(argv: string[]): Outcome | undefined {
  try {
    return readCommandLine(argv);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Forms people type: the quick reading must answer each, as yargs does. */
const ANSWERED: string[][] = [
  [],
  ["--backend", "--endpoint", "http://minio:9000", "--bucket", "kfp"],
  ["--profile", "team-1", "--credentials-dir", "/s/team-1", "--key-names", "access_key,secret_key"],
  ["--identity", "backend=/s/b", "team-1=/s/t1", "--identity", "team-2=/s/t2", "--debug"],
  ["--identity=backend=/s/b", "team-1=/s/t1"],
  ["--config", "probe.yaml", "--output=json", "--junit", "r.xml", "--quiet"],
  ["--values", "values.yaml", "--secrets-root", "/secrets", "--matrix", "full", "--shard", "0/4"],
  ["--concurrency", "5", "--max-profiles=7", "--timeout", "1e3", "--request-timeout", "abc", "--credentials-timeout", ""],
  ["--concurrency=0x10", "--timeout", " 5 "],
  ["--no-discover", "--no-anonymous", "--no-multipart", "--path-style", "false", "--strict", "true", "--read-only=true", "--wide=yes"],
  ["--other-profile", "a", "b", "--debug", "--other-profile=c"],
  ["--bucket", "123", "--region", "007", "--endpoint", "1e3", "--name=a=b"],
  ["--bogus"],
  ["--bukcet", "x"],
  ["--bukcet", "--bucket", "x"],
  ["--no-bukcet"],
  ["--no-bukcet", "x"],
  ["--a", "--b"],
  ["--read-onyl", "--backend"],
  ["--Bucket", "x"],
  ["--bogus=1", "--bogus2", "--bogus"],
  ["x", "--bogus"],
  ["bogus", "--bogus", "bogus", "y"],
  ["--debug", "foo"],
  ["backend"],
  ["--output", "xml"],
  ["--output=xml", "--layout", "zz", "--provider", "nope"],
  ["--credentials", "envx", "--checksums=always"],
  ["--output", "xml", "--bogus"],
  ["--identity", "a", "--no-identty"],
];

/** Forms left to yargs: the quick reading must not answer them. */
const LEFT: string[][] = [
  ["--help"],
  ["--backend", "-h"],
  ["--backend", "--help=false"],
  ["-x"],
  ["-abc"],
  ["--", "--bogus"],
  ["--bucket"],
  ["--bucket", "--debug"],
  ["--identity"],
  ["--concurrency"],
  ["--output"],
  ["--bucket.x", "1"],
  ["--123"],
  ["05"],
  ["1e3"],
  [""],
  ["--bucket="],
  ['--bucket="x"'],
  ["--no-bucket"],
  ["--no-discover=true"],
  ["--region", "-5"],
  ["--constructor", "x"],
  ["---x"],
  ["-"],
  ["--=x"],
  ["--version=1"],
  ["--output", "json", "--output", "text"],
];

describe("the command line without yargs", () => {
  it.each(ANSWERED.map((argv) => [argv.join(" ") || "(nothing)", argv]))("%s: answered, as yargs answers", async (_, argv) => {
    const quick = quickly(argv);
    expect(quick).toBeDefined();
    expect(quick).toEqual(await byYargs(argv));
  });

  it.each(LEFT.map((argv) => [argv.join(" "), argv]))("%s: left to yargs", (_, argv) => {
    expect(quickly(argv)).toBeUndefined();
  });

  it("a misspelt flag fails with one line naming it as typed and the closest flag", () => {
    expect(quickly(["--backend", "--read-onyl"])).toEqual({ error: "unknown option --read-onyl: did you mean --read-only? (see --help)" });
    expect(quickly(["--output", "xml"])).toEqual({
      error: 'Invalid values: Argument: output, Given: "xml", Choices: "text", "json", "sarif", "html", "openmetrics" (see --help)',
    });
  });

  it("agrees with yargs on 1500 command lines made of the pieces people type, and answers most", async () => {
    const pieces = [
      ["--backend"],
      ["--no-backend"],
      ["--debug", "true"],
      ["--debug=false"],
      ["--bucket", "kfp"],
      ["--bucket=kfp"],
      ["--output", "json"],
      ["--output", "xml"],
      ["--layout=flat"],
      ["--identity", "backend=/s"],
      ["--identity=team-1=/s", "team-2=/s"],
      ["--concurrency", "8"],
      ["--timeout=x"],
      ["--bukcet", "x"],
      ["--nope"],
      ["--no-nope"],
      ["word"],
      ["true"],
      ["-v"],
      ["--"],
      ["--help"],
      ["--region"],
      ["7"],
    ];
    let seed = 19;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    let answered = 0;
    const runs = 1500;
    for (let run = 0; run < runs; run++) {
      const argv = Array.from({ length: 1 + random(5) }, () => pieces[random(pieces.length)] as string[]).flat();
      const quick = quickly(argv);
      if (quick === undefined) continue;
      answered += 1;
      expect({ argv, outcome: quick }).toEqual({ argv, outcome: await byYargs(argv) });
    }
    expect(answered).toBeGreaterThan(runs / 3);
  }, 60_000);
});
