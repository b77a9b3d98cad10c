// The command: flags → credentials → probe → report, with Ctrl-C, SIGTERM and the --timeout
// deadline all ending in cleanup and a report. All output goes through the redactor.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import ora, { type Ora } from "ora";
import { LAYOUTS } from "../core/layout.js";
import { countVerdicts, EXIT_CODES } from "../core/summary.js";
import type { CheckResult } from "../core/verdict.js";
import { CredentialError, type LoadedCredentials, loadCredentials } from "../credentials/load.js";
import { runProbe } from "../probe/engine.js";
import { renderJunit } from "../report/junit.js";
import { buildReport } from "../report/model.js";
import { Redactor } from "../report/redact.js";
import { findingLines, renderText } from "../report/text.js";
import { ADDRESSING_SUSPECTS, tryOtherAddressing } from "../s3/addressing.js";
import { callerArn } from "../s3/caller.js";
import { createS3Client, type StoreSettings } from "../s3/client.js";
import { isAwsEndpoint } from "../s3/providers.js";
import { SdkS3Port } from "../s3/s3-port.js";
import { toolVersion } from "../version.js";
import { type ProbeConfig, parseArgs, UsageError } from "./args.js";
import { jobCommand } from "./job-command.js";

export const EXIT_INTERNAL_ERROR = 4;

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Where SIGINT/SIGTERM come from; a test can pass its own emitter. */
  signals: NodeJS.EventEmitter;
}

/** For the first identity whose first request failed in a way the other addressing style may cure. */
async function otherAddressingNotes(
  results: CheckResult[],
  config: ProbeConfig,
  store: StoreSettings,
  loaded: LoadedCredentials[],
): Promise<string[]> {
  for (const [i, spec] of config.identities.entries()) {
    const preflight = results.find((r) => r.identity === spec.name && r.operation === "list-bucket");
    if (preflight?.observation.errorKind && ADDRESSING_SUSPECTS.has(preflight.observation.errorKind)) {
      // One identity tells it for all: the addressing is the store's, not the keys'.
      return [`${spec.name}: ${await tryOtherAddressing(store, (loaded[i] as LoadedCredentials).credentials, config.bucket)}`];
    }
  }
  return [];
}

