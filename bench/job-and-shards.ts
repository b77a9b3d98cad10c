// The bench's Job and shard parts (bench/scale.ts runs them), on Node 24 as the image runs it:
// 100 profiles under the generated Job's settings, alone and with its one core shared; 100
// profiles in 4 shards against one run (total CPU); 300 profiles in 4 shards at once, merged.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { JOB_MEMORY_LIMIT_MI, JOB_NODE_OPTIONS } from "../src/k8s/job.js";
import type { Report } from "../src/report/model.js";
import {
  cli,
  configFor,
  HEADER,
  leaksCaught,
  local,
  type Measured,
  measure,
  type NodeUnderTest,
  ONLY,
  parsed,
  row,
  SHARDED,
  stateDir,
} from "./kit.js";

const run = promisify(execFile);
/** The generated Job's --timeout: its default deadline (600 s) less the cleanup margin. */
const JOB_TIMEOUT_S = 570;
const JOB_ENV = { NODE_OPTIONS: JOB_NODE_OPTIONS };

function jobArgs(config: string, shard?: string): string[] {
  return [cli, "--config", config, "--output", "json", "--no-discover", "--timeout", String(JOB_TIMEOUT_S), ...(shard ? ["--shard", shard] : [])];
}

/** A process that keeps core 0 busy until stopped: the pod's one CPU shared with other work. */
function burnCore0(): () => void {
  const burner = spawn("taskset", ["-c", "0", process.execPath, "-e", "for(;;){}"], { stdio: "ignore" });
  return () => burner.kill("SIGKILL");
}

async function underJob(node: NodeUnderTest, config: string, shared: boolean): Promise<Measured> {
  if (!shared) return measure(jobArgs(config), { node, env: JOB_ENV });
  const stop = burnCore0();
  try {
    // On core 0 only, as a pod limited to one CPU, and that core shared with other work.
    return await measure(jobArgs(config), { node, env: JOB_ENV, wrap: ["taskset", "-c", "0"] });
  } finally {
    stop();
  }
}

async function job(node: NodeUnderTest): Promise<void> {
  const config = configFor(100);
  console.log(
    `the Job: backend + 100 profiles, NODE_OPTIONS="${JOB_NODE_OPTIONS}", pod limit ${JOB_MEMORY_LIMIT_MI} MiB, --timeout ${JOB_TIMEOUT_S}`,
  );
  console.log(HEADER);
  const alone = await underJob(node, config, false);
  console.log(row("alone", alone, parsed(alone)));
  const shared = await underJob(node, config, true);
  console.log(row("1 core shared", shared, parsed(shared)));
  const notes = parsed(shared).notes.filter((note) => /memory|slow|concurrency/i.test(note));
  for (const note of notes) console.log(`  note: ${note}`);
  console.log("");
}

/** P profiles in N shards at once, as the pods of an Indexed Job, then merged (the shards' reports in `files`). */
export async function shardsAtOnce(
  node: NodeUnderTest,
  profiles: number,
  shards: number,
): Promise<{ runs: Measured[]; merged: Measured; wallMs: number; files: string[] }> {
  const config = configFor(profiles);
  const dir = mkdtempSync(join(tmpdir(), "kfp-bench-shards-"));
  const started = process.hrtime.bigint();
  const runs = await Promise.all(Array.from({ length: shards }, (_, i) => measure(jobArgs(config, `${i}/${shards}`), { node, env: JOB_ENV })));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const files = runs.map((m, i) => {
    const file = join(dir, `shard-${i}.json`);
    writeFileSync(file, m.stdout);
    return file;
  });
  const merged = await measure([cli, "merge", "--output", "json", ...files], { node });
  return { runs, merged, wallMs, files };
}

const cpuOf = (runs: Measured[]) => runs.reduce((n, m) => n + m.cpuUs, 0) / 1000;
const rssOf = (runs: Measured[]) => runs.map((m) => `${(m.maxRssKb / 1024).toFixed(0)}`).join(", ");

