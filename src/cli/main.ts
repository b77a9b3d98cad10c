// The command, as phases wired together: resolve settings → load identities → open a session per
// identity → probe (plan, seed, check, clean up) → judge → report → exit code. Ctrl-C, SIGTERM and
// the --timeout deadline all end in cleanup and a report. All output goes through the redactor.
// Only what reading the command line needs is loaded here; a run, sweep, job and merge load their
// modules (and the AWS SDK) when they start, so --help, --version and usage errors stay fast.
import { EXIT_CODES, exitCodeFor } from "../core/exit-codes.js";
import { UsageError, withoutSecrets } from "../core/usage-error.js";
import { CredentialError } from "../credentials/load.js";
import { Redactor } from "../report/redact.js";
import { toolVersion } from "../version.js";
import type { Io } from "./io.js";
import { parseArgs } from "./settings/resolve.js";

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
    if (argv[0] === "sweep") return await (await import("./commands/sweep.js")).sweepCommand(argv.slice(1), io, redactor);
    if (argv[0] === "merge") return await (await import("./commands/merge.js")).mergeCommand(argv.slice(1), io);
    if (argv[0] === "policy") return await (await import("./commands/policy.js")).policyCommand(argv.slice(1), io);
    if (argv[0] === "check-policy") return await (await import("./commands/check-policy.js")).checkPolicyCommand(argv.slice(1), io);
    if (argv[0] === "job") {
      const { jobCommand } = await import("./commands/job.js");
      const manifest = await jobCommand(argv.slice(1), toolVersion(), (text) => io.stdout.write(text));
      if (manifest !== null) io.stdout.write(manifest);
      return EXIT_CODES.asExpected;
    }
    const config = await parseArgs(argv, io.env);
    if (config === null) return EXIT_CODES.asExpected;
    const { writeSettings, loadIdentities, probeAndReport } = await import("./run/probe.js");
    if (config.debug) writeSettings(io, config);
    const loaded = await loadIdentities(config, io.env);
    for (const credentials of loaded) redactor.add(...credentials.secrets);
    if (early) {
      io.stderr.write(`kfp-s3-probe: ${early}: stopped before anything was sent\n`);
      return EXIT_CODES.interrupted;
    }
    return await probeAndReport(config, loaded, io, redactor);
  } catch (error) {
    return failure(error, io, redactor);
  } finally {
    io.signals.off("SIGINT", earlyInt);
    io.signals.off("SIGTERM", earlyTerm);
  }
}
