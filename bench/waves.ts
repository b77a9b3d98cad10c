// How many waves a run makes (see testkit/waves.ts): the backend and P profiles under the
// reference policies, on the in-memory store. `node dist/bench/waves.js [P] [--concurrency N] [--list]`
// prints the count, and with --list each wave's requests.
import { type HeldRequest, wavesOf } from "../testkit/waves.js";

/** One line per wave: how many requests, and of which kinds. */
function describeWave(wave: HeldRequest[], index: number): string {
  const kinds = new Map<string, number>();
  for (const r of wave) kinds.set(r.method, (kinds.get(r.method) ?? 0) + 1);
  const summary = [...kinds].map(([method, n]) => `${method}×${n}`).join(" ");
  return `wave ${String(index + 1).padStart(2)}: ${String(wave.length).padStart(3)} requests  ${summary}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf("--concurrency");
  const concurrency = at >= 0 ? Number(args[at + 1]) : 32;
  const count = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--concurrency") ?? 2);
  const clock = await wavesOf(
    Array.from({ length: count }, (_, i) => `team-${i + 1}`),
    concurrency,
  );
  console.log(`backend + ${count} profile(s), concurrency ${concurrency}: ${clock.requests.length} requests in ${clock.waves} waves`);
  if (!args.includes("--list")) return;
  for (const [index, wave] of clock.byWave().entries()) {
    console.log(describeWave(wave, index));
    if (args.includes("--verbose")) for (const r of wave) console.log(`           ${r.identity} ${r.method} ${r.subject}`);
  }
}

await main();
