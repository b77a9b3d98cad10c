// Node.js 22 is the floor: on an older Node the tool says so in one line, exit 2, before anything
// else runs (no network, no report, no SDK warning). Checked on the word itself, on the entry with a
// Node that reports an old version, and on the machine's own older Node where it has one (CI's
// machines have Node 20 only, which is how a user meets this).
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { NODE_FLOOR, nodeTooOld } from "../../src/cli/start/node-gate.js";

const root = new URL("../..", import.meta.url).pathname;
const ENTRIES = [join(root, "bin", "kfp-s3-probe"), join(root, "dist", "bundle", "kfp-s3-probe.mjs")];

/** A `node` on PATH older than the floor, outside this checkout's node_modules (which brings Node 24). */
function olderNodeOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir || dir.includes("node_modules")) continue;
    const candidate = join(dir, "node");
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
    if (nodeTooOld(version) !== undefined) return candidate;
  }
  return undefined;
}

function expectRefused(result: ReturnType<typeof spawnSync>, version: string): void {
  expect(result.status).toBe(2);
  expect(result.stdout.toString()).toBe("");
  const lines = result.stderr.toString().split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`Node.js ${version} is too old, it needs ${NODE_FLOOR} or newer`);
  expect(lines[0]).toContain("install Node.js 24");
}

describe("the Node.js floor", () => {
  it("refuses what is older than 22 and takes 22, 24 and later", () => {
    for (const old of ["v20.20.2", "v18.0.0", "v21.7.3", "garbage"]) expect(nodeTooOld(old)).toMatch(/too old/);
    for (const fine of ["v22.0.0", "v22.23.5", "v24.22.3", "v26.1.0"]) expect(nodeTooOld(fine)).toBeUndefined();
  });

  it.each(ENTRIES)("%s on a Node that says it is 20: one line, exit 2, before the arguments are read", (entry) => {
    const pretend = `data:text/javascript,Object.defineProperty(process,"version",{value:"v20.20.2"})`;
    const result = spawnSync(process.execPath, ["--import", pretend, entry, "--endpoint", "http://127.0.0.1:9", "--bogus"], { timeout: 20_000 });
    expectRefused(result, "v20.20.2");
  });

  it.each(ENTRIES)("%s on this machine's own older Node, where it has one", (entry) => {
    const older = olderNodeOnPath();
    // CI's machines have Node 20 only: there the older Node must be found, or the test proves nothing.
    if (process.env.CI) expect(older, "CI's machine has an older node on PATH").toBeDefined();
    if (!older) return;
    const version = execFileSync(older, ["--version"], { encoding: "utf8" }).trim();
    expectRefused(spawnSync(older, [entry, "--help"], { timeout: 20_000 }), version);
  });

  it("is what this test suite runs on: Node 22 or newer", () => {
    expect(nodeTooOld(process.version)).toBeUndefined();
  });
});
