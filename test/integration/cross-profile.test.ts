// Several identities in one run against the real RGW: can a profile reach another's artifacts?
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import { bucketKeys, identities, incompleteUploads, parseReport, runCli, secretsDirOf, seeded, settings, storeArgs } from "./local-s3.js";

/** A --config file for these fixture identities, each with its mounted-Secret directory. */
function configFor(names: string[]): string {
  const lines = [`endpoint: ${settings.endpoint}`, `bucket: ${settings.bucket}`, "identities:"];
  for (const name of names) {
    const fixture = identities.find((i) => i.name === name);
    if (!fixture) throw new Error(`no fixture identity ${name}`);
    lines.push(`  - name: ${name}`);
    lines.push(fixture.role === "backend" ? "    backend: true" : `    profile: ${fixture.profile}`);
    lines.push(`    credentials: { dir: ${secretsDirOf(name)} }`);
  }
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-it-")), "probe.yaml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

async function probe(names: string[], extra: string[] = []): Promise<{ code: number | null; report: Report }> {
  const result = await runCli(["--config", configFor(names), "--output", "json", ...extra]);
  return { code: result.code, report: parseReport(result) };
}

function cells(report: Report, identity: string, verdict: string): string[] {
  return report.checks
    .filter((c) => c.identity === identity && c.verdict === verdict)
    .map((c) => `${c.operation} ${c.prefix ?? "(bucket)"}`)
    .sort();
}

const OBJECT_OPS = ["put", "head", "get", "delete"];
const both = (profile: string) => [`artifacts/${profile}/`, `v2/artifacts/${profile}/`];

afterEach(async () => {
  // Seeds, canaries and leaked writes: all gone, in every test; no upload left open.
  expect(await bucketKeys()).toEqual(seeded);
  expect(await incompleteUploads()).toEqual([]);
});

describe("cross-profile leak matrix (real RGW, real IAM user policies)", () => {
  it("reference policies: per pair of teams, a read of the owner's seed and a conditional write over another, both denied", async () => {
    const { code, report } = await probe(["backend", "team-1", "team-2"]);
    expect(code).toBe(0);
    for (const [me, other] of [
      ["team-1", "team-2"],
      ["team-2", "team-1"],
    ] as const) {
      expect(cells(report, me, "leak")).toEqual([]);
      expect(cells(report, me, "ambiguous")).toEqual([]);
      const pair = report.checks.filter((c) => c.identity === me && c.owner === other);
      expect(pair.map((c) => [c.operation, c.prefix, c.relation, c.expected, c.observed, c.verdict])).toEqual([
        ["get", `artifacts/${other}/`, "foreign", "forbidden", "denied", "ok"],
        ["put", `v2/artifacts/${other}/`, "foreign", "forbidden", "denied", "ok"],
      ]);
      // Decided on objects the owner wrote, not on a missing key; the write was refused by policy (403), not by the condition.
      expect(pair.map((c) => c.evidence.map((e) => [e.request, e.status]))).toEqual([
        [
          [`PutObject (seed, as ${other})`, 200],
          ["GetObject", 403],
        ],
        [
          [`PutObject (seed, as ${other})`, 200],
          ["PutObject (if absent, over the seed)", 403],
        ],
      ]);
    }
    // The anonymous caller: every cell decided, on objects the owners or the backend wrote for it.
    const anonymous = report.checks.filter((c) => c.identity === "anonymous");
    expect(anonymous.length).toBeGreaterThan(10);
    expect(anonymous.filter((c) => c.verdict !== "ok").map((c) => `${c.operation} ${c.prefix} ${c.verdict}`)).toEqual([]);
    expect(report.cleanup.leftovers).toEqual([]);
  });

  it("--matrix full: team-1 and team-2 cannot list, read, write or delete each other's artifacts; listing is a warning", async () => {
    const { code, report } = await probe(["backend", "team-1", "team-2"], ["--matrix", "full"]);
    expect(code).toBe(0);
    for (const [me, other] of [
      ["team-1", "team-2"],
      ["team-2", "team-1"],
    ] as const) {
      expect(cells(report, me, "leak")).toEqual([]);
      for (const prefix of both(other)) {
        for (const operation of OBJECT_OPS) {
          const check = report.checks.find((c) => c.identity === me && c.prefix === prefix && c.operation === operation);
          expect(check).toMatchObject({ relation: "foreign", owner: other, expected: "forbidden", observed: "denied", verdict: "ok" });
        }
        const get = report.checks.find((c) => c.identity === me && c.prefix === prefix && c.operation === "get");
        expect(get?.evidence.map((e) => [e.request, e.status])).toEqual([
          [`PutObject (seed, as ${other})`, 200],
          ["GetObject", 403],
        ]);
        expect(cells(report, me, "exposed")).toContain(`list ${prefix}`);
      }
    }
    expect(report.cleanup.leftovers).toEqual([]);
  });

  it("a profile granted artifacts/*: leaks into every other profile and into the profile that exists nowhere", async () => {
    const { code, report } = await probe(["backend", "team-1", "team-2", "wrong-artifacts-wildcard"]);
    expect(code).toBe(1);
    const leaks = cells(report, "wrong-artifacts-wildcard", "leak");
    const nobody = report.checks.find((c) => c.relation === "unowned")?.prefix?.split("/")[1];
    expect(nobody).toMatch(/^kfp-s3-probe-nobody-/);
    // Other teams as pairs: the read and the write both leak (the write with a 412: nothing of theirs written).
    for (const profile of ["team-1", "team-2"])
      expect(leaks).toEqual(expect.arrayContaining([`get artifacts/${profile}/`, `put v2/artifacts/${profile}/`]));
    // The canary profile and the near misses with every operation.
    for (const profile of [nobody as string, "team-30", "team-3-x"]) {
      for (const prefix of both(profile)) for (const operation of OBJECT_OPS) expect(leaks).toContain(`${operation} ${prefix}`);
    }
    expect(leaks.filter((l) => l.includes("pipelines/"))).toEqual([]);
    expect(cells(report, "team-1", "leak")).toEqual([]);
    expect(cells(report, "team-2", "leak")).toEqual([]);
  });

  it("a policy written as artifacts/team-1* (no slash): the near-miss leak into team-10, and nothing into team-2", async () => {
    const { code, report } = await probe(["backend", "team-10", "team-2", "wrong-near-miss"]);
    expect(code).toBe(1);
    const leaks = cells(report, "wrong-near-miss", "leak");
    expect(leaks).toEqual(expect.arrayContaining(["get artifacts/team-10/", "put v2/artifacts/team-10/"]));
    for (const prefix of [...both("team-1-x"), "artifacts/team-1", "v2/artifacts/team-1"]) {
      for (const operation of OBJECT_OPS) expect(leaks).toContain(`${operation} ${prefix}`);
    }
    expect(leaks.filter((l) => l.includes("team-2/") || l.includes("nobody"))).toEqual([]);
    const teamTen = report.checks.find((c) => c.identity === "wrong-near-miss" && c.prefix === "artifacts/team-10/" && c.operation === "get");
    expect(teamTen).toMatchObject({ relation: "foreign", owner: "team-10", observed: "allowed", verdict: "leak" });
    expect(cells(report, "team-10", "leak")).toEqual([]);
  });

  it("the text report puts the leaking rows of other profiles' prefixes first, then the fixes", async () => {
    const result = await runCli(["--config", configFor(["backend", "team-10", "wrong-near-miss"])]);
    expect(result.code).toBe(1);
    const section = result.stdout.slice(result.stdout.indexOf("wrong-near-miss (profile team-1)"));
    const crossRows = section.slice(section.indexOf("other profiles' prefixes")).split("\n").slice(1, 3);
    for (const row of crossRows) expect(row).toMatch(/\bLEAK\b/);
    expect(result.stdout).toMatch(
      /LEAK +wrong-near-miss {2}get artifacts\/team-10\/: allowed, must be denied\s+\[grant-too-wide\]\n +fix: remove s3:GetObject/,
    );
    expect(result.stdout).toMatch(
      // One line for the near-miss prefixes with the same finding (wrapped to 100 columns), then its fix.
      /LEAK +wrong-near-miss {2}put, head, get, delete [\s\S]*?allowed, must\s+be\s+denied\s+\[grant-too-wide\]\n +fix: remove s3:PutObject, s3:GetObject, s3:DeleteObject/,
    );
  });

  it("the reference setup's text report fits COLUMNS=100 and says each kind of warning once per identity; --quiet and --wide", async () => {
    const config = configFor(["backend", "team-1", "team-2"]);
    const result = await runCli(["--config", config], { env: { COLUMNS: "100" } });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
    const warnings = lines.filter((line) => /^ {2}(EXPOSED|DEGRADED) /.test(line)).map((line) => line.split(/\s+/).slice(2, 4).join(" "));
    expect(warnings.length).toBeGreaterThan(0);
    // One line per identity and kind: "backend abort-multipart", "team-1 can", ... never twice.
    expect(new Set(warnings).size).toBe(warnings.length);
    // With text on stdout, no finding is repeated on stderr.
    expect(result.stderr).not.toMatch(/EXPOSED|DEGRADED/);
    const quiet = await runCli(["--config", config, "--quiet"], { env: { COLUMNS: "100" } });
    expect(quiet.stdout).not.toMatch(/List +Put +Head/);
    expect(quiet.stdout).toMatch(/^Summary: /m);
    const wide = await runCli(["--config", config, "--wide"], { env: { COLUMNS: "100" } });
    expect(wide.stdout.split("\n").length).toBeGreaterThan(lines.length);
    expect(wide.stdout).toMatch(/^ +artifacts\/team-2\/ \(team-2\) .*\bno\b/m);
  });

  it("--identity NAME=DIR: the simple way to put several profiles in one run", async () => {
    const result = await runCli([
      ...storeArgs(),
      "--output",
      "json",
      "--identity",
      `team-1=${secretsDirOf("team-1")}`,
      "--identity",
      `team-2=${secretsDirOf("team-2")}`,
    ]);
    expect(result.code).toBe(0);
    const report = parseReport(result);
    // Every run also tries the anonymous caller.
    expect(report.identities.map((i) => i.name)).toEqual(["team-1", "team-2", "anonymous"]);
    // No backend: reads of prefixes nobody in the run owns cannot be decided, and say so.
    const nobodyGet = report.checks.find((c) => c.identity === "team-1" && c.relation === "unowned" && c.operation === "get");
    expect(nobodyGet).toMatchObject({ verdict: "ambiguous", reason: "no backend in this run to plant an object to read" });
    expect(cells(report, "team-1", "leak")).toEqual([]);
  });
});
