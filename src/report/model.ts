// The report as data: what the JSON output carries (schema: docs/report-schema.md) and what the
// terminal view renders.

import { type Assurance, assessAssurance } from "../core/assurance.js";
import { type BucketFacts, bucketFindings } from "../core/bucket-facts.js";
import type { Cause, Finding, Remedy } from "../core/cause.js";
import type { ErrorKind } from "../core/classify.js";
import { type ComponentFailure, type ComponentVerdict, ownFailures } from "../core/component-verdicts.js";
import { diagnose } from "../core/diagnoses.js";
import type { DiscoveryReport } from "../core/discovery.js";
import { exitCodeOf, type RunEnding } from "../core/exit-codes.js";
import { type FindingSeverity, type IgnoreRule, type MuteReason, type Muting, muteFindings } from "../core/mute.js";
import type { Operation } from "../core/operations.js";
import { describeRole, type Expectation, type MatrixMode, type Relation, type Role } from "../core/plan.js";
import type { Disagreement } from "../core/policy/compare.js";
import { inShard, type Shard, shardLabel } from "../core/shard.js";
import { countVerdicts, hasFatalError, type RunHas, remedyInRun, type VerdictCounts } from "../core/summary.js";
import type { CheckResult, Evidence, Observation } from "../core/verdict.js";
import type { Verdict } from "../core/verdicts.js";
import type { CleanupReport, ProbeRun } from "../probe/engine.js";
import { type WordedDiagnosis, wordDiagnoses } from "./diagnosis-words.js";
import { findingHint, type HintContext, hintText, mutingNotes, resultHint } from "./hint.js";

export const REPORT_SCHEMA = "kfp-s3-probe/report";
export const REPORT_SCHEMA_VERSION = 1;

/**
 * What the report says beyond the checks, in groups built once from the run's settings and what the
 * run learned: the run itself, where it ran, what it tried, what is shown, who took part, and the
 * policies in hand.
 */
export interface ReportContext {
  run: ReportRun;
  /** The store as the run used it (a detected region included). */
  store: Report["store"];
  /** What was tried, and how its findings count (the run's settings). */
  options: ReportOptions;
  /** What is shown and counted toward the exit code (the output's settings). */
  output?: ReportMuting;
  identities: { name: string; role: Role; credentialSource: string; accessKeyIdHint: string; keyFingerprint?: string; caller?: string }[];
  /** Each setting with where it came from (flag, environment, config, deploykf, provider, default). */
  settings?: Record<string, { value: unknown; source: string }>;
  /** Policies in hand (--policy-dir, --policy-reader, check-policy). */
  policies?: ReportPolicies;
}

/** The run: the tool, its id, when it ran, how it ended, what it sent. */
interface ReportRun {
  toolVersion: string;
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  /** Set when the run was cut short: "SIGINT", "SIGTERM" or "deadline". */
  interruptedBy?: string;
  /** What the operator should know beyond the checks (provider limits, TLS verification off, ...). */
  notes?: string[];
  /** What the run put on the wire: every attempt, the SDK's retries and the cleanup's requests included. */
  requests?: RequestCount;
}

interface ReportOptions {
  layout: string;
  readOnly: boolean;
  strict: boolean;
  matrix?: MatrixMode;
  /** --shard: the report lists this slice's identities (diagnoses still see every identity's keys). */
  shard?: Shard;
  /** --require-proof: anything short of proven is its own exit code. */
  requireProof?: boolean;
  /** --exit-code: the code for findings, where it is not 1. */
  findingsExitCode?: number;
}

export interface ReportMuting {
  /** --severity: the severities shown and counted toward the exit code (absent: all). */
  severities?: readonly FindingSeverity[];
  /** --ignore-file: known findings muted by name. */
  ignore?: { file: string; rules: readonly IgnoreRule[] };
}

interface ReportPolicies {
  /** By identity: where each identity's policies came from (a file of --policy-dir, IAM). */
  sources: ReadonlyMap<string, string>;
  /** Where the bucket's policy came from, where it was in hand. */
  bucketSource?: string;
  /** Cells where the store did other than the identity's policy says. */
  disagreements?: Disagreement[];
}

/** Requests sent, each attempt counted once; `retries` of them were the SDK's tries again; `sts`: the credential chain's to STS besides (absent: none). */
interface RequestCount {
  sent: number;
  retries: number;
  sts?: number;
}

