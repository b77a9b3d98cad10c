// A probe run, once the settings are read: load the keys, open a session per identity, probe
// (plan, seed, check, clean up), judge, report. Loaded by main only when a run starts, so that
// --help, --version and usage errors never load the AWS SDK.
import { createHash, randomBytes } from "node:crypto";
import ora, { type Ora } from "ora";
import { storeFailures } from "../../core/diagnoses.js";
import { EXIT_CODES } from "../../core/exit-codes.js";
import { defaultLauncherSession } from "../../core/launcher.js";
import { disagreements } from "../../core/policy/compare.js";
import { policySubjects } from "../../core/witness.js";
import type { StsRequest } from "../../credentials/sts-watch.js";
import { type ProbeIdentity, type ProbeOptions, type ProbeRun, runProbe } from "../../probe/engine.js";
import { versionWarning } from "../../report/bucket-words.js";
import { storeFailureLines } from "../../report/diagnosis-words.js";
import { buildReport, type Report, type ReportContext } from "../../report/model.js";
import type { Redactor } from "../../report/redact.js";
import { findingLog } from "../../report/text.js";
import { RequestMeter, type SentRequest } from "../../s3/request-meter.js";
import { toolVersion } from "../../version.js";
import type { CommandContext } from "../commands/command.js";
import { colourOn, writeReport } from "../commands/report-output.js";
import type { Io } from "../io.js";
import type { OutputConfig, ProbeConfig, StoreConfig } from "../settings/config.js";
import { RunInterrupts } from "./interrupts.js";
import { loadPolicyReader, type PoliciesInHand, policiesFromStore, policiesIn } from "./policies.js";
import { type PressureWatch, watchPressure } from "./pressure.js";
import {
  type AddressingTried,
  closeSessions,
  type LoadedIdentity,
  loadIdentities,
  openSessions,
  otherAddressingTried,
  probers,
  type Sessions,
} from "./sessions.js";

