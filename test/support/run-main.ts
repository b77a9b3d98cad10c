// The CLI's main() in-process, as a user's shell would see it: its exit code and what it wrote on
// stdout and stderr, with an environment of the test's choosing and signals of its own.
import { EventEmitter } from "node:events";
import { PassThrough, Readable } from "node:stream";
import { main } from "../../src/cli/main.js";

/** `stdin`: what is piped in (`merge -`); without it the command has no standard input. */
export async function runMain(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const io = {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env,
    signals: new EventEmitter(),
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout: out, stderr: err };
}