export interface ReportCheck {
  identity: string;
  scope: "bucket" | "prefix";
  prefix: string | null;
  relation: Relation | null;
  /** The profile the prefix belongs to, where it is one in this run. */
  owner: string | null;
  operation: Operation;
  expected: Expectation;
  observed: Observation["outcome"];
  verdict: Verdict;
  errorKind?: ErrorKind;
  reason?: string;
  detail?: string;
  bucketRegion?: string;
  /** Why the verdict is not ok, as a code (docs/report-schema.md lists them). */
  cause?: Cause;
  /** What to change, and where, as data. */
  remedy?: Remedy;
  /** The remedy in words. */
  hint?: string;
  /** How long the deciding request took. */
  durationMs?: number;
  evidence: Evidence[];
  /** Muted by --ignore-file (the rule and its line) or --severity: listed as muted, not counted toward the exit code. */
  muted?: MuteReason;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: "kfp-s3-probe"; version: string };
  runId: string;
  startedAt: string;
  durationMs: number;
  interruptedBy: string | null;
  store: { endpoint: string; bucket: string; region: string; forcePathStyle: boolean };
  layout: string;
  options: { readOnly: boolean; strict: boolean; matrix: MatrixMode; shard: string | null };
  identities: {
    name: string;
    role: "backend" | "profile" | "anonymous";
    profile: string | null;
    description: string;
    credentialSource: string;
    accessKeyId: string;
    /** The caller's ARN from sts:GetCallerIdentity, on AWS. */
    caller: string | null;
    /** 16 hex digits of SHA-256 of the access key id: tells keys apart (merge, diagnoses) without carrying them. */
    keyFingerprint: string | null;
  }[];
  notes: string[];
  settings: Record<string, { value: unknown; source: string }>;
  /** The profiles tried beyond the identities' own, and how each was found. */
  discovery: DiscoveryReport | null;
  /** What no single cell says: shared keys, another profile's keys, public access, ... */
  diagnoses: WordedDiagnosis[];
  /** --policy-dir: every cell where the store did other than the identity's policy says. */
  disagreements: Disagreement[];
  checks: ReportCheck[];
  summary: VerdictCounts;
  cleanup: ReportCleanup;
  /** What the run learned of the bucket before it wrote more than one object, and what it means for KFP; null for runs without it. */
  bucket: ReportBucket | null;
  /** Requests the run sent (every attempt: retries and cleanup included); null where not counted (library runs). */
  requests: RequestCount | null;
  /** What the answer rests on: proven for all keys, or sampled, and what stays open. */
  assurance: Assurance;
  /** Per identity and KFP component (of settings' kfp-version) that runs with its keys: works, or fails on which request, with the fix; null where not judged. */
  components: ReportComponent[] | null;
  exitCode: number;
}

/** What a run may have left, as its exit code counts it: the leftovers, and each key where an upload or a version may be left unseen. */
export function leftoverCount(cleanup: CleanupReport): number {
  return cleanup.leftovers.length + (cleanup.unverifiedUploads?.length ?? 0) + (cleanup.unverifiedVersions?.length ?? 0);
}

/** A component's verdict, each failure's fix in words too. */
export type ReportComponent = Omit<ComponentVerdict, "failing" | "warnings"> & {
  /** Each with its fix in words, and where it is muted (the cell it was decided on, or a rule of its cause), why. */
  failing: (ComponentFailure & { hint?: string; muted?: MuteReason })[];
  warnings?: (ComponentFailure & { hint?: string })[];
};

/** A component that fails, each of its failures muted (--ignore-file, --severity): listed, not counted. */
export const isMutedComponent = (component: ReportComponent): boolean =>
  !component.works && component.failing.length > 0 && component.failing.every((f) => f.muted !== undefined);

/** A component that fails and counts: not muted. */
export const failsAndCounts = (component: ReportComponent): boolean => !component.works && !isMutedComponent(component);

/** A component that works, as far as this run decided anything of it. */
export const isWorking = (component: ReportComponent): boolean => component.works && !component.unjudged;

/** A leftover with its fix in words, where its cause is known. */
type ReportLeftover = CleanupReport["leftovers"][number] & { hint?: string };
type ReportCleanup = Omit<CleanupReport, "leftovers"> & { leftovers: ReportLeftover[] };

/** A finding about KFP on this bucket (versions kept, default retention, SSE-KMS), with its fix in words. */
type BucketFinding = Finding & { hint?: string };
type ReportBucket = Omit<BucketFacts, "versionsRemovable"> & { versionsRemovable: boolean | null; findings: BucketFinding[] };

function withHint<F extends { cause?: Cause; remedy?: Remedy }>(finding: F, context: HintContext): F & { hint?: string } {
  const hint = finding.cause && finding.remedy ? findingHint({ cause: finding.cause, remedy: finding.remedy }, context) : undefined;
  return hint ? { ...finding, hint } : finding;
}