export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(6).toString("hex")}`;
}

/** --debug: every setting and where it came from, on stderr. */
function writeSettings(io: Io, settings: ProbeConfig["settings"]): void {
  for (const [field, { value, source }] of Object.entries(settings)) {
    const shown = field === "ca-bundle" || Array.isArray(value) ? String(value) : JSON.stringify(value);
    io.stderr.write(`kfp-s3-probe: debug: setting ${field} = ${shown} (from ${source})\n`);
  }
}

function tlsWarnings(store: StoreConfig, io: Io): string[] {
  if (!store.insecureSkipTlsVerify) return [];
  const warning = "TLS certificates are not verified (--insecure-skip-tls-verify): use this to diagnose only, and --ca-bundle FILE for real runs";
  io.stderr.write(`kfp-s3-probe: warning: ${warning}\n`);
  return [warning];
}

function probedWhat(identities: { name: string }[]): string {
  return identities.length === 1 ? (identities[0]?.name ?? "") : `${identities.length} identities`;
}

/** A spinner only for a person at a terminal that can draw one (not dumb, not 0 columns). */
function startSpinner(io: Io, identities: ProbeIdentity[], color: boolean): Ora | undefined {
  if (!io.stderr.isTTY || io.env.CI || io.env.TERM === "dumb" || !(io.stderr.columns > 0)) return undefined;
  // discardStdin: ora would otherwise take stdin, and Ctrl-C with it. No colour with NO_COLOR or --no-color.
  const plain = colourOn(io, color, "stderr") ? {} : { color: false as const };
  return ora({ text: `probing ${probedWhat(identities)}`, stream: io.stderr, discardStdin: false, ...plain }).start();
}

/** --debug: every request on the wire as it is answered (who, operation, method, path, attempt, status, time), redacted. */
function requestLogger(io: Io, redactor: Redactor): (request: SentRequest) => void {
  return ({ who, operation, method, path, attempt, status, errorName, systemCode, durationMs }) => {
    const answer = `${status ?? "no answer"}${errorName ? ` ${errorName}` : ""}${systemCode ? ` ${systemCode}` : ""}`;
    const retry = attempt > 1 ? ` (attempt ${attempt})` : "";
    io.stderr.write(redactor.redact(`kfp-s3-probe: debug: ${who} ${operation} ${method} ${path}${retry} → ${answer} (${durationMs} ms)\n`));
  };
}

/** --debug: each request a credential chain sends to STS, as the store's are printed (its URL, never its body: the token). */
function stsLogger(io: Io, redactor: Redactor): (who: string, request: StsRequest) => void {
  const log = requestLogger(io, redactor);
  return (who, request) => log({ who, ...request });
}

/** The engine's options: its settings whole, the run's id and the signals. */
export function probeOptionsOf(
  config: Pick<ProbeConfig, "probe">,
  runId: string,
  signals: Pick<ProbeOptions, "signal" | "cleanupSignal">,
): ProbeOptions {
  return { ...config.probe, ...signals, runId };
}

/**
 * For a Job or CI, a line per finding on stderr; then the report on stdout in the chosen format;
 * --junit and --sarif to their files. A run the store failed before it decided anything says why in
 * one line on stderr instead: in place of the text report (which --debug still prints) and of the
 * finding lines beside JSON or SARIF. The stderr lines come first, so that in a pod's log (both
 * streams in one) the report is the last line: what `kubectl logs --tail=1` shows, and where
 * nothing is written into the middle of it.
 */
async function writeReports(report: Report, output: OutputConfig, io: Io, redactor: Redactor, failureLines: string[]): Promise<number> {
  const short = failureLines.length > 0;
  if (short) io.stderr.write(redactor.redact(failureLines.map((line) => `kfp-s3-probe: ${line}\n`).join("")));
  // Unattended with JSON on stdout: a line per finding on stderr for log search (text already says each once).
  else if (!io.stderr.isTTY && output.output !== "text") io.stderr.write(redactor.redact(findingLog(report)));
  await writeReport(report, { ...output, stdout: !short || output.output !== "text" || output.debug }, io, (text) => redactor.redact(text));
  return report.exitCode;
}

/** Why the store failed the run, one line each: only where that is all the run found (exit 3: no LEAK, no MISSING, nothing left). */
function failureLinesOf(report: Report, run: ProbeRun, config: ProbeConfig, sessions: Sessions, addressing: AddressingTried | undefined): string[] {
  if (report.exitCode !== EXIT_CODES.unreachable || report.interruptedBy !== null) return [];
  const failures = storeFailures(run.results, probers(sessions));
  const { store } = config;
  return storeFailureLines(failures, {
    endpoint: store.endpoint,
    bucket: store.bucket,
    forcePathStyle: store.forcePathStyle,
    requestTimeoutMs: store.requestTimeoutMs,
    identities: report.identities,
    ...(addressing ? { otherAddressing: addressing.tried } : {}),
    credentialFailures: new Map(sessions.signed.flatMap(({ name, keys }) => ("failure" in keys ? [[name, keys.failure] as const] : []))),
  });
}

/** Tells keys apart without carrying them: the same access key id gives the same fingerprint. */
function keyFingerprint(keys: LoadedIdentity["keys"]): string | undefined {
  const id = "credentials" in keys ? keys.credentials.accessKeyId : undefined;
  return id ? createHash("sha256").update(id).digest("hex").slice(0, 16) : undefined;
}

function reportIdentities(sessions: Sessions): ReportContext["identities"] {
  const signed = sessions.signed.map(({ name, role, keys, caller }) => {
    const fingerprint = keyFingerprint(keys);
    return {
      name,
      role,
      credentialSource: keys.sourceDescription,
      accessKeyIdHint: keys.accessKeyIdHint,
      ...(fingerprint ? { keyFingerprint: fingerprint } : {}),
      ...(caller ? { caller } : {}),
    };
  });
  const anonymous = sessions.anonymous
    ? [{ name: sessions.anonymous.name, role: { kind: "anonymous" as const }, credentialSource: "none: unsigned requests", accessKeyIdHint: "" }]
    : [];
  return [...signed, ...anonymous];
}

/** The policies in hand as the report names them: the signed identities' sources, the bucket's (the anonymous caller's file), where the store disagreed. */
function reportedPolicies(inHand: PoliciesInHand, sessions: Sessions, run: ProbeRun, bucket: string): NonNullable<ReportContext["policies"]> {
  const anonymous = sessions.anonymous?.name ?? "anonymous";
  const roles = new Map(probers(sessions).map((identity) => [identity.name, identity.role]));
  const bucketSource = inHand.sources.get(anonymous);
  return {
    sources: new Map([...inHand.sources].filter(([name]) => name !== anonymous)),
    ...(bucketSource ? { bucketSource } : {}),
    disagreements: disagreements(run.results, inHand.documents, roles, bucket),
  };
}

/** Read and parsed before anything is sent: a bad policy file is a usage error, not a half run. */
function policiesOf(config: ProbeConfig): PoliciesInHand | undefined {
  const { policyDir } = config.run;
  const anonymous = { name: "anonymous", role: { kind: "anonymous" as const } };
  return policyDir ? policiesIn(policyDir, config.store.bucket, [...config.identities, anonymous]) : undefined;
}

/** The settings as the run used them: a region the bucket named is reported as detected. */
function settingsUsed(config: ProbeConfig, sessions: Sessions): ProbeConfig["settings"] {
  const region = sessions.detectedRegion;
  return region ? { ...config.settings, region: { value: region, source: "detected" } } : config.settings;
}

/** What the report says of the run besides its checks. */
interface RunFacts {
  runId: string;
  startedAt: Date;
  notes: string[];
  interruptedBy: string | undefined;
  meter: RequestMeter;
  /** The credential chains' requests to STS, before the run (they go through no S3 client's meter). */
  stsRequests: number;
  policies: PoliciesInHand | undefined;
}

/** The report's groups, built once: the run's facts, the store as used, the run's and the output's settings whole. */
function reportOf(config: ProbeConfig, sessions: Sessions, run: ProbeRun, facts: RunFacts): Report {
  const { policies, interruptedBy, meter } = facts;
  return buildReport(run, {
    run: {
      toolVersion: toolVersion(),
      runId: facts.runId,
      startedAt: facts.startedAt,
      finishedAt: new Date(),
      notes: facts.notes,
      requests: { sent: meter.sent, retries: meter.retries, ...(facts.stsRequests > 0 ? { sts: facts.stsRequests } : {}) },
      ...(interruptedBy ? { interruptedBy } : {}),
    },
    store: { ...config.store, region: sessions.store.region },
    options: config.run,
    output: config.output,
    settings: settingsUsed(config, sessions),
    identities: reportIdentities(sessions),
    ...(policies ? { policies: reportedPolicies(policies, sessions, run, config.store.bucket) } : {}),
  });
}

/** KFP's components of --kfp-version, with each profile's launcher session from --launcher-config (read before anything is sent). */
async function componentsOf(config: ProbeConfig): Promise<Pick<ProbeOptions, "components">> {
  const { run, store } = config;
  const { layout } = config.probe;
  const launcher = run.launcherConfig
    ? (await import("../../k8s/launcher-config.js")).readLauncherConfig(run.launcherConfig, run.kfpVersion)
    : (profile: string) => defaultLauncherSession(layout, profile);
  const probe = { endpoint: store.endpoint, forcePathStyle: store.forcePathStyle };
  return { components: { release: run.kfpVersion, probe, launcher } };
}

/** --policy-dir: each identity's policies (and the bucket's) in the run, whose witnesses are tried live. */
function policiesInRun(policies: RunFacts["policies"], sessions: Sessions): Pick<ProbeOptions, "policies"> {
  return policies ? { policies: policySubjects(policies.documents, probers(sessions), sessions.anonymous?.name ?? "anonymous") } : {};
}

/** Before the checks write more than the first object: a bucket whose versions the run cannot remove is said so. */
function bucketWarning(io: Io): Pick<ProbeOptions, "onBucketKnown"> {
  return {
    onBucketKnown: (bucket) => {
      const warning = versionWarning(bucket);
      if (warning) io.stderr.write(`kfp-s3-probe: warning: ${warning}\n`);
    },
  };
}

/** The spinner and the pressure watch told of each check done. */
function progressOf(
  pressure: PressureWatch,
  spinner: Ora | undefined,
  identities: { name: string }[],
): Pick<ProbeOptions, "onLimiter" | "onCheckDone"> {
  return {
    onLimiter: (limiter) => pressure.attach(limiter),
    onCheckDone: (done, total) => {
      pressure.progress(done, total);
      if (spinner) spinner.text = `probing ${probedWhat(identities)}: ${done}/${total} checks`;
    },
  };
}

async function probeAndReport(config: ProbeConfig, loaded: LoadedIdentity[], io: Io, redactor: Redactor, stsRequests: number): Promise<number> {
  const facts: RunFacts = {
    stsRequests,
    runId: newRunId(),
    startedAt: new Date(),
    notes: [],
    interruptedBy: undefined,
    meter: new RequestMeter(),
    policies: policiesOf(config),
  };
  const components = await componentsOf(config);
  const reader = await loadPolicyReader(config, io, redactor);
  const interrupts = new RunInterrupts(io, config.run.deadlineMs);
  const pressure = watchPressure({ deadlineMs: config.run.deadlineMs });
  if (config.output.debug) facts.meter = new RequestMeter(requestLogger(io, redactor));
  let sessions: Sessions | undefined;
  let spinner: Ora | undefined;
  // From here on, whatever happens, the timer, the handlers and the clients are released.
  try {
    facts.notes.push(...config.store.notes, ...tlsWarnings(config.store, io));
    const signals = { signal: interrupts.checks.signal, cleanupSignal: interrupts.cleanup.signal };
    sessions = await openSessions(config.store, loaded, { anonymous: config.run.anonymous, signal: signals.signal, meter: facts.meter }, facts.notes);
    if (reader) facts.policies = await policiesFromStore(config, sessions, reader, io, signals.signal);
    facts.notes.push(...(facts.policies?.problems ?? []));
    spinner = startSpinner(io, probers(sessions), config.output.color);
    const options = {
      ...probeOptionsOf(config, facts.runId, signals),
      ...progressOf(pressure, spinner, config.identities),
      ...bucketWarning(io),
      ...policiesInRun(facts.policies, sessions),
      ...components,
    };
    const run = await runProbe(probers(sessions), options);
    spinner?.stop();
    const addressing = await otherAddressingTried(run.results, sessions, config.store.bucket);
    facts.notes.push(...pressure.stop(), ...(addressing ? [addressing.note] : []));
    facts.interruptedBy = interrupts.interruptedBy;
    const report = reportOf(config, sessions, run, facts);
    return await writeReports(report, config.output, io, redactor, failureLinesOf(report, run, config, sessions, addressing));
  } finally {
    spinner?.stop();
    pressure.stop();
    interrupts.release();
    closeSessions(sessions);
  }
}

/** The keys loaded (their secrets given to the redactor), then the run, unless a signal came first. */
export async function probeRun(config: ProbeConfig, { io, redactor, earlySignal }: CommandContext): Promise<number> {
  if (config.output.debug) writeSettings(io, config.settings);
  const stsLog = config.output.debug ? stsLogger(io, redactor) : undefined;
  let stsRequests = 0;
  const onStsRequest = (who: string, request: StsRequest) => {
    stsRequests++;
    stsLog?.(who, request);
  };
  const loaded = await loadIdentities(config.identities, io.env, config.run.credentialsTimeoutMs, onStsRequest);
  for (const { keys } of loaded) redactor.add(...keys.secrets);
  const early = earlySignal();
  if (early) {
    io.stderr.write(`kfp-s3-probe: ${early}: stopped before anything was sent\n`);
    return EXIT_CODES.interrupted;
  }
  return probeAndReport(config, loaded, io, redactor, stsRequests);
}
