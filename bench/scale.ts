// npm run bench, on the local RGW (scripts/local-s3.sh start): where the probe stands, in one run,
// on Node 22 (the floor) and Node 24 side by side:
//   1. start: --help, a usage error and a backend + 2 profiles run, as ratios to a bare `node -e 0`
//      on the same Node; the run also against its physical floor (node's start plus its
//      sequential request waves × the measured round trip);
//   2. scale: the backend + P profiles (three of them wrong on purpose) in a bucket of their own,
//      at the tool's own flags: requests, wall, CPU per request, peak RSS, report size, leaks caught;
//   3. the Job: 100 profiles under the generated Job's settings, alone and with the CPU shared;
//   4. shards: 100 profiles in 4 shards against one run (total CPU), and 300 profiles in 4 shards at
//      once as an Indexed Job's pods, merged;
//   5. the same checks for the backend and one profile as an `aws s3api` script, if aws is installed;
//   6. exact: the exact policy evaluator over the backend's and 300 profiles' policies, in process;
//   7. html: the 300 profiles' merged report as HTML in headless Chromium: size, open, filters.
//   8. floor: the CPU one request costs before the probe's own work (node:http, the SDK, the probe's client).
// Ratios within this one run and tables by profile count, never thresholds.
// KFP_S3_PROBE_BENCH_ONLY=start,scale,job,shards,aws,exact,proof,html,floor runs a part.
import { join } from "node:path";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { NODE_FLAGS } from "../src/node-flags.js";
import { exactBench } from "./exact.js";
import { floorBench } from "./floor.js";
import { htmlBench } from "./html.js";
import { awsComparison, jobAndShards } from "./job-and-shards.js";
import {
  adminClients,
  BUCKET,
  cli,
  configFor,
  HEADER,
  local,
  type Measured,
  measure,
  median,
  type NodeUnderTest,
  nodesUnderTest,
  ONLY,
  parsed,
  provision,
  row,
  SHARDED,
  SIZES,
  stateDir,
} from "./kit.js";
import { proofBench } from "./proof.js";

/** The median round trip of a HEAD on a kept-alive connection: the floor's unit. */
async function roundTripMs(): Promise<number> {
  const { s3 } = adminClients();
  const times: number[] = [];
  for (let i = 0; i < 25; i += 1) {
    const started = performance.now();
    await s3.send(new HeadBucketCommand({ Bucket: local.bucket }));
    if (i >= 5) times.push(performance.now() - started);
  }
  s3.destroy();
  return median(times);
}

async function startFor(node: NodeUnderTest, rtt: number): Promise<void> {
  const times = async (args: string[], count: number, nodeFlags: readonly string[] = NODE_FLAGS) => {
    const runs: Measured[] = [];
    for (let i = 0; i < count; i += 1) runs.push(await measure(args, { node, nodeFlags }));
    return { wall: median(runs.map((r) => r.wallMs)), waves: median(runs.map((r) => r.waves)), requests: median(runs.map((r) => r.requests)) };
  };
  const bare = await times(["-e", "0"], 15, []);
  const help = await times([cli, "--help"], 15);
  const usage = await times([cli, "--bogus"], 15);
  const secrets = (n: string) => `${n}=${join(stateDir, "secrets", n)}`;
  const identities = ["backend", "team-1", "team-2"].flatMap((n) => ["--identity", secrets(n)]);
  const three = await times([cli, "--endpoint", local.endpoint, "--bucket", local.bucket, ...identities, "--output", "json"], 7);
  const floor = bare.wall + three.waves * rtt;
  const ratio = (ms: number) => `${(ms / bare.wall).toFixed(2)}x`;
  console.log(`  ${node.label}`);
  console.log(`    node -e 0                                ${bare.wall.toFixed(0).padStart(6)} ms   1.00x`);
  console.log(`    kfp-s3-probe --help                      ${help.wall.toFixed(0).padStart(6)} ms   ${ratio(help.wall)}`);
  console.log(`    kfp-s3-probe --bogus (a usage error)     ${usage.wall.toFixed(0).padStart(6)} ms   ${ratio(usage.wall)}`);
  console.log(
    `    backend + team-1 + team-2, default run   ${three.wall.toFixed(0).padStart(6)} ms   ${ratio(three.wall)}; ${three.requests} requests in ${three.waves} waves; floor ${floor.toFixed(0)} ms (start + waves × ${rtt.toFixed(1)} ms): ${(three.wall / floor).toFixed(2)}x the floor`,
  );
}

async function startup(nodes: NodeUnderTest[]): Promise<void> {
  const rtt = await roundTripMs();
  console.log(`start (medians: 15 runs, 7 for the probe run; round trip of a HEAD on a kept-alive connection ${rtt.toFixed(1)} ms)`);
  for (const node of nodes) await startFor(node, rtt);
  console.log("");
}

async function scale(nodes: NodeUnderTest[]): Promise<void> {
  console.log(
    `scale: backend + P profiles in bucket ${BUCKET} (team-1 near-miss, team-3 wildcard, team-6 reads team-2), default settings (${NODE_FLAGS.join(" ")}), --no-discover`,
  );
  console.log(HEADER);
  for (const node of nodes) {
    for (const profiles of SIZES) {
      const m = await measure([cli, "--config", configFor(profiles), "--output", "json", "--no-discover"], { node });
      console.log(row(`${node.label.replace("Node ", "").split(".")[0]}: ${profiles}`, m, parsed(m)));
    }
  }
  console.log("");
}

const nodes = nodesUnderTest();
if (ONLY.has("scale") || ONLY.has("job") || ONLY.has("shards") || ONLY.has("proof") || ONLY.has("html"))
  await provision(Math.max(...SIZES, SHARDED.profiles));
if (ONLY.has("start")) await startup(nodes);
if (ONLY.has("scale")) await scale(nodes);
const node24 = nodes[nodes.length - 1] as NodeUnderTest;
await jobAndShards(node24);
if (ONLY.has("aws")) await awsComparison(node24);
if (ONLY.has("exact")) exactBench();
if (ONLY.has("proof")) await proofBench(node24);
if (ONLY.has("html")) await htmlBench(node24);
if (ONLY.has("floor")) await floorBench();