export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(6).toString("hex")}`;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const redactor = new Redactor();
  const fail = (message: string, code: number): number => {
    io.stderr.write(redactor.redact(`kfp-s3-probe: ${message}\n`));
    return code;
  };
  try {
    if (argv[0] === "job") {
      const manifest = await jobCommand(argv.slice(1), toolVersion(), (text) => io.stdout.write(text));
      if (manifest !== null) io.stdout.write(manifest);
      return EXIT_CODES.asExpected;
    }
    const config = await parseArgs(argv, io.env);
    if (config === null) return EXIT_CODES.asExpected;

    const loaded = await Promise.all(
      config.identities.map(async (spec) => {
        try {
          return await loadCredentials({ ...spec.credentials, env: io.env, timeoutMs: config.credentialsTimeoutMs });
        } catch (error) {
          if (error instanceof CredentialError && config.identities.length > 1) throw new CredentialError(`${spec.name}: ${error.message}`);
          throw error;
        }
      }),
    );
    for (const credentials of loaded) redactor.add(...credentials.secrets);

    const runId = newRunId();
    const startedAt = new Date();
    const checks = new AbortController();
    const cleanup = new AbortController();
    let interruptedBy: string | undefined;
    const onSignal = (signal: NodeJS.Signals) => () => {
      if (interruptedBy && interruptedBy !== "deadline") {
        cleanup.abort();
        return;
      }
      interruptedBy = signal;
      io.stderr.write(`\nkfp-s3-probe: ${signal}: stopping and removing what the probe created (again to abandon the cleanup)\n`);
      checks.abort();
    };
    const onInt = onSignal("SIGINT");
    const onTerm = onSignal("SIGTERM");
    io.signals.on("SIGINT", onInt);
    io.signals.on("SIGTERM", onTerm);
    const deadline = setTimeout(() => {
      interruptedBy ??= "deadline";
      checks.abort();
    }, config.deadlineMs);
    let clients: S3Client[] = [];
    let spinner: Ora | undefined;
    // From here on, whatever happens, the timer, the handlers and the clients are released.
    try {
      const notes = [...config.notes];
      if (config.insecureSkipTlsVerify) {
        const warning =
          "TLS certificates are not verified (--insecure-skip-tls-verify): use this to diagnose only, and --ca-bundle FILE for real runs";
        io.stderr.write(`kfp-s3-probe: warning: ${warning}\n`);
        notes.push(warning);
      }
      let store: StoreSettings = {
        endpoint: config.endpoint,
        region: config.region,
        forcePathStyle: config.forcePathStyle,
        requestTimeoutMs: config.requestTimeoutMs,
        maxAttempts: 3,
        checksums: config.checksums,
        ...(config.caBundle ? { caBundle: config.caBundle } : {}),
        insecureSkipTlsVerify: config.insecureSkipTlsVerify,
      };
      clients = loaded.map((credentials) => createS3Client(store, credentials.credentials));
      if (config.regionSource === "default" && clients[0]) {
        // No region given: ask the bucket (x-amz-bucket-region, sent even to callers without rights).
        const detected = (await new SdkS3Port(clients[0], config.bucket).headBucket(AbortSignal.timeout(config.requestTimeoutMs))).bucketRegion;
        if (detected && detected !== store.region) {
          for (const client of clients) client.destroy();
          store = { ...store, region: detected };
          clients = loaded.map((credentials) => createS3Client(store, credentials.credentials));
          notes.push(`region ${detected} detected from the bucket (x-amz-bucket-region); set --region to skip the detection`);
        }
      }
      const identities = config.identities.map((spec, i) => ({
        name: spec.name,
        role: spec.role,
        port: new SdkS3Port(clients[i] as S3Client, config.bucket),
      }));
      const callers = new Map<string, string>();
      if (config.provider === "aws" || isAwsEndpoint(config.endpoint)) {
        await Promise.all(
          config.identities.map(async (spec, i) => {
            const caller = await callerArn((loaded[i] as LoadedCredentials).credentials, store.region, config.requestTimeoutMs);
            if (caller.arn) callers.set(spec.name, caller.arn);
            else notes.push(`${spec.name}: sts:GetCallerIdentity did not name the caller (${caller.problem})`);
          }),
        );
      }
      const what = identities.length === 1 ? identities[0]?.name : `${identities.length} identities`;
      if (io.stderr.isTTY && !io.env.CI) {
        spinner = ora({ text: `probing ${what}`, stream: io.stderr }).start();
      }
      const run = await runProbe(identities, {
        bucket: config.bucket,
        layout: LAYOUTS[config.layout],
        runId,
        readOnly: config.readOnly,
        strict: config.strict,
        multipart: config.multipart,
        tls: config.endpoint.startsWith("https://"),
        concurrency: config.concurrency,
        signal: checks.signal,
        cleanupSignal: cleanup.signal,
        cleanupTimeoutMs: Math.max(config.requestTimeoutMs * 2, 15_000),
        onCheckDone: (done, total) => {
          if (spinner) spinner.text = `probing ${what}: ${done}/${total} checks`;
        },
      });
      spinner?.stop();
      notes.push(...(await otherAddressingNotes(run.results, config, store, loaded)));
      const { leak, missing } = countVerdicts(run.results);
      const interruptedCode =
        interruptedBy === "SIGINT" || interruptedBy === "SIGTERM"
          ? EXIT_CODES.interrupted
          : interruptedBy === "deadline" && leak + missing === 0
            ? EXIT_CODES.unreachable
            : undefined;
      const report = buildReport(
        run,
        {
          toolVersion: toolVersion(),
          runId,
          startedAt,
          finishedAt: new Date(),
          endpoint: config.endpoint,
          bucket: config.bucket,
          region: store.region,
          notes,
          layout: config.layout,
          forcePathStyle: config.forcePathStyle,
          readOnly: config.readOnly,
          strict: config.strict,
          ...(interruptedBy ? { interruptedBy } : {}),
          identities: config.identities.map((spec, i) => ({
            name: spec.name,
            role: spec.role,
            credentialSource: loaded[i]?.sourceDescription ?? "",
            accessKeyIdHint: loaded[i]?.accessKeyIdHint ?? "",
            ...(callers.has(spec.name) ? { caller: callers.get(spec.name) } : {}),
          })),
        },
        interruptedCode,
      );
      const colour = io.stdout.isTTY === true && !io.env.NO_COLOR;
      const rendered = config.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, colour);
      io.stdout.write(redactor.redact(rendered));
      // Unattended (a Job, CI): one line per finding on stderr, for log search and alerts.
      if (!io.stderr.isTTY) for (const line of findingLines(report)) io.stderr.write(redactor.redact(`kfp-s3-probe: ${line}\n`));
      if (config.junitFile) {
        try {
          await writeFile(config.junitFile, redactor.redact(renderJunit(report)));
        } catch (error) {
          return fail(`cannot write --junit ${config.junitFile} (${(error as NodeJS.ErrnoException).code ?? "unwritable"})`, EXIT_CODES.usage);
        }
      }
      return report.exitCode;
    } finally {
      spinner?.stop();
      clearTimeout(deadline);
      io.signals.off("SIGINT", onInt);
      io.signals.off("SIGTERM", onTerm);
      for (const client of clients) client.destroy();
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof CredentialError) return fail(error.message, EXIT_CODES.usage);
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return fail(`internal error: ${message}`, EXIT_INTERNAL_ERROR);
  }
}
