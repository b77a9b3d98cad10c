// Quiet when healthy, verdict first (issue 25, item 5), against the real RGW: the reference
// install as the demo and the Job run it, --severity and --ignore-file as a user writes them.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { bucketKeys, incompleteUploads, parseReport, runCli, secretsDirOf, seeded, settings, storeArgs } from "./local-s3.js";

const workDir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-quiet-"));
const file = (name: string, text: string): string => {
  const path = join(workDir, name);
  writeFileSync(path, text);
  return path;
};

/** scripts/demo.sh's first run: the backend and two reference profiles, by --identity NAME=DIR. */
const referenceArgs = () => [...storeArgs(), ...["backend", "team-1", "team-2"].flatMap((name) => ["--identity", `${name}=${secretsDirOf(name)}`])];

/** The label lines of the text report's Findings: a block each (its continuations are indented further). */
function findingBlocks(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf("Findings");
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && !line.startsWith(" "));
  return lines.slice(start + 1, end).filter((line) => /^ {2}[A-Z]/.test(line));
}

let valuesFile: string;
let secretsRoot: string;

beforeAll(async () => {
  // The Job's input as test/integration/job-bundle.test.ts mounts it: deployKF values, Secrets with deployKF's key names.
  secretsRoot = join(workDir, "secrets");
  for (const [secret, identity] of [
    ["kfp-backend-s3", "backend"],
    ["kfp-s3--team-1", "team-1"],
    ["kfp-s3--team-2", "team-2"],
  ] as const) {
    mkdirSync(join(secretsRoot, secret), { recursive: true });
    await copyFile(join(secretsDirOf(identity), "AWS_ACCESS_KEY_ID"), join(secretsRoot, secret, "access_key"));
    await copyFile(join(secretsDirOf(identity), "AWS_SECRET_ACCESS_KEY"), join(secretsRoot, secret, "secret_key"));
  }
  const { hostname, port } = new URL(settings.endpoint);
  valuesFile = file(
    "values.yaml",
    `kubeflow_tools:
  pipelines:
    bucket: { name: ${settings.bucket} }
    objectStore:
      useExternal: true
      host: ${hostname}
      port: "${port}"
      useSSL: false
      auth: { existingSecret: kfp-backend-s3, existingSecretAccessKeyKey: access_key, existingSecretSecretKeyKey: secret_key }
deploykf_core:
  deploykf_profiles_generator:
    profileDefaults:
      tools:
        kubeflowPipelines:
          objectStoreAuth: { existingSecret: "kfp-s3--{profile_name}", existingSecretAccessKeyKey: access_key, existingSecretSecretKeyKey: secret_key }
    profiles: [{ name: team-1 }, { name: team-2 }]
`,
  );
});

afterEach(async () => {
  expect(await bucketKeys()).toEqual(seeded);
  expect(await incompleteUploads()).toEqual([]);
});

describe("the reference install, healthy", () => {
  it("the demo's run: the verdict in the first 3 lines, at most 3 finding blocks, none whose fix is done", async () => {
    const result = await runCli(referenceArgs(), { env: { COLUMNS: "100" } });
    expect(result.code).toBe(0);
    const head = result.stdout.split("\n").slice(0, 3).join("\n");
    expect(head).toMatch(/^PASS \(exit 0\): no LEAK, MISSING or ERROR; \d+ DEGRADED, \d+ EXPOSED; assurance\s+sampled$/m);
    const blocks = findingBlocks(result.stdout);
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.length).toBeLessThanOrEqual(3);
    // One block of the missing AbortMultipartUpload, naming the three identities it applies to.
    expect(blocks.filter((line) => line.includes("DEGRADED"))).toEqual([
      expect.stringMatching(/^ {2}DEGRADED +backend, team-1, team-2 {2}abort-multipart /),
    ]);
    // The backend is in the run: no fix asks to add it.
    expect(result.stdout).not.toMatch(/add the prefix's owner or\s+the\s+backend/);
  });

  it("the Job's command (deployKF values, JSON on stdout): the verdict and a line per kind of warning on stderr", async () => {
    const result = await runCli(["--values", valuesFile, "--secrets-root", secretsRoot, "--output", "json"]);
    expect(result.code).toBe(0);
    expect(parseReport(result).identities.map((i) => i.name)).toEqual(["backend", "team-1", "team-2", "anonymous"]);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^kfp-s3-probe: PASS \(exit 0\): /);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines.slice(1).map((line) => line.split(" ").slice(1, 3).join(" "))).toEqual(["DEGRADED backend,team-1,team-2", "EXPOSED team-1,team-2"]);
  });

  it("--read-only with the backend in the run: the undecided reads ask to run without --read-only, never to add the backend", async () => {
    const result = await runCli([...referenceArgs(), "--read-only", "--quiet"], { env: { COLUMNS: "100" } });
    expect(result.code).toBe(0);
    expect(findingBlocks(result.stdout).filter((line) => line.includes("AMBIGUOUS"))).toHaveLength(1);
    expect(result.stdout).toMatch(/fix: reads are decided on objects that exist, and --read-only writes none: run without\s+--read-only/);
    expect(result.stdout).not.toMatch(/add the prefix's owner or\s+the\s+backend/);
  });
});

