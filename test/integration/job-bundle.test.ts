// The single-file bundle, alone in a directory with no node_modules, run as the Kubernetes Job
// runs it: settings from a deployKF values file, keys from Secrets mounted as directories with
// their own key names, a JSON report, findings on stderr and a JUnit file.

import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { JOB_NODE_OPTIONS } from "../../src/k8s/job.js";
import { NODE_FLAGS } from "../../src/node-flags.js";
import type { Report } from "../../src/report/model.js";
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
      for (const chunk of found) rmSync(join(bare, "chunks", chunk));
    }
    const usageErrors: [string[], string][] = [
      [["--bukcet", "x"], "Unknown argument: bukcet; did you mean --bucket? (see --help)"],
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
    follow(join(bare, "kfp-s3-probe.mjs"));
    for (const chunk of readdirSync(join(bare, "chunks"))) if (!needed.has(chunk)) rmSync(join(bare, "chunks", chunk));
    for (const chunk of needed) expect(textOf(chunk)).not.toMatch(/yargs|S3ServiceException/);
    const help = await runCli(["--help"], { entry: join(bare, "kfp-s3-probe.mjs"), cwd: workDir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kfp-s3-probe/);
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
    expect(Number(junit.tests)).toBe(report.checks.length);
    expect(Number(junit.failures)).toBe(0);
    expect([junit.testsuite].flat().map((s: Parsed) => Number(s.tests))).toEqual(
      report.identities.map((i) => report.checks.filter((c) => c.identity === i.name).length),
    );
  });

  it("team-2's Secret holding keys granted artifacts/*: exit 1, and every LEAK is a JUnit failure", async () => {
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
});
