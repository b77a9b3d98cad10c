// Loaded with `node --import` into the probe the benchmark runs: counts the HTTP requests the
// process sends and, at exit, writes them with its CPU time and peak memory to the file named by
// KFP_S3_PROBE_BENCH_USAGE. Nothing of the probe's own code changes for the benchmark.
import { subscribe } from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";

const file = process.env.KFP_S3_PROBE_BENCH_USAGE;
let requests = 0;
subscribe("http.client.request.start", () => {
  requests += 1;
});
process.on("exit", () => {
  if (!file) return;
  const usage = process.resourceUsage();
  writeFileSync(file, JSON.stringify({ requests, maxRssKb: usage.maxRSS, cpuUs: usage.userCPUTime + usage.systemCPUTime }));
});