describe("--severity and --ignore-file", () => {
  it("known warnings muted: listed as muted in the text and the JSON, an unmatched rule said, exit as before", async () => {
    const ignore = file("known.ignore", "# the reference policies grant no AbortMultipartUpload\nrecommended-action\nunknown-key team-9\n");
    const args = [...referenceArgs(), "--ignore-file", ignore, "--severity", "failure,error,undecided"];
    const text = await runCli(args, { env: { COLUMNS: "100" } });
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(/^PASS \(exit 0\): no LEAK, MISSING or ERROR; \d+ muted; assurance sampled$/);
    expect(findingBlocks(text.stdout)).toEqual([]);
    expect(text.stdout).toMatch(/^ {2}DEGRADED +backend, team-1, team-2 .*muted by\s+--ignore-file line 2 \(recommended-action\)/m);
    expect(text.stdout).toMatch(/^ {2}not shown by --severity failure,error,undecided: \d+ EXPOSED$/m);
    expect(text.stdout).toMatch(/^note: --ignore-file \S+ line 3 \(unknown-key team-9\) matches\s+no finding$/m);
    const json = parseReport(await runCli([...args, "--output", "json"]));
    expect(json.exitCode).toBe(0);
    const warnings = json.checks.filter((c) => c.verdict === "degraded" || c.verdict === "exposed");
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((c) => c.muted !== undefined)).toBe(true);
    expect(json.checks.filter((c) => c.verdict === "degraded").map((c) => c.muted)).toContainEqual({
      by: "ignore-file",
      line: 2,
      rule: "recommended-action",
    });
    expect(json.settings.severity).toEqual({ value: "failure,error,undecided", source: "flag" });
  });

  it("a LEAK: a wildcard rule leaves it (exit 1, said); its exact names mute it (exit 0), and the text says MUTED LEAK", async () => {
    const config = file(
      "leaky.yaml",
      `identities:\n  - profile: team-1\n    credentials: { dir: ${secretsDirOf("team-1")} }\n  - name: wrong-artifacts-wildcard\n    profile: team-3\n    credentials: { dir: ${secretsDirOf("wrong-artifacts-wildcard")} }\n`,
    );
    const run = (extra: string[]) => runCli([...storeArgs(), "--config", config, "--no-discover", "--output", "json", ...extra]);
    const wildcard = parseReport(await run(["--ignore-file", file("wildcard.ignore", "grant-too-wide wrong-artifacts-wildcard\n")]));
    expect(wildcard.exitCode).toBe(1);
    expect(wildcard.notes.join("\n")).toMatch(/line 1 \(grant-too-wide wrong-artifacts-wildcard\) names \d+ LEAKs but not exactly/);
    const leaks = wildcard.checks.filter((c) => c.verdict === "leak");
    expect(leaks.length).toBeGreaterThan(1);
    // The profile that exists nowhere has a new name in each run: a rule names it (nobody).
    const place = (prefix: string | null) => prefix?.replace(/kfp-s3-probe-nobody-[a-z0-9]+/, "(nobody)") ?? "(bucket)";
    const exact = file("exact.ignore", leaks.map((c) => `${c.cause} ${c.identity} ${place(c.prefix)} ${c.operation}`).join("\n"));
    const muted = await run(["--ignore-file", exact]);
    expect(muted.code).toBe(0);
    expect(parseReport(muted).checks.filter((c) => c.verdict === "leak" && !c.muted)).toEqual([]);
    expect(muted.stderr).toMatch(/^kfp-s3-probe: MUTED LEAK wrong-artifacts-wildcard /m);
    const text = await runCli([...storeArgs(), "--config", config, "--no-discover", "--quiet", "--ignore-file", exact], { env: { COLUMNS: "100" } });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}LEAK +MUTED LEAK: wrong-artifacts-wildcard /m);
  });
});
