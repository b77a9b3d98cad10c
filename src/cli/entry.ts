// The command's entry point: bin/kfp-s3-probe for a checkout, dist/bundle/kfp-s3-probe.mjs bundled.
// The Node.js floor first: on an older Node, one line and exit 2 before anything else runs.
import "./start/node-gate.js";
import { enableCompileCache } from "./start/compile-cache.js";
import { quickAnswer, writeAnswer } from "./start/quick.js";

// Ctrl-C or SIGTERM while the modules load: nothing was sent yet, so the process ends at once. From
// the first line on: the cache and the modules below take a while on a busy machine.
const endAtOnce = (): void => process.exit(130);
process.on("SIGINT", endAtOnce);
process.on("SIGTERM", endAtOnce);
// A bare --help or --version: answered before the parser and the SDK load.
const quick = await quickAnswer(process.argv.slice(2));
if (quick !== undefined) {
  await writeAnswer(quick);
  process.exit(0);
}
// Before the parser, the SDK and the engine are compiled: from the second run on, their bytecode is read
// instead (a bare --help above loads too little to gain from it).
await enableCompileCache(process.env);
const { main } = await import("./main.js");
process.off("SIGINT", endAtOnce);
process.off("SIGTERM", endAtOnce);

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: process,
  // Made only when a command reads it (merge -): the stream would otherwise hold a pipe open.
  get stdin() {
    return process.stdin;
  },
});
// Exit once the output is written: a request the run stopped waiting for (cut by its bound) must not
// hold the process until the SDK gives up on it.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
