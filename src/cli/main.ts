// The command line to a command and its exit code: --version, which command (../commands.ts), its
// steps (commands/command.ts), and any error as one line. A signal that comes before a run starts
// ends it before anything is sent. All output goes through the redactor.
// Which command runs is decided here (../commands.ts), and each loads its module when it starts
// (a run the AWS SDK), so --help, --version and usage errors stay fast.
import { EXIT_CODES, exitCodeFor } from "../core/exit-codes.js";
import { UsageError, withoutSecrets } from "../core/usage-error.js";
import { CredentialError } from "../credentials/load.js";
import { Redactor } from "../report/redact.js";
import { toolVersion } from "../version.js";
import { COMMANDS, RUN_COMMAND, toolCommands } from "./commands.js";
import type { Io } from "./io.js";

export type { Io } from "./io.js";

/** A run that could not start or finish: one line on stderr, and the exit code for it. */
function failure(error: unknown, io: Io, redactor: Redactor): number {
  const usage = error instanceof UsageError || error instanceof CredentialError;
  const message = usage ? error.message : `internal error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  // One line, and nothing of the input that looks like a key: the field is named, not its content.
  io.stderr.write(redactor.redact(`kfp-s3-probe: ${withoutSecrets(message.replace(/\s*\n\s*/g, " "))}\n`));
  return exitCodeFor([], { kind: usage ? "usage-error" : "internal-error" });
}

export async function main(argv: string[], io: Io): Promise<number> {
  const redactor = new Redactor();
  // A signal before the run starts (while settings and keys load): nothing is sent, the run does not start.
  let early: string | undefined;
  const onEarly = (signal: string) => () => {
    early ??= signal;
  };
  const earlyInt = onEarly("SIGINT");
  const earlyTerm = onEarly("SIGTERM");
  io.signals.on("SIGINT", earlyInt);
  io.signals.on("SIGTERM", earlyTerm);
  try {
    if (argv.includes("--version") || argv[0] === "version") {
      io.stdout.write(`kfp-s3-probe ${toolVersion()}\n`);
      return EXIT_CODES.asExpected;
    }
    const named = COMMANDS.find((row) => row.name === argv[0]);
    const { command } = await (named ? named.load() : RUN_COMMAND());
    const context = { io, redactor, earlySignal: () => early, commands: toolCommands() };
    return await command.execute(named ? argv.slice(1) : argv, context);
  } catch (error) {
    return failure(error, io, redactor);
  } finally {
    io.signals.off("SIGINT", earlyInt);
    io.signals.off("SIGTERM", earlyTerm);
  }
}
