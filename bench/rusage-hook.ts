// Loaded with `node --import` into the probe the benchmark runs: counts the HTTP requests the
// process sends and the sequential waves they went out in (a wave starts when a request is sent
// while none is in flight), and at exit writes them with its CPU time and peak memory to the file
// named by KFP_S3_PROBE_BENCH_USAGE. Nothing of the probe's own code changes for the benchmark.
import { subscribe } from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";

const file = process.env.KFP_S3_PROBE_BENCH_USAGE;
let requests = 0;
let waves = 0;
let inFlight = 0;
subscribe("http.client.request.start", () => {
  requests += 1;
  if (inFlight === 0) waves += 1;
  inFlight += 1;
});
const settled = () => {
  inFlight = Math.max(0, inFlight - 1);
};
subscribe("http.client.response.finish", settled);
subscribe("http.client.request.error", settled);
process.on("exit", () => {
  if (!file) return;
  const usage = process.resourceUsage();
  writeFileSync(file, JSON.stringify({ requests, waves, maxRssKb: usage.maxRSS, cpuUs: usage.userCPUTime + usage.systemCPUTime }));
});
