// npm run bench, on the local RGW (scripts/local-s3.sh start): where the probe stands, in one run.
//   1. start: --help and a backend + 2 profiles run, as ratios to a bare `node -e 0`;
//   2. scale: the backend + P profiles (P = 1, 10, 50, 100; three of them wrong on purpose) in a
//      bucket of their own: requests, wall, CPU per request, network wait, max RSS, report size,
//      and which leaks were caught;
//   3. the same checks for the backend and one profile as an `aws s3api` script (bench/), if the
//      aws CLI is installed.
// Ratios within this one run and tables by profile count, never thresholds.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { readLocalS3Settings } from "../scripts/local-s3-fixture.js";
import { HEAP_MB } from "../src/k8s/job.js";
import type { Report } from "../src/report/model.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const stateDir = join(root, ".local-s3");
const local = readLocalS3Settings(join(stateDir, "env"));
const cli = join(root, "dist", "bundle", "kfp-s3-probe.mjs");
const hook = join(root, "dist", "bench", "rusage-hook.js");
const BUCKET = "kfp-bench";
const SIZES = [1, 10, 50, 100];
const SHARDED = { profiles: 300, shards: 4 };
/** Wrong on purpose, in every run where they are: a near miss, a wildcard, an explicit read of team-2. */
const WRONG: Record<string, string> = {
  "team-1": "fixtures/policies/near-miss.json",
  "team-3": "fixtures/policies/artifacts-wildcard.json",
  "team-6": "fixtures/policies/extra-read.json",
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

interface Measured {
  code: number | null;
  stdout: string;
  wallMs: number;
  requests: number;
  maxRssKb: number;
  cpuUs: number;
}

/** One process of the CLI (or of bare node), timed, with what the hook saw. */
function measure(args: string[], withHook = true, env: Record<string, string> = {}): Promise<Measured> {
  const usageFile = join(mkdtempSync(join(tmpdir(), "kfp-bench-")), "usage.json");
  const nodeArgs = withHook ? ["--import", hook, ...args] : args;
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, nodeArgs, { env: { ...process.env, ...env, KFP_S3_PROBE_BENCH_USAGE: usageFile, NO_COLOR: "1" } });
    const out: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.resume();
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const usage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, "utf8")) : { requests: 0, maxRssKb: 0, cpuUs: 0 };
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), wallMs, ...usage });
    });
  });
}

function secretsOf(name: string): string {
  return join(stateDir, "bench-secrets", name);
}

function policyFor(profile: string): string {
  const file = WRONG[profile] ?? "fixtures/reference-policies/profile.json";
  return readFileSync(join(root, file), "utf8").replaceAll("<BUCKET_NAME>", BUCKET).replaceAll("<PROFILE_NAME>", profile);
}

/** RGW users bench-team-1…N with their policies on the bench bucket, made once and kept. */
async function provision(profiles: number): Promise<void> {
  const credentials = { accessKeyId: local.adminAccessKeyId, secretAccessKey: local.adminSecretAccessKey };
  const s3 = new S3Client({ endpoint: local.endpoint, region: local.region, forcePathStyle: true, credentials });
  const iam = new IAMClient({ endpoint: local.endpoint, region: local.region, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  const backendPolicy = readFileSync(join(root, "fixtures/reference-policies/backend.json"), "utf8").replaceAll("<BUCKET_NAME>", BUCKET);
  await iam.send(new PutUserPolicyCommand({ UserName: "backend", PolicyName: `kfp-object-store-${BUCKET}`, PolicyDocument: backendPolicy }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "pipelines/hello-world/pipeline.yaml", Body: "bench\n" }));
  const limit = pLimit(8);
  await Promise.all(
    Array.from({ length: profiles }, (_, i) => `team-${i + 1}`).map((profile) =>
      limit(async () => {
        const user = `bench-${profile}`;
        const dir = secretsOf(user);
        if (!existsSync(join(dir, "AWS_SECRET_ACCESS_KEY"))) {
          const key = `BENCH${profile.replace(/\D/g, "").padStart(15, "0")}`;
          const secret = `bench-secret-${profile}-${Math.random().toString(36).slice(2)}`;
          await run("radosgw-admin", [
            "-c",
            join(stateDir, "ceph.conf"),
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
        await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: `kfp-object-store-${BUCKET}`, PolicyDocument: policyFor(profile) }));
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `artifacts/${profile}/run/main.log`, Body: "bench\n" }));
      }),
    ),
  );
}

