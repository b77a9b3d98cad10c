// A probe run, once the settings are read: load the keys, open a session per identity, probe
// (plan, seed, check, clean up), judge, report. Loaded by main only when a run starts, so that
// --help, --version and usage errors never load the AWS SDK.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ora, { type Ora } from "ora";
import { EXIT_CODES } from "../../core/exit-codes.js";
import { LAYOUTS } from "../../core/layout.js";
import type { Role } from "../../core/plan.js";
import { disagreements } from "../../core/policy/compare.js";
import { fillTemplate, type PolicyDocument, parsePolicy } from "../../core/policy/document.js";
import { UsageError } from "../../core/usage-error.js";
import { policySubjects } from "../../core/witness.js";
import type { LoadedCredentials } from "../../credentials/load.js";
import { type ProbeIdentity, type ProbeOptions, runProbe } from "../../probe/engine.js";
import { findingLog } from "../../report/formats.js";
import { buildReport, type Report, type ReportContext } from "../../report/model.js";
import type { Redactor } from "../../report/redact.js";
import { RequestMeter, type SentRequest } from "../../s3/request-meter.js";
import { toolVersion } from "../../version.js";
import type { CommandContext } from "../commands/command.js";
import { writeReport } from "../commands/report-output.js";
import type { Io } from "../io.js";
import type { ProbeConfig } from "../settings/resolve.js";
import { RunInterrupts } from "./interrupts.js";
import { type PressureWatch, watchPressure } from "./pressure.js";
import { closeSessions, loadIdentities, openSessions, otherAddressingNotes, type Sessions } from "./sessions.js";

