// What the bench's parts share (bench/scale.ts runs them): the nodes under test, one measured
// process of the CLI, the bench bucket's users and policies, and the table's row.
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { readLocalS3Settings } from "../scripts/local-s3-fixture.js";
import { NODE_FLAGS } from "../src/node-flags.js";
import type { Report } from "../src/report/model.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const run = promisify(execFile);
export const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
export const stateDir = join(root, ".local-s3");
export const local = readLocalS3Settings(join(stateDir, "env"));
export const cli = join(root, "dist", "bundle", "kfp-s3-probe.mjs");
const hook = join(root, "dist", "bench", "rusage-hook.js");
export const BUCKET = "kfp-bench";
export const SIZES = [1, 10, 50, 100];
export const SHARDED = { profiles: 300, shards: 4 };
export const ONLY = new Set((process.env.KFP_S3_PROBE_BENCH_ONLY ?? "start,scale,job,shards,aws,exact,proof,html,floor").split(","));
/**
 * Wrong on purpose, in every run where they are: a near miss, a wildcard, an explicit read of
 * team-2; and two no sample key of the probe matches (hidden): every team's metrics/ readable by
 * team-9, every team's v2 tmp/ writable by team-12.
 */
export const WRONG: Record<string, string> = {
  "team-1": "fixtures/policies/near-miss.json",
  "team-3": "fixtures/policies/artifacts-wildcard.json",
  "team-6": "fixtures/policies/extra-read.json",
  "team-9": "fixtures/policies/metrics-wildcard.json",
  "team-12": "fixtures/policies/v2-tmp-write.json",
};

export interface NodeUnderTest {
  label: string;
  exec: string;
}

/** Node 22 from tools/node22 (installed from its lockfile when missing), and the Node 24 npm ci brought. */
export function nodesUnderTest(): NodeUnderTest[] {
  const node22 = join(execFileSync("bash", [join(root, "scripts", "node22.sh")], { encoding: "utf8" }).trim(), "node");
  const version = (exec: string) => execFileSync(exec, ["--version"], { encoding: "utf8" }).trim();
  return [
    { label: `Node ${version(node22)}`, exec: node22 },
    { label: `Node ${version(process.execPath)}`, exec: process.execPath },
  ];
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export interface Measured {
  code: number | null;
  stdout: string;
  wallMs: number;
  requests: number;
  waves: number;
  maxRssKb: number;
  cpuUs: number;
}

export interface MeasureOptions {
  node: NodeUnderTest;
  /** Node's own flags: the tool's (as its shebang starts it) unless told otherwise. */
  nodeFlags?: readonly string[];
  env?: Record<string, string>;
  /** A command that runs node, e.g. ["taskset", "-c", "0"]. */
  wrap?: string[];
}

/** One process of the CLI (or of bare node), timed, with what the hook saw. */
export function measure(args: string[], options: MeasureOptions): Promise<Measured> {
  const usageFile = join(mkdtempSync(join(tmpdir(), "kfp-bench-")), "usage.json");
  const nodeArgs = [...(options.nodeFlags ?? NODE_FLAGS), "--import", hook, ...args];
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const env = { ...process.env, ...options.env, KFP_S3_PROBE_BENCH_USAGE: usageFile, NO_COLOR: "1" };
    const [command, ...prefix] = [...(options.wrap ?? []), options.node.exec];
    const child = spawn(command as string, [...prefix, ...nodeArgs], { env });
    const out: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.resume();
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const usage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, "utf8")) : { requests: 0, waves: 0, maxRssKb: 0, cpuUs: 0 };
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), wallMs, ...usage });
    });
  });
}

function secretsOf(name: string): string {
  return join(stateDir, "bench-secrets", name);
}

export function policyFor(profile: string): string {
  const file = WRONG[profile] ?? "fixtures/reference-policies/profile.json";
  return readFileSync(join(root, file), "utf8").replaceAll("<BUCKET_NAME>", BUCKET).replaceAll("<PROFILE_NAME>", profile);
}

export function adminClients(): { s3: S3Client; iam: IAMClient } {
  const credentials = { accessKeyId: local.adminAccessKeyId, secretAccessKey: local.adminSecretAccessKey };
  return {
    s3: new S3Client({ endpoint: local.endpoint, region: local.region, forcePathStyle: true, credentials }),
    iam: new IAMClient({ endpoint: local.endpoint, region: local.region, credentials }),
  };
}