function reportBucket(facts: BucketFacts | undefined, context: HintContext): ReportBucket | null {
  if (!facts) return null;
  const { versionsRemovable, ...settings } = facts;
  const findings = bucketFindings(facts, context.bucket).map((finding) => withHint(finding, context));
  return { ...settings, versionsRemovable: versionsRemovable ?? null, findings };
}

function reportCleanup(cleanup: CleanupReport, context: HintContext): ReportCleanup {
  return { ...cleanup, leftovers: cleanup.leftovers.map((leftover) => withHint(leftover, context)) };
}

/** A judged check with the remedy that stands in this run (none whose fix the run has already done). */
function settled(result: CheckResult, run: RunHas): CheckResult {
  if (!result.cause || !result.remedy) return result;
  return { ...result, remedy: remedyInRun({ cause: result.cause, remedy: result.remedy }, result.target?.owner ?? null, run) };
}

function reportCheck(judged: CheckResult, context: HintContext, run: RunHas, muted: MuteReason | undefined): ReportCheck {
  const result = settled(judged, run);
  const { observation } = result;
  const hint = resultHint(result, context);
  return {
    identity: result.identity,
    scope: result.target ? "prefix" : "bucket",
    prefix: result.target?.prefix ?? null,
    relation: result.target?.relation ?? null,
    owner: result.target?.owner ?? null,
    operation: result.operation,
    expected: result.expectation,
    observed: observation.outcome,
    verdict: result.verdict,
    ...(observation.errorKind ? { errorKind: observation.errorKind } : {}),
    ...(observation.reason ? { reason: observation.reason } : {}),
    ...(observation.detail ? { detail: observation.detail } : {}),
    ...(observation.bucketRegion ? { bucketRegion: observation.bucketRegion } : {}),
    ...(result.cause ? { cause: result.cause } : {}),
    ...(result.remedy ? { remedy: result.remedy } : {}),
    ...(hint ? { hint } : {}),
    ...(observation.durationMs !== undefined ? { durationMs: observation.durationMs } : {}),
    evidence: observation.evidence,
    ...(muted ? { muted } : {}),
  };
}

/** What the run has that a fix may ask for: its identities' roles, and whether it writes. */
function runHas(context: ReportContext): RunHas {
  const roles = context.identities.map((identity) => identity.role);
  return {
    readOnly: context.options.readOnly,
    backend: roles.some((role) => role.kind === "backend"),
    profiles: new Set(roles.flatMap((role) => (role.kind === "profile" ? [role.profile] : []))),
  };
}

/** muteFindings' options from --ignore-file's rules and --severity, where given. */
export const muteOptionsOf = (muting: ReportMuting | undefined): Parameters<typeof muteFindings>[1] => ({
  ...(muting?.ignore ? { rules: muting.ignore.rules } : {}),
  ...(muting?.severities ? { severities: muting.severities } : {}),
});

/** The report's checks, each with its muting; the rules that muted nothing are notes. */
function checksOf(run: ProbeRun, context: ReportContext): { checks: ReportCheck[]; muting: Muting } {
  const { output } = context;
  const has = runHas(context);
  const unmuted = run.results.map((result) => reportCheck(result, hintsOf(context), has, undefined));
  const muting = muteFindings(unmuted, muteOptionsOf(output));
  const checks = unmuted.map((check, index) => {
    const muted = muting.reasons[index];
    return muted ? { ...check, muted } : check;
  });
  return { checks, muting };
}

/** The exit code of the checks and components that count: a muted finding does not; one that cannot connect still does (exit 3). */
function exitCodeOfRun(run: ProbeRun, muting: Muting, components: ReportComponent[] | null, ending: RunEnding): number {
  const counted = run.results.filter((_, index) => muting.reasons[index] === undefined);
  const componentFailures = ownFailures(components ?? []);
  return exitCodeOf({ counts: countVerdicts(counted), fatalError: hasFatalError(run.results), componentFailures }, ending);
}

/**
 * A component failure's muting: the muted cell it was decided on; one no cell says (its own shape,
 * its session) by the ignore rules and --severity, as a finding of its cause would be.
 */
export function componentMuting(
  failure: ComponentFailure,
  identity: string,
  checks: readonly ReportCheck[],
  output: ReportMuting | undefined,
): MuteReason | undefined {
  if (failure.operation !== null && failure.shape === null)
    return checks.find((c) => c.identity === identity && c.operation === failure.operation && c.prefix === failure.prefix)?.muted;
  if (!output?.ignore && !output?.severities) return undefined;
  const verdict = failure.outcome === "error" ? "error" : "missing";
  const finding = { identity, verdict, operation: null, prefix: failure.prefix, relation: null, owner: null, cause: failure.cause } as const;
  return muteFindings([finding], muteOptionsOf(output)).reasons[0];
}