export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(6).toString("hex")}`;
}

/** --debug: every setting and where it came from, on stderr. */
function writeSettings(io: Io, config: ProbeConfig): void {
  for (const [field, { value, source }] of Object.entries(config.settings)) {
    const shown = field === "ca-bundle" || Array.isArray(value) ? String(value) : JSON.stringify(value);
    io.stderr.write(`kfp-s3-probe: debug: setting ${field} = ${shown} (from ${source})\n`);
  }
}

function tlsWarnings(config: ProbeConfig, io: Io): string[] {
  if (!config.insecureSkipTlsVerify) return [];
  const warning = "TLS certificates are not verified (--insecure-skip-tls-verify): use this to diagnose only, and --ca-bundle FILE for real runs";
  io.stderr.write(`kfp-s3-probe: warning: ${warning}\n`);
  return [warning];
}

function probedWhat(identities: { name: string }[]): string {
  return identities.length === 1 ? (identities[0]?.name ?? "") : `${identities.length} identities`;
}

/** A spinner only for a person at a terminal that can draw one (not dumb, not 0 columns). */
function startSpinner(io: Io, identities: ProbeIdentity[]): Ora | undefined {
  if (!io.stderr.isTTY || io.env.CI || io.env.TERM === "dumb" || !(io.stderr.columns > 0)) return undefined;
  // discardStdin: ora would otherwise take stdin, and Ctrl-C with it.
  return ora({ text: `probing ${probedWhat(identities)}`, stream: io.stderr, discardStdin: false }).start();
}

/** --debug: every request on the wire as it is answered (who, operation, method, path, attempt, status, time), redacted. */
function requestLogger(io: Io, redactor: Redactor): (request: SentRequest) => void {
  return ({ who, operation, method, path, attempt, status, errorName, systemCode, durationMs }) => {
    const answer = `${status ?? "no answer"}${errorName ? ` ${errorName}` : ""}${systemCode ? ` ${systemCode}` : ""}`;
    const retry = attempt > 1 ? ` (attempt ${attempt})` : "";
    io.stderr.write(redactor.redact(`kfp-s3-probe: debug: ${who} ${operation} ${method} ${path}${retry} → ${answer} (${durationMs} ms)\n`));
  };
}

function probeOptions(
  config: ProbeConfig,
  runId: string,
  interrupts: RunInterrupts,
  spinner: Ora | undefined,
  pressure: PressureWatch,
): ProbeOptions {
  return {
    bucket: config.bucket,
    layout: LAYOUTS[config.layout],
    runId,
    readOnly: config.readOnly,
    strict: config.strict,
    matrix: config.matrix,
    ...(config.shard ? { shard: config.shard } : {}),
    multipart: config.multipart,
    tls: config.endpoint.startsWith("https://"),
    concurrency: config.concurrency,
    signal: interrupts.checks.signal,
    cleanupSignal: interrupts.cleanup.signal,
    cleanupTimeoutMs: Math.max(config.requestTimeoutMs * 2, 15_000),
    requestTimeoutMs: config.requestTimeoutMs,
    namedProfiles: config.namedProfiles,
    maxProfiles: config.maxProfiles,
    discover: config.discover,
    onLimiter: (limiter) => pressure.attach(limiter),
    onCheckDone: (done, total) => {
      pressure.progress(done, total);
      if (spinner) spinner.text = `probing ${probedWhat(config.identities)}: ${done}/${total} checks`;
    },
  };
}

/** The report on stdout in the chosen format; for a Job or CI, a line per finding on stderr; --junit and --sarif to their files. */
async function writeReports(report: Report, config: ProbeConfig, io: Io, redactor: Redactor): Promise<number> {
  const outputs = { output: config.output, junit: config.junitFile, sarif: config.sarifFile, view: config.view };
  await writeReport(report, outputs, io, (text) => redactor.redact(text));
  // Unattended with JSON on stdout: a line per finding on stderr for log search (text already says each once).
  if (!io.stderr.isTTY && config.output !== "text") io.stderr.write(redactor.redact(findingLog(report)));
  return report.exitCode;
}

/** Tells keys apart without carrying them: the same access key id gives the same fingerprint. */
function keyFingerprint(credentials: LoadedCredentials | undefined): string | undefined {
  const id = credentials?.credentials.accessKeyId;
  return id ? createHash("sha256").update(id).digest("hex").slice(0, 16) : undefined;
}

function reportIdentities(config: ProbeConfig, loaded: LoadedCredentials[], sessions: Sessions): ReportContext["identities"] {
  const signed = config.identities.map((spec, i) => {
    const fingerprint = keyFingerprint(loaded[i]);
    return {
      name: spec.name,
      role: spec.role,
      credentialSource: loaded[i]?.sourceDescription ?? "",
      accessKeyIdHint: loaded[i]?.accessKeyIdHint ?? "",
      ...(fingerprint ? { keyFingerprint: fingerprint } : {}),
      ...(sessions.callers.has(spec.name) ? { caller: sessions.callers.get(spec.name) } : {}),
    };
  });
  const anonymous = sessions.anonymous
    ? [{ name: sessions.anonymous, role: { kind: "anonymous" as const }, credentialSource: "none: unsigned requests", accessKeyIdHint: "" }]
    : [];
  return [...signed, ...anonymous];
}

interface PoliciesInHand {
  documents: Map<string, PolicyDocument[]>;
  /** Where each identity's came from; the anonymous caller's is the bucket's policy. */
  sources: Map<string, string>;
}

/** --policy-dir: NAME.json for each identity that has one (anonymous.json: the bucket's policy); deployKF's placeholders filled in. */
function policiesIn(dir: string, bucket: string, identities: { name: string; role: Role }[]): PoliciesInHand {
  const inHand: PoliciesInHand = { documents: new Map(), sources: new Map() };
  for (const { name, role } of identities) {
    const file = join(dir, `${name}.json`);
    if (!existsSync(file)) continue;
    const text = fillTemplate(readFileSync(file, "utf8"), bucket, role.kind === "profile" ? role.profile : "");
    inHand.documents.set(name, [parsePolicy(text, `--policy-dir ${file}`)]);
    inHand.sources.set(name, `--policy-dir ${file}`);
  }
  const names = identities.map((i) => i.name).join(", ");
  if (inHand.documents.size === 0) throw new UsageError(`--policy-dir ${dir}: no NAME.json for any identity of the run (${names})`);
  return inHand;
}

/** The report's policy sources: the signed identities', and the bucket's (the anonymous caller's file). */
function sourcesOf(inHand: PoliciesInHand | undefined, anonymous: string): Pick<ReportContext, "policySources" | "bucketPolicySource"> {
  if (!inHand) return {};
  const policySources = new Map([...inHand.sources].filter(([name]) => name !== anonymous));
  const bucketPolicySource = inHand.sources.get(anonymous);
  return { policySources, ...(bucketPolicySource ? { bucketPolicySource } : {}) };
}

function rolesOf(identities: ProbeIdentity[]): Map<string, Role> {
  return new Map(identities.map((identity) => [identity.name, identity.role]));
}

async function probeAndReport(config: ProbeConfig, loaded: LoadedCredentials[], io: Io, redactor: Redactor): Promise<number> {
  const runId = newRunId();
  const startedAt = new Date();
  // Read and parsed before anything is sent: a bad policy file is a usage error, not a half run.
  const policies = config.policyDir
    ? policiesIn(config.policyDir, config.bucket, [...config.identities, { name: "anonymous", role: { kind: "anonymous" } }])
    : undefined;
  const interrupts = new RunInterrupts(io, config.deadlineMs);
  const pressure = watchPressure({ deadlineMs: config.deadlineMs });
  const meter = new RequestMeter(config.debug ? requestLogger(io, redactor) : undefined);
  let sessions: Sessions | undefined;
  let spinner: Ora | undefined;
  // From here on, whatever happens, the timer, the handlers and the clients are released.
  try {
    const notes = [...config.notes, ...tlsWarnings(config, io)];
    sessions = await openSessions(config, loaded, notes, interrupts.checks.signal, meter);
    spinner = startSpinner(io, sessions.identities);
    const anonymous = sessions.anonymous ?? "anonymous";
    const subjects = policies ? policySubjects(policies.documents, sessions.identities, anonymous) : undefined;
    const options = probeOptions(config, runId, interrupts, spinner, pressure);
    const run = await runProbe(sessions.identities, subjects ? { ...options, policies: subjects } : options);
    spinner?.stop();
    notes.push(...pressure.stop(), ...(await otherAddressingNotes(run.results, config, sessions.store, loaded)));
    const report = buildReport(run, {
      toolVersion: toolVersion(),
      runId,
      startedAt,
      finishedAt: new Date(),
      endpoint: config.endpoint,
      bucket: config.bucket,
      region: sessions.store.region,
      notes,
      layout: config.layout,
      forcePathStyle: config.forcePathStyle,
      readOnly: config.readOnly,
      strict: config.strict,
      matrix: config.matrix,
      ...(config.shard ? { shard: config.shard } : {}),
      settings: config.settings,
      ...(interrupts.interruptedBy ? { interruptedBy: interrupts.interruptedBy } : {}),
      identities: reportIdentities(config, loaded, sessions),
      requests: { sent: meter.sent, retries: meter.retries },
      ...(policies ? { disagreements: disagreements(run.results, policies.documents, rolesOf(sessions.identities), config.bucket) } : {}),
      ...sourcesOf(policies, anonymous),
    });
    return await writeReports(report, config, io, redactor);
  } finally {
    spinner?.stop();
    pressure.stop();
    interrupts.release();
    closeSessions(sessions);
  }
}

/** The keys loaded (their secrets given to the redactor), then the run, unless a signal came first. */
export async function probeRun(config: ProbeConfig, { io, redactor, earlySignal }: CommandContext): Promise<number> {
  if (config.debug) writeSettings(io, config);
  const loaded = await loadIdentities(config, io.env);
  for (const credentials of loaded) redactor.add(...credentials.secrets);
  const early = earlySignal();
  if (early) {
    io.stderr.write(`kfp-s3-probe: ${early}: stopped before anything was sent\n`);
    return EXIT_CODES.interrupted;
  }
  return probeAndReport(config, loaded, io, redactor);
}
