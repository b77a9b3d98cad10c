// The bundle (one folder: an entry and its chunks), alone in a directory with no node_modules, run as the Kubernetes Job
// runs it: settings from a deployKF values file, keys from Secrets mounted as directories with
// their own key names, a JSON report, findings on stderr and a JUnit file.

import { spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { JOB_NODE_OPTIONS } from "../../src/k8s/job.js";
import { NODE_FLAGS } from "../../src/node-flags.js";
import type { Report } from "../../src/report/model.js";
import { jobOutcome } from "../support/job-api.js";
import type { Parsed } from "../support/parsed.js";
import { allSecrets, bucketKeys, incompleteUploads, projectRoot, runCli, secretsDirOf, seeded, settings } from "./local-s3.js";

const bundle = join(projectRoot, "dist", "bundle");
let workDir: string;
let secretsRoot: string;
let valuesFile: string;

/** Mounts a fixture identity's keys as the Secret `name`, under deployKF's key names. */
function mountSecret(name: string, identity: string): void {
  const dir = join(secretsRoot, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(secretsDirOf(identity), "AWS_ACCESS_KEY_ID"), join(dir, "access_key"));
  copyFileSync(join(secretsDirOf(identity), "AWS_SECRET_ACCESS_KEY"), join(dir, "secret_key"));
}

/** As the image's entrypoint starts it, on Node 24, with the generated Job's NODE_OPTIONS. */
function runBundle(args: string[]) {
  const entry = join(workDir, "app", "kfp-s3-probe.mjs");
  return runCli(args, { entry, cwd: workDir, nodeFlags: NODE_FLAGS, env: { NODE_OPTIONS: JOB_NODE_OPTIONS } });
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-bundle-"));
  // As the image has it: the bundle's folder alone, no node_modules anywhere above it.
  cpSync(bundle, join(workDir, "app"), { recursive: true });
  secretsRoot = join(workDir, "secrets");
  const { hostname, port } = new URL(settings.endpoint);
  valuesFile = join(workDir, "values.yaml");
  writeFileSync(
    valuesFile,
    `kubeflow_tools:
  pipelines:
    bucket: { name: ${settings.bucket} }
    objectStore:
      useExternal: true
      host: ${hostname}
      port: "${port}"
      useSSL: false
      auth:
        existingSecret: kfp-backend-s3
        existingSecretAccessKeyKey: access_key
        existingSecretSecretKeyKey: secret_key
deploykf_core:
  deploykf_profiles_generator:
    profileDefaults:
      tools:
        kubeflowPipelines:
          objectStoreAuth:
            existingSecret: "kfp-s3--{profile_name}"
            existingSecretAccessKeyKey: access_key
            existingSecretSecretKeyKey: secret_key
    profiles:
      - name: team-1
      - name: team-2
`,
  );
  mountSecret("kfp-backend-s3", "backend");
  mountSecret("kfp-s3--team-1", "team-1");
  mountSecret("kfp-s3--team-2", "team-2");
});

/** Keys that fixture identities hold, mounted as the Job's Secrets (team-2's Secret: keys granted artifacts/*). */
function leakySecrets(): string {
  const leakyRoot = join(workDir, "leaky-secrets");
  for (const [secret, identity] of [
    ["kfp-backend-s3", "backend"],
    ["kfp-s3--team-1", "team-1"],
    ["kfp-s3--team-2", "wrong-artifacts-wildcard"],
  ] as const) {
    mkdirSync(join(leakyRoot, secret), { recursive: true });
    copyFileSync(join(secretsDirOf(identity), "AWS_ACCESS_KEY_ID"), join(leakyRoot, secret, "access_key"));
    copyFileSync(join(secretsDirOf(identity), "AWS_SECRET_ACCESS_KEY"), join(leakyRoot, secret, "secret_key"));
  }
  return leakyRoot;
}

/** The container's args of a printed Job, with its files where this test has them and $(VAR) expanded as Kubernetes does. */
function containerArgs(job: Parsed, secrets: string, env: Record<string, string> = {}): string[] {
  const shipped = join(workDir, `shipped-${Object.values(env).join("-") || "values"}.yaml`);
  writeFileSync(shipped, job.spec.template.metadata.annotations["kfp-s3-probe/values"]);
  return (job.spec.template.spec.containers[0].args as string[]).map((arg) =>
    arg === "/etc/kfp-s3-probe/values.yaml"
      ? shipped
      : arg === "/secrets"
        ? secrets
        : arg.replace(/\$\((\w+)\)/g, (_, name: string) => env[name] ?? ""),
  );
}