function reportComponents(
  run: ProbeRun,
  context: HintContext,
  checks: readonly ReportCheck[],
  output: ReportContext["output"],
): ReportComponent[] | null {
  if (!run.components) return null;
  const withHints = (failure: ComponentFailure) => {
    const hint = hintText(
      { operation: failure.operation ?? undefined, prefix: failure.prefix, cause: failure.cause, remedy: failure.remedy },
      context,
    );
    return hint ? { ...failure, hint } : failure;
  };
  return run.components.map(({ warnings, ...verdict }) => ({
    ...verdict,
    failing: verdict.failing.map((failure) => {
      const muted = componentMuting(failure, verdict.identity, checks, output);
      return { ...withHints(failure), ...(muted ? { muted } : {}) };
    }),
    ...(warnings ? { warnings: warnings.map(withHints) } : {}),
  }));
}

function assuranceOf(run: ProbeRun, context: ReportContext): Assurance {
  return assessAssurance({
    identities: context.identities.filter((_, position) => inShard(position, context.options.shard)),
    policySources: context.policies?.sources ?? new Map(),
    bucketPolicySource: context.policies?.bucketSource ?? null,
    unread: run.proof?.unread ?? new Map(),
    witnessResults: run.proof?.witnessResults ?? [],
    results: run.results,
    enforcementSample: run.proof?.enforcementSample ?? [],
    disagreements: context.policies?.disagreements ?? [],
    ...(run.proof?.publicUntried ? { publicUntried: run.proof.publicUntried } : {}),
    ...(run.proof?.untried ? { untried: run.proof.untried } : {}),
  });
}

/** How the run ended, as the exit code reads it. */
function endingOf(run: ProbeRun, context: ReportContext, assurance: Assurance): RunEnding {
  const { interruptedBy } = context.run;
  const { requireProof, findingsExitCode } = context.options;
  return {
    kind: "finished",
    // An upload that may be open and could not be looked for is not a clean store either.
    leftovers: leftoverCount(run.cleanup),
    ...(interruptedBy ? { interruptedBy } : {}),
    ...(requireProof && assurance.status !== "proven" ? { unproven: true } : {}),
    ...(findingsExitCode !== undefined ? { findingsCode: findingsExitCode } : {}),
  };
}

/** The words' context: the bucket, and whether requests went over TLS. */
function hintsOf(context: ReportContext): HintContext {
  return { bucket: context.store.bucket, tls: context.store.endpoint.startsWith("https://") };
}

/** The identities this report lists: the shard's slice. */
function reportIdentities(context: ReportContext): Report["identities"] {
  return context.identities
    .filter((_, position) => inShard(position, context.options.shard))
    .map((identity) => ({
      name: identity.name,
      role: identity.role.kind,
      profile: identity.role.kind === "profile" ? identity.role.profile : null,
      description: describeRole(identity.role),
      credentialSource: identity.credentialSource,
      accessKeyId: identity.accessKeyIdHint,
      caller: identity.caller ?? null,
      keyFingerprint: identity.keyFingerprint ?? null,
    }));
}

export function buildReport(run: ProbeRun, context: ReportContext): Report {
  const assurance = assuranceOf(run, context);
  const { checks, muting } = checksOf(run, context);
  const ending = endingOf(run, context, assurance);
  const { run: facts, store, options, output } = context;
  const hints = hintsOf(context);
  const components = reportComponents(run, hints, checks, output);
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "kfp-s3-probe", version: facts.toolVersion },
    runId: facts.runId,
    startedAt: facts.startedAt.toISOString(),
    durationMs: facts.finishedAt.getTime() - facts.startedAt.getTime(),
    interruptedBy: facts.interruptedBy ?? null,
    store: { endpoint: store.endpoint, bucket: store.bucket, region: store.region, forcePathStyle: store.forcePathStyle },
    layout: options.layout,
    options: {
      readOnly: options.readOnly,
      strict: options.strict,
      matrix: options.matrix ?? "pairs",
      shard: options.shard ? shardLabel(options.shard) : null,
    },
    identities: reportIdentities(context),
    notes: [...(facts.notes ?? []), ...(output?.ignore ? mutingNotes(muting, output.ignore.file) : [])],
    settings: context.settings ?? {},
    discovery: run.discovery ?? null,
    diagnoses: wordDiagnoses(diagnose(run.results, context.identities), store.bucket),
    disagreements: context.policies?.disagreements ?? [],
    checks,
    summary: countVerdicts(run.results),
    cleanup: reportCleanup(run.cleanup, hints),
    bucket: reportBucket(run.bucket, hints),
    requests: facts.requests ?? null,
    assurance,
    components,
    exitCode: exitCodeOfRun(run, muting, components, ending),
  };
}