function configFor(profiles: number): string {
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

function leaksCaught(report: Report): string {
  const leaks = (identity: string) => report.checks.filter((c) => c.identity === identity && c.verdict === "leak");
  const nearMiss = leaks("team-1").some((c) => c.owner === "team-10" || c.relation === "near-miss");
  const wildcard = leaks("team-3").some((c) => c.relation === "foreign");
  const extraRead = leaks("team-6").some((c) => c.prefix === "artifacts/team-2/" && c.operation === "get");
  return [nearMiss ? "near-miss" : "", wildcard ? "wildcard" : "", extraRead ? "extra-read" : ""].filter(Boolean).join(", ") || "-";
}

async function startup(): Promise<void> {
  const times = async (args: string[], count: number, withHook = false) => {
    const walls: number[] = [];
    for (let i = 0; i < count; i += 1) walls.push((await measure(args, withHook)).wallMs);
    return median(walls);
  };
  const bare = await times(["-e", "0"], 15);
  const help = await times([cli, "--help"], 15);
  const three = await times(
    [
      cli,
      "--endpoint",
      local.endpoint,
      "--bucket",
      local.bucket,
      ...["backend", "team-1", "team-2"].flatMap((n) => ["--identity", `${n}=${join(stateDir, "secrets", n)}`]),
      "--output",
      "json",
    ],
    5,
  );
  console.log("start (medians: 15 runs, 5 for the probe run)");
  console.log(`  node -e 0                               ${bare.toFixed(0).padStart(6)} ms   1.00x`);
  console.log(`  kfp-s3-probe --help                     ${help.toFixed(0).padStart(6)} ms   ${(help / bare).toFixed(2)}x`);
  console.log(`  backend + team-1 + team-2, default run  ${three.toFixed(0).padStart(6)} ms   ${(three / bare).toFixed(2)}x\n`);
}

function row(label: string, m: Measured, report: Report): string {
  const cpuMs = m.cpuUs / 1000;
  return `${label.padStart(6)}  ${String(m.requests).padStart(8)}  ${(m.wallMs / 1000).toFixed(1).padStart(5)} s  ${(cpuMs / Math.max(1, m.requests)).toFixed(2).padStart(8)} ms  ${`${Math.max(0, 100 - (100 * cpuMs) / m.wallMs).toFixed(0)} %`.padStart(12)}  ${`${(m.maxRssKb / 1024).toFixed(0)} MB`.padStart(7)}  ${`${(m.stdout.length / 1024).toFixed(0)} KB`.padStart(12)}  ${String(m.code).padStart(4)}  ${leaksCaught(report)}`;
}

/** The Job's way: its heap ceiling (NODE_OPTIONS), as the generated manifest sets it. */
const JOB_ENV = { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` };
/** The generated Job's --timeout: its default deadline (600 s) less the cleanup margin. */
const JOB_TIMEOUT_S = 570;

/** P profiles in N shards at once, as the pods of an Indexed Job, then merged. */
async function sharded(): Promise<void> {
  const { profiles, shards } = SHARDED;
  const config = configFor(profiles);
  const dir = mkdtempSync(join(tmpdir(), "kfp-bench-shards-"));
  const started = process.hrtime.bigint();
  const runs = await Promise.all(
    Array.from({ length: shards }, (_, i) =>
      measure(
        [cli, "--config", config, "--output", "json", "--no-discover", "--shard", `${i}/${shards}`, "--timeout", String(JOB_TIMEOUT_S)],
        true,
        JOB_ENV,
      ),
    ),
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const files = runs.map((m, i) => {
    const file = join(dir, `shard-${i}.json`);
    writeFileSync(file, m.stdout);
    return file;
  });
  const merged = await measure([cli, "merge", "--output", "json", ...files]);
  const report = JSON.parse(merged.stdout) as Report;
  const requests = runs.reduce((n, m) => n + m.requests, 0);
  console.log(
    `sharded: backend + ${profiles} profiles, ${shards} processes at once on this machine (--shard I/${shards}, the Job's heap ceiling and --timeout ${JOB_TIMEOUT_S}), then merge`,
  );
  console.log(
    `  requests ${requests}, wall ${(wallMs / 1000).toFixed(1)} s on this machine's 2 cores, max RSS per shard ${runs.map((m) => `${(m.maxRssKb / 1024).toFixed(0)} MB`).join(", ")}`,
  );
  const errors = report.summary.error;
  console.log(
    `  merged: ${report.identities.length} identities, ${report.checks.length} checks, ${errors} in error, exit ${merged.code}, leaks caught: ${leaksCaught(report)}, merge max RSS ${(merged.maxRssKb / 1024).toFixed(0)} MB\n`,
  );
}

async function scale(): Promise<void> {
  await provision(Math.max(...SIZES, SHARDED.profiles));
  console.log(
    `scale: backend + P profiles in bucket ${BUCKET} (team-1 near-miss, team-3 wildcard, team-6 reads team-2), default settings, --no-discover`,
  );
  console.log("     P  requests    wall  CPU/request  network wait  max RSS   JSON report  exit  leaks caught");
  for (const profiles of SIZES) {
    const m = await measure([cli, "--config", configFor(profiles), "--output", "json", "--no-discover"]);
    console.log(row(String(profiles), m, JSON.parse(m.stdout) as Report));
  }
  const job = await measure([cli, "--config", configFor(100), "--output", "json", "--no-discover"], true, JOB_ENV);
  console.log(row("100*", job, JSON.parse(job.stdout) as Report));
  console.log(`  * as the generated Job runs it: NODE_OPTIONS=--max-old-space-size=${HEAP_MB}\n`);
}

async function awsComparison(): Promise<void> {
  const aws = await run("aws", ["--version"]).catch(() => undefined);
  if (!aws) {
    console.log("aws s3api comparison: skipped (no aws CLI on this machine)");
    return;
  }
  const secrets = (n: string) => join(stateDir, "secrets", n);
  const started = process.hrtime.bigint();
  const script = await run("bash", [
    join(root, "bench", "aws-s3api-profile.sh"),
    local.endpoint,
    local.bucket,
    secrets("backend"),
    secrets("team-1"),
    "team-1",
  ]);
  const scriptMs = Number(process.hrtime.bigint() - started) / 1e6;
  const probe = await measure([
    cli,
    "--endpoint",
    local.endpoint,
    "--bucket",
    local.bucket,
    "--identity",
    `backend=${secrets("backend")}`,
    "--identity",
    `team-1=${secrets("team-1")}`,
    "--no-discover",
    "--no-anonymous",
    "--output",
    "json",
  ]);
  console.log("backend + team-1, the same kind of checks:");
  console.log(
    `  aws s3api script (bench/aws-s3api-profile.sh)  ${script.stdout.trim().padStart(5)} requests  ${(scriptMs / 1000).toFixed(1).padStart(6)} s`,
  );
  console.log(
    `  kfp-s3-probe                                    ${String(probe.requests).padStart(5)} requests  ${(probe.wallMs / 1000).toFixed(1).padStart(6)} s   ${(scriptMs / probe.wallMs).toFixed(0)}x faster`,
  );
}

await startup();
await scale();
await sharded();
await awsComparison();