/** As the container runtime keeps a pod's log: stdout and stderr into one file, in the order they were written. */
function runAsPod(args: string[], logFile: string): Promise<number | null> {
  const fd = openSync(logFile, "w");
  const child = spawn(process.execPath, [...NODE_FLAGS, join(workDir, "app", "kfp-s3-probe.mjs"), ...args], {
    cwd: workDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "1", NODE_OPTIONS: JOB_NODE_OPTIONS },
    stdio: ["ignore", fd, fd],
  });
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      closeSync(fd);
      resolve(code);
    });
  });
}

/** `kfp-s3-probe merge ARGS` with `input` piped to it, as `kubectl logs … | kfp-s3-probe merge -`. */
function mergePiped(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(workDir, "app", "kfp-s3-probe.mjs"), "merge", ...args], { cwd: workDir });
  let [stdout, stderr] = ["", ""];
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

/**
 * A chunk that must not be loaded: still there (the entry refuses a folder that lacks one), but
 * failing loudly where anything evaluates it.
 */
function unloadable(chunk: string): void {
  writeFileSync(chunk, 'throw new Error("kfp-s3-probe test: this chunk must not be loaded");\n');
}

function junitOf(file: string) {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(readFileSync(file, "utf8")).testsuites;
}

describe("the bundled probe, as the Job runs it", () => {
  it("is one folder (an entry and its chunks) and runs with no node_modules", () => {
    expect(existsSync(join(workDir, "node_modules"))).toBe(false);
    expect(readFileSync(join(workDir, "app", "kfp-s3-probe.mjs"), "utf8").startsWith("#!/usr/bin/env -S node")).toBe(true);
    // The image is FROM node:24: the bundle runs here on the Node 24 that npm ci brought.
    expect(process.version).toMatch(/^v24\./);
    expect(readFileSync(join(projectRoot, "Dockerfile"), "utf8")).toMatch(/^FROM node:24-/m);
  });

  it("--help loads only what the entry imports; --version and a usage error load neither the SDK, yargs nor YAML", async () => {
    const bare = join(workDir, "bare");
    cpSync(join(workDir, "app"), bare, { recursive: true });
    const chunks = readdirSync(join(bare, "chunks"));
    const textOf = (chunk: string) => readFileSync(join(bare, "chunks", chunk), "utf8");
    // By a name each one defines: the SDK's S3 errors, yargs' errors, the YAML parser's maps.
    for (const marker of ["S3ServiceException", "class YError", "YAMLMap"]) {
      const found = chunks.filter((chunk) => existsSync(join(bare, "chunks", chunk)) && textOf(chunk).includes(marker));
      expect(found.length, marker).toBeGreaterThan(0);
      for (const chunk of found) unloadable(join(bare, "chunks", chunk));
    }
    const usageErrors: [string[], string][] = [
      [["--bukcet", "x"], "unknown option --bukcet: did you mean --bucket? (see --help)"],
      [
        ["--backend", "--output", "xml"],
        'Invalid values: Argument: output, Given: "xml", Choices: "text", "json", "sarif", "html", "openmetrics" (see --help)',
      ],
      [["--backend", "--endpoint", "minio:9000"], "--endpoint minio:9000 has no scheme: write http://minio:9000 or https://minio:9000"],
      [["--backend", "--endpoint", "http://minio:9000", "--concurrency", "0"], "--concurrency must be a whole number from 1 to 64"],
    ];
    for (const [argv, line] of usageErrors) {
      const bad = await runCli(argv, { entry: join(bare, "kfp-s3-probe.mjs"), cwd: workDir });
      expect({ argv, code: bad.code, stderr: bad.stderr }).toEqual({ argv, code: 2, stderr: `kfp-s3-probe: ${line}\n` });
    }
    const version = await runCli(["--version"], { entry: join(bare, "kfp-s3-probe.mjs"), cwd: workDir });
    expect(version.stdout).toMatch(/^kfp-s3-probe \d+\.\d+\.\d+/);
    // Only what the entry imports statically (and what that imports) stays: neither yargs nor the SDK.
    const needed = new Set<string>();
    const follow = (file: string) => {
      for (const [, chunk] of readFileSync(file, "utf8").matchAll(/from "\.\/(?:chunks\/)?([^"]+\.mjs)"/g)) {
        if (chunk && !needed.has(chunk)) {
          needed.add(chunk);
          follow(join(bare, "chunks", chunk));
        }
      }
    };
    // The file one runs imports no chunk statically: it checks the folder, then loads the real entry.
    const entry = /await import\("\.\/chunks\/([^"]+\.mjs)"\)/.exec(readFileSync(join(bare, "kfp-s3-probe.mjs"), "utf8"))?.[1];
    expect(entry).toBeDefined();
    needed.add(entry ?? "");
    follow(join(bare, "chunks", entry ?? ""));
    for (const chunk of readdirSync(join(bare, "chunks"))) if (!needed.has(chunk)) unloadable(join(bare, "chunks", chunk));
    for (const chunk of needed) expect(textOf(chunk)).not.toMatch(/yargs|S3ServiceException/);
    const help = await runCli(["--help"], { entry: join(bare, "kfp-s3-probe.mjs"), cwd: workDir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kfp-s3-probe/);
  });

  it("a copy without a chunk, or the entry alone, refuses to start in one line (exit 2) that names the fix", async () => {
    const partial = join(workDir, "partial");
    cpSync(join(workDir, "app"), partial, { recursive: true });
    const [chunk] = readdirSync(join(partial, "chunks")).filter((name) => name.startsWith("dist-cjs-"));
    rmSync(join(partial, "chunks", chunk ?? ""));
    const alone = join(workDir, "alone");
    mkdirSync(alone);
    copyFileSync(join(workDir, "app", "kfp-s3-probe.mjs"), join(alone, "kfp-s3-probe.mjs"));
    for (const [folder, lacking] of [
      [partial, `lacks 1 of the ${readdirSync(join(workDir, "app", "chunks")).length} chunks of this build (./chunks/${chunk})`],
      [alone, "lacks"],
    ] as const) {
      for (const argv of [["--version"], ["--backend", "--endpoint", "http://127.0.0.1:9"]]) {
        const result = await runCli(argv, { entry: join(folder, "kfp-s3-probe.mjs"), cwd: workDir });
        expect(result.code).toBe(2);
        expect(result.stdout).toBe("");
        const lines = result.stderr.split("\n").filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`kfp-s3-probe: ${folder}/ ${lacking}`);
        expect(lines[0]).toContain("copy the whole folder dist/bundle/ (kfp-s3-probe.mjs with its chunks/ folder), or rebuild it with npm run build");
      }
    }
  });

  it("the Job's own command, on the values its pod annotation ships: backend and two profiles pass; JUnit matches the JSON", async () => {
    const manifest = await runBundle(["job", "--values", valuesFile]);
    expect(manifest.code).toBe(0);
    const [job] = parseAllDocuments(manifest.stdout).map((d) => d.toJSON() as Record<string, Parsed>);
    const shipped = join(workDir, "shipped-values.yaml");
    writeFileSync(shipped, (job as Parsed).spec.template.metadata.annotations["kfp-s3-probe/values"]);
    const args = ((job as Parsed).spec.template.spec.containers[0].args as string[]).map((arg) =>
      arg === "/etc/kfp-s3-probe/values.yaml" ? shipped : arg === "/secrets" ? secretsRoot : arg,
    );
    const junitFile = join(workDir, "reference.xml");
    const result = await runBundle([...args, "--junit", junitFile]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.identities.map((i) => [i.name, i.credentialSource])).toEqual([
      ["backend", `secret directory ${join(secretsRoot, "kfp-backend-s3")}`],
      ["team-1", `secret directory ${join(secretsRoot, "kfp-s3--team-1")}`],
      ["team-2", `secret directory ${join(secretsRoot, "kfp-s3--team-2")}`],
      ["anonymous", "none: unsigned requests"],
    ]);
    expect(report.summary.leak + report.summary.missing + report.summary.error).toBe(0);
    // Unattended: the report on stdout; on stderr the verdict and a line per kind of warning.
    expect(result.stderr.split("\n").filter((l) => l.startsWith("kfp-s3-probe: EXPOSED team-1,team-2 list-bucket,list (bucket)"))).toHaveLength(1);
    const junit = junitOf(junitFile);
    // A testcase per cell, then one per KFP component and identity.
    const components = report.components ?? [];
    expect(components.length).toBeGreaterThan(0);
    expect(Number(junit.tests)).toBe(report.checks.length + components.length);
    expect(Number(junit.failures)).toBe(0);
    expect([junit.testsuite].flat().map((s: Parsed) => Number(s.tests))).toEqual([
      ...report.identities.map((i) => report.checks.filter((c) => c.identity === i.name).length),
      components.length,
    ]);
  });

  it("team-2's Secret holding keys granted artifacts/*: exit 1, and every LEAK is a JUnit failure", async () => {
    const leakyRoot = leakySecrets();
    const junitFile = join(workDir, "leaky.xml");
    const result = await runBundle(["--values", valuesFile, "--secrets-root", leakyRoot, "--output", "json", "--junit", junitFile]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(
      report.checks.some((c) => c.identity === "team-2" && c.prefix === "artifacts/team-1/" && c.operation === "get" && c.verdict === "leak"),
    ).toBe(true);
    const junit = junitOf(junitFile);
    expect(Number(junit.failures)).toBe(report.summary.leak + report.summary.missing);
    expect(Number(junit.failures)).toBeGreaterThan(0);
    const failed = [junit.testsuite]
      .flat()
      .flatMap((s: Parsed) => [s.testcase].flat())
      .filter((c: Parsed) => c.failure);
    expect(failed.every((c: Parsed) => c.failure.type === "LEAK" || c.failure.type === "MISSING")).toBe(true);
    expect(result.stderr).toMatch(/^kfp-s3-probe: LEAK team-2 put v2\/artifacts\/team-1\/.*\| fix: remove s3:PutObject/m);
    for (const secret of allSecrets()) {
      expect(result.stdout + result.stderr + readFileSync(junitFile, "utf8")).not.toContain(secret);
    }
    expect(await bucketKeys()).toEqual(seeded);
    expect(await incompleteUploads()).toEqual([]);
  });

  it("a LEAK as the generated Job runs it: the pod exits 0, the log ends with its report, the Job completes, merge exits 1", async () => {
    const manifest = await runBundle(["job", "--values", valuesFile]);
    const [job] = parseAllDocuments(manifest.stdout).map((d) => d.toJSON() as Parsed);
    const log = join(workDir, "leak-pod.log");
    const code = await runAsPod(containerArgs(job, leakySecrets()), log);
    expect(code).toBe(0);
    expect(jobOutcome(job, [code ?? -1])).toMatchObject({ condition: "Complete" });
    const lines = readFileSync(log, "utf8").trimEnd().split("\n");
    const report = JSON.parse(lines.at(-1) ?? "") as Report;
    expect(report.summary.leak).toBeGreaterThan(0);
    expect(report.exitCode).toBe(0);
    // Every other line is stderr's, a finding each, all before the report.
    expect(lines.slice(0, -1).every((line) => line.startsWith("kfp-s3-probe: "))).toBe(true);
    expect(lines.some((line) => line.startsWith("kfp-s3-probe: LEAK team-2 "))).toBe(true);
    // The pod's log merges as a file and from stdin, and merge says the verdict.
    const fromFile = await runBundle(["merge", log, "--output", "json"]);
    expect(fromFile.code).toBe(1);
    const piped = await mergePiped(["-"], readFileSync(log, "utf8"));
    expect({ code: piped.code, stderr: piped.stderr }).toEqual({ code: 1, stderr: "" });
    expect(piped.stdout).toMatch(/^Summary: .* exit 1$/m);
    expect(await bucketKeys()).toEqual(seeded);
  });

  it("an Indexed Job's pods as kubectl logs -l kfp-s3-probe/run=RUN --prefix prints them: merged from stdin into the whole run", async () => {
    const manifest = await runBundle(["job", "--values", valuesFile, "--parallelism", "2"]);
    const [job] = parseAllDocuments(manifest.stdout).map((d) => d.toJSON() as Parsed);
    const run = job.metadata.labels["kfp-s3-probe/run"];
    expect(job.spec.template.metadata.labels["kfp-s3-probe/run"]).toBe(run);
    const secrets = leakySecrets();
    const pods: { name: string; log: string }[] = [];
    const codes: (number | null)[] = [];
    for (const index of [0, 1]) {
      const file = join(workDir, `shard-${index}.log`);
      codes.push(await runAsPod(containerArgs(job, secrets, { KFP_S3_PROBE_SHARD_INDEX: String(index) }), file));
      pods.push({ name: `kfp-s3-probe-7q2xz-${index}-k4m9p`, log: readFileSync(file, "utf8") });
    }
    expect(codes).toEqual([0, 0]);
    expect(
      jobOutcome(
        job,
        codes.map((c) => c ?? -1),
      ),
    ).toMatchObject({ condition: "Complete" });
    // kubectl logs: one pod after the other, in no set order, each line after [pod/NAME/CONTAINER].
    const printed = [pods[1], pods[0]]
      .flatMap((pod) => (pod ? [pod] : []))
      .map(({ name, log }) =>
        log
          .trimEnd()
          .split("\n")
          .map((line) => `[pod/${name}/kfp-s3-probe] ${line}\n`)
          .join(""),
      )
      .join("");
    const junit = join(workDir, "merged-shards.xml");
    const merged = await mergePiped(["-", "--output", "json", "--junit", junit], printed);
    expect(merged.stderr).toBe("");
    expect(merged.code).toBe(1);
    const report = JSON.parse(merged.stdout) as Report;
    expect(report.identities.map((i) => i.name).sort()).toEqual(["anonymous", "backend", "team-1", "team-2"]);
    expect(report.checks.some((c) => c.identity === "team-2" && c.prefix === "artifacts/team-1/" && c.verdict === "leak")).toBe(true);
    expect(Number(junitOf(junit).tests)).toBe(report.checks.length + (report.components?.length ?? 0));
    expect(await bucketKeys()).toEqual(seeded);
  });
});