async function shardCost(node: NodeUnderTest): Promise<void> {
  const one = await measure(jobArgs(configFor(100)), { node, env: JOB_ENV });
  const { runs, merged } = await shardsAtOnce(node, 100, 4);
  const requests = runs.reduce((n, m) => n + (parsed(m).requests?.sent ?? m.requests), 0);
  console.log("shards: backend + 100 profiles, one run against 4 shards at once (the Job's settings)");
  console.log(`  one run   ${String(parsed(one).requests?.sent).padStart(7)} requests  CPU ${(cpuOf([one]) / 1000).toFixed(1)} s`);
  console.log(
    `  4 shards  ${String(requests).padStart(7)} requests  CPU ${(cpuOf(runs) / 1000).toFixed(1)} s (${(cpuOf(runs) / cpuOf([one])).toFixed(2)}x one run), exit ${merged.code} merged, leaks caught: ${leaksCaught(parsed(merged))}`,
  );
}

async function sharded300(node: NodeUnderTest): Promise<void> {
  const { profiles, shards } = SHARDED;
  const { runs, merged, wallMs } = await shardsAtOnce(node, profiles, shards);
  const report = parsed(merged) as Report;
  const requests = runs.reduce((n, m) => n + (parsed(m).requests?.sent ?? m.requests), 0);
  console.log(`  ${profiles} profiles in ${shards} shards at once on these 2 cores, then merge`);
  console.log(
    `    requests ${requests}, wall ${(wallMs / 1000).toFixed(1)} s, peak RSS per shard ${rssOf(runs)} MB (limit ${JOB_MEMORY_LIMIT_MI} MiB), CPU ${(cpuOf(runs) / 1000).toFixed(1)} s`,
  );
  console.log(
    `    merged: ${report.identities.length} identities, ${report.checks.length} checks, ${report.summary.error} in error, ${report.summary["not-run"]} not run, exit ${merged.code}, leaks caught: ${leaksCaught(report)}, merge peak RSS ${(merged.maxRssKb / 1024).toFixed(0)} MB\n`,
  );
}

export async function jobAndShards(node: NodeUnderTest): Promise<void> {
  if (ONLY.has("job")) await job(node);
  if (ONLY.has("shards")) {
    await shardCost(node);
    await sharded300(node);
  }
}

export async function awsComparison(node: NodeUnderTest): Promise<void> {
  const aws = await run("aws", ["--version"]).catch(() => undefined);
  if (!aws) {
    console.log("aws s3api comparison: skipped (no aws CLI on this machine)");
    return;
  }
  const secrets = (n: string) => join(stateDir, "secrets", n);
  const started = process.hrtime.bigint();
  const script = await run("bash", [
    join(stateDir, "..", "bench", "aws-s3api-profile.sh"),
    local.endpoint,
    local.bucket,
    secrets("backend"),
    secrets("team-1"),
    "team-1",
  ]);
  const scriptMs = Number(process.hrtime.bigint() - started) / 1e6;
  const identities = ["--identity", `backend=${secrets("backend")}`, "--identity", `team-1=${secrets("team-1")}`];
  const probe = await measure(
    [cli, "--endpoint", local.endpoint, "--bucket", local.bucket, ...identities, "--no-discover", "--no-anonymous", "--output", "json"],
    {
      node,
    },
  );
  console.log("backend + team-1, the same kind of checks:");
  console.log(
    `  aws s3api script (bench/aws-s3api-profile.sh)  ${script.stdout.trim().padStart(5)} requests  ${(scriptMs / 1000).toFixed(1).padStart(6)} s`,
  );
  console.log(
    `  kfp-s3-probe                                    ${String(probe.requests).padStart(5)} requests  ${(probe.wallMs / 1000).toFixed(1).padStart(6)} s   ${(scriptMs / probe.wallMs).toFixed(0)}x faster`,
  );
}
