// A fast start (issue 19): the compile cache in a folder of the user's, and silently off where that
// cannot be written, with every output the same either way.
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import nodeModule from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toolCommands } from "../../src/cli/commands.js";
import { renderHelp } from "../../src/cli/settings/parser.js";
import { toolVersion } from "../../src/version.js";
import { type CliResult, parseReport, probeArgs, runCli } from "./local-s3.js";

/** Node 22.1 and later keep a compile cache; on Node 20 the tool runs without one. */
const cacheable = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === "function";
const USAGE_LINE = "kfp-s3-probe: unknown option --bukcet: did you mean --bucket? (see --help)\n";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "kfp-s3-probe-start-"));
}

/** The cache entries under a folder: Node keeps them in one subfolder per Node version. */
function entriesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

function misspelt(env: Record<string, string>): Promise<CliResult> {
  return runCli(["--bukcet", "x"], { env });
}

describe("the compile cache", () => {
  it("is kept in $XDG_CACHE_HOME/kfp-s3-probe, and a second run from it says the same", async () => {
    const xdg = scratch();
    const first = await misspelt({ XDG_CACHE_HOME: xdg });
    expect(first).toEqual({ code: 2, stdout: "", stderr: USAGE_LINE });
    expect(entriesUnder(join(xdg, "kfp-s3-probe")).length > 0).toBe(cacheable);
    expect(await misspelt({ XDG_CACHE_HOME: xdg })).toEqual(first);
  });

  it("is kept in ~/.cache/kfp-s3-probe without XDG_CACHE_HOME; NODE_COMPILE_CACHE names a folder of its own", async () => {
    const home = scratch();
    await misspelt({ HOME: home });
    expect(entriesUnder(join(home, ".cache", "kfp-s3-probe")).length > 0).toBe(cacheable);
    const own = scratch();
    const xdg = scratch();
    await misspelt({ NODE_COMPILE_CACHE: own, XDG_CACHE_HOME: xdg });
    expect(entriesUnder(xdg)).toEqual([]);
    expect(entriesUnder(own).length > 0).toBe(cacheable);
  });

  it("where its folder cannot be made (a file in the way, as a read-only root or HOME is to the Job), a run is silent and the same", async () => {
    const blocked = join(scratch(), "not-a-folder");
    writeFileSync(blocked, "");
    const args = probeArgs("backend", ["--backend"], ["--read-only", "--no-discover", "--output", "json"]);
    const withCache = await runCli(args, { env: { XDG_CACHE_HOME: scratch() } });
    const without = await runCli(args, { env: { XDG_CACHE_HOME: blocked, HOME: blocked } });
    expect(without.code).toBe(0);
    // The same cells and finding lines as with a cache, but for the prefix each run makes up.
    const own = (text: string) => text.replace(/kfp-s3-probe-nobody-[0-9a-f]+/g, "kfp-s3-probe-nobody-…");
    const cells = (result: CliResult) => parseReport(result).checks.map((c) => own(`${c.identity} ${c.operation} ${c.prefix} ${c.verdict}`));
    expect(cells(without)).toEqual(cells(withCache));
    expect(own(without.stderr)).toEqual(own(withCache.stderr));
    // Finding lines and nothing else.
    expect(without.stderr).toMatch(/^(kfp-s3-probe: [A-Z]+ [^\n]+\n)*$/);
    expect(await misspelt({ XDG_CACHE_HOME: blocked, HOME: blocked })).toEqual({ code: 2, stdout: "", stderr: USAGE_LINE });
    const help = await runCli(["--help"], { env: { XDG_CACHE_HOME: blocked } });
    expect([help.code, help.stderr]).toEqual([0, ""]);
  });

  it("is off without a home, and in a folder of another user's", async () => {
    const noHome = await runCli(["--bukcet", "x"], { env: { HOME: "" } });
    expect(noHome).toEqual({ code: 2, stdout: "", stderr: USAGE_LINE });
    // Only root can give a folder away; anyone else cannot make the case.
    if (process.getuid?.() !== 0) return;
    const xdg = scratch();
    mkdirSync(join(xdg, "kfp-s3-probe"));
    chownSync(join(xdg, "kfp-s3-probe"), 65534, 65534);
    expect(await misspelt({ XDG_CACHE_HOME: xdg })).toEqual({ code: 2, stdout: "", stderr: USAGE_LINE });
    expect(entriesUnder(xdg)).toEqual([]);
  });
});

describe("a bare --help and --version", () => {
  it("answer from the build's text, written as yargs renders it for a pipe (100 columns)", async () => {
    const expected = await renderHelp(100, toolCommands());
    for (const flag of ["--help", "-h"]) expect(await runCli([flag])).toEqual({ code: 0, stdout: expected, stderr: "" });
    expect(await runCli(["--version"])).toEqual({ code: 0, stdout: `kfp-s3-probe ${toolVersion()}\n`, stderr: "" });
  });
});
