// The waves of a run against a real store (see testkit/waves.ts): the CLI's own settings and
// sessions, each request's send and answer times taken at the port, then the longest chain of
// requests each sent after the one before it was answered.
//   node dist/bench/waves-rgw.js [--list] -- <run flags, as for kfp-s3-probe>

import { newRunId, probeOptionsOf } from "../src/cli/run/probe.js";
import { closeSessions, loadIdentities, openSessions, probers } from "../src/cli/run/sessions.js";
import { parseArgs } from "../src/cli/settings/resolve.js";
import { runProbe } from "../src/probe/engine.js";
import { longestChain, type Span, timed } from "../testkit/waves.js";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const split = argv.indexOf("--");
  const config = await parseArgs(split >= 0 ? argv.slice(split + 1) : argv, process.env);
  if (!config) return;
  const loaded = await loadIdentities(config.identities, process.env, config.run.credentialsTimeoutMs);
  const signal = AbortSignal.timeout(config.run.deadlineMs);
  const sessions = await openSessions(config.store, loaded, { anonymous: config.run.anonymous, signal }, []);
  const spans: Span[] = [];
  const identities = probers(sessions).map((i) => ({ ...i, port: timed(i.name, i.port, spans) }));
  const started = performance.now();
  try {
    const run = await runProbe(identities, probeOptionsOf(config, newRunId(), { signal }));
    const ms = Math.round(performance.now() - started);
    console.log(`${spans.length} requests in ${longestChain(spans)} waves, ${ms} ms; ${run.cleanup.leftovers.length} left`);
  } finally {
    closeSessions(sessions);
  }
  if (!argv.slice(0, Math.max(0, split)).includes("--list")) return;
  const t0 = Math.min(...spans.map((s) => s.start));
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    console.log(`${(s.start - t0).toFixed(1).padStart(8)} ${(s.end - t0).toFixed(1).padStart(8)}  ${s.identity} ${s.method} ${s.subject}`);
  }
}

await main();