async function createBenchUser(profile: string): Promise<void> {
  const user = `bench-${profile}`;
  const dir = secretsOf(user);
  if (existsSync(join(dir, "AWS_SECRET_ACCESS_KEY"))) return;
  const key = `BENCH${profile.replace(/\D/g, "").padStart(15, "0")}`;
  const secret = `bench-secret-${profile}-${Math.random().toString(36).slice(2)}`;
  const conf = join(stateDir, "ceph.conf");
  await run("radosgw-admin", [
    "-c",
    conf,
    "user",
    "create",
    `--uid=${user}`,
    `--display-name=${user}`,
    `--access-key=${key}`,
    `--secret-key=${secret}`,
  ]);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "AWS_ACCESS_KEY_ID"), key);
  writeFileSync(join(dir, "AWS_SECRET_ACCESS_KEY"), secret);
}

/** RGW users bench-team-1…N with their policies on the bench bucket, made once and kept. */
export async function provision(profiles: number): Promise<void> {
  const { s3, iam } = adminClients();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  const backendPolicy = readFileSync(join(root, "fixtures/reference-policies/backend.json"), "utf8").replaceAll("<BUCKET_NAME>", BUCKET);
  await iam.send(new PutUserPolicyCommand({ UserName: "backend", PolicyName: `kfp-object-store-${BUCKET}`, PolicyDocument: backendPolicy }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "pipelines/hello-world/pipeline.yaml", Body: "bench\n" }));
  const limit = pLimit(8);
  const names = Array.from({ length: profiles }, (_, i) => `team-${i + 1}`);
  await Promise.all(
    names.map((profile) =>
      limit(async () => {
        await createBenchUser(profile);
        const policy = { UserName: `bench-${profile}`, PolicyName: `kfp-object-store-${BUCKET}`, PolicyDocument: policyFor(profile) };
        await iam.send(new PutUserPolicyCommand(policy));
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `artifacts/${profile}/run/main.log`, Body: "bench\n" }));
      }),
    ),
  );
}

export function configFor(profiles: number): string {
  const lines = [
    `endpoint: ${local.endpoint}`,
    `bucket: ${BUCKET}`,
    "identities:",
    `  - { backend: true, credentials: { dir: ${join(stateDir, "secrets", "backend")} } }`,
    ...Array.from({ length: profiles }, (_, i) => `  - { profile: team-${i + 1}, credentials: { dir: ${secretsOf(`bench-team-${i + 1}`)} } }`),
  ];
  const file = join(mkdtempSync(join(tmpdir(), "kfp-bench-")), "probe.yaml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

export function leaksCaught(report: Report): string {
  const leaks = (identity: string) => report.checks.filter((c) => c.identity === identity && c.verdict === "leak");
  const nearMiss = leaks("team-1").some((c) => c.owner === "team-10" || c.relation === "near-miss");
  const wildcard = leaks("team-3").some((c) => c.relation === "foreign");
  const extraRead = leaks("team-6").some((c) => c.prefix === "artifacts/team-2/" && c.operation === "get");
  const hiddenRead = leaks("team-9").some((c) => c.prefix?.includes("/metrics/") && c.operation === "get");
  const hiddenWrite = leaks("team-12").some((c) => c.prefix?.includes("/tmp/") && c.operation === "put");
  const caught = { "near-miss": nearMiss, wildcard, "extra-read": extraRead, "hidden-read": hiddenRead, "hidden-write": hiddenWrite };
  return (
    Object.entries(caught)
      .filter(([, found]) => found)
      .map(([name]) => name)
      .join(", ") || "-"
  );
}

export function parsed(m: Measured): Report {
  return JSON.parse(m.stdout) as Report;
}

export function row(label: string, m: Measured, report: Report): string {
  const cpuMs = m.cpuUs / 1000;
  const requests = report.requests?.sent ?? m.requests;
  const errors = report.summary.error;
  return `${label.padStart(14)}  ${String(requests).padStart(8)}  ${(m.wallMs / 1000).toFixed(1).padStart(6)} s  ${(cpuMs / Math.max(1, requests)).toFixed(2).padStart(8)} ms  ${`${(m.maxRssKb / 1024).toFixed(0)} MB`.padStart(8)}  ${`${(m.stdout.length / 1024).toFixed(0)} KB`.padStart(9)}  ${String(errors).padStart(6)}  ${String(m.code).padStart(4)}  ${leaksCaught(report)}`;
}

export const HEADER = "             P  requests    wall  CPU/request  peak RSS     JSON   errors  exit  leaks caught";
