// The one explicit context every phase of a run works on: who is in the run, what was planned,
// what has been decided so far, which identities answered, the seeds, and the ledger of created
// objects. Phases read and add to it through the methods here; nothing else is shared.
import { setMaxListeners } from "node:events";
import pLimit, { type LimitFunction } from "p-limit";
import { type BucketFacts, UNREAD_FACTS, unmetPutCondition } from "../core/bucket-facts.js";
import { classify, type RequestSubject, type ResponseFacts } from "../core/classify.js";
import type { ComponentClient, ComponentPlan, ComponentSettings } from "../core/component-plan.js";
import { type KeyLayout, PROBE_NAMESPACE, profilePrefixes } from "../core/layout.js";
import { OPERATIONS, type Operation } from "../core/operations.js";
import type { IdentityPlan, MatrixMode, PlannedCheck, Role, Target } from "../core/plan.js";
import type { PolicySubject } from "../core/policy/exact-questions.js";
import type { UntriedGrant } from "../core/policy/untried.js";
import { inShard, type Shard } from "../core/shard.js";
import { assess, type CheckResult, compactEvidence, type Evidence, type Observation } from "../core/verdict.js";
import type { PublicUntried, WitnessCheck } from "../core/witness.js";
import type { Cleaner, CreatedObject, Ledger } from "./ledger.js";
import type { PutOptions, S3Port } from "./port.js";

export interface ProbeIdentity {
  name: string;
  role: Role;
  port: S3Port;
  /** A port with a KFP component's client settings (its endpoint, addressing); absent: requests in a component's shape go through `port`. */
  portFor?: (client: ComponentClient) => S3Port;
}

/** The engine's settings, fixed before a run: what it tries, how widely, on which bucket, within which bounds. */
export interface ProbeSettings {
  bucket: string;
  layout: KeyLayout;
  readOnly: boolean;
  strict: boolean;
  /** Multipart upload and abort checks (off: --no-multipart). */
  multipart?: boolean;
  concurrency: number;
  /** The cleanup's base budget; it grows with what there is to remove. */
  cleanupTimeoutMs: number;
  /** Bound on one request, its retries included (default DEFAULT_REQUEST_TIMEOUT_MS, which is --request-timeout's too). */
  requestTimeoutMs?: number;
  /** Profiles named beyond the run (config file, --other-profile): tried like discovered ones. */
  namedProfiles?: { name: string; source: "config" | "flag" }[];
  /** List the layout's roots for the bucket's profiles (default on). */
  discover?: boolean;
  /** At most this many profiles beyond the run are tried (default 500). */
  maxProfiles?: number;
  /** How other profiles' prefixes are tried (default pairs: two requests per pair of profiles). */
  matrix?: MatrixMode;
  /**
   * --shard I/N: only these identities' checks run; the others still seed, list and clean up for
   * them, as the owners and the backend of the prefixes they are tried against.
   */
  shard?: Shard;
  /**
   * The store answers as AWS does: to an identity that may s3:ListBucket, a missing key is 404 where
   * it may read and 403 where it may not, so such a read decides without an object (AWS S3).
   */
  missingKeyDecides?: boolean;
  /** The endpoint is https:// (a bucket policy's aws:SecureTransport Deny refuses KFP only over plain HTTP). */
  tls?: boolean;
}

/** One run's options: the settings, the run's id, its signals, and what it is told and tells as it goes. */
export interface ProbeOptions extends ProbeSettings {
  runId: string;
  /** Aborts the checks (Ctrl-C, deadline); cleanup still runs. */
  signal: AbortSignal;
  /** Aborts the cleanup too (a second Ctrl-C); what is left is reported. */
  cleanupSignal?: AbortSignal;
  onCheckDone?: (done: number, total: number) => void;
  /** Given the run's limit on requests in flight, which may lower it while the run goes on (memory, CPU). */
  onLimiter?: (limiter: { concurrency: number }) => void;
  /**
   * Judge KFP's components of this release (issue 23): the probe's client, and each profile's v2
   * launcher session; absent: no component is judged, and no request is sent in a component's shape.
   */
  components?: Pick<ComponentSettings, "release" | "probe" | "launcher">;
  /** Told what the run learned of the bucket, before the checks write anything more (the CLI warns of versions it cannot remove). */
  onBucketKnown?: (facts: BucketFacts) => void;
  /**
   * Each identity's policies in hand (--policy-dir, --policy-reader), by name: the exact evaluator's
   * witnesses of what they reach beyond KFP's grant are tried on the store.
   */
  policies?: ReadonlyMap<string, PolicySubject>;
}

/** An object planted in a prefix the prober must not reach, by someone who may write there. */
export interface Seed {
  entry: CreatedObject;
  body: Uint8Array;
  evidence: Evidence;
}

export interface Answer<R> {
  result: R | ResponseFacts;
  observation: Observation;
}

const ABORTED: ResponseFacts = { aborted: true };
/** The bound on one request where none is given: the library's, and the CLI's default --request-timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends one request bounded by `signal` and by the request timeout, retries included. A request
 * the bound cut is a timeout, not a cancelled run.
 */
export async function bounded<R extends ResponseFacts>(
  send: (signal: AbortSignal) => Promise<R>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<R | ResponseFacts> {
  if (signal.aborted) return ABORTED;
  // One controller, one timer and one listener per request, all released when it ends: at tens of
  // thousands of requests, AbortSignal.timeout and AbortSignal.any would each keep theirs alive
  // until the timeout fires or the run's signal is collected.
  const request = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    request.abort();
  }, timeoutMs);
  const onRunAbort = () => request.abort();
  signal.addEventListener("abort", onRunAbort, { once: true });
  // The SDK may notice an abort only between its attempts: the answer is not waited for past the bound.
  const cut = new Promise<ResponseFacts>((resolve) => request.signal.addEventListener("abort", () => resolve(ABORTED), { once: true }));
  try {
    const result = await Promise.race([send(request.signal), cut]);
    return result.aborted && timedOut && !signal.aborted ? { errorName: "TimeoutError" } : result;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onRunAbort);
  }
}

export function notRun(reason: string, cause?: Observation["cause"]): Observation {
  return { outcome: "not-run", reason, evidence: [], ...(cause ? { cause } : {}) };
}

function canaryBody(runId: string, what: string): Uint8Array {
  return new TextEncoder().encode(`kfp-s3-probe ${what} of run ${runId}; safe to delete\n`);
}

function observationOf(label: string, key: string | undefined, result: ResponseFacts, subject: RequestSubject): Observation {
  const { outcome, errorKind, reason } = classify(result, subject);
  // Refused by KMS, not by the identity's S3 grant: the bucket encrypts with SSE-KMS.
  const kms = outcome === "denied" && result.refusedBy === "kms" ? { cause: "kms-denied" as const } : {};
  const evidence: Evidence = {
    request: label,
    ...(key ? { key } : {}),
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.errorName ? { errorName: result.errorName } : {}),
  };
  return {
    outcome,
    ...(errorKind ? { errorKind } : {}),
    ...(reason ? { reason } : {}),
    ...(result.bucketRegion ? { bucketRegion: result.bucketRegion } : {}),
    ...kms,
    evidence: [evidence],
  };
}

/** An object KFP stored under a prefix, found by an identity that may list there: reads are decided on it. */
export interface RealObject {
  key: string;
  evidence: Evidence;
}

export class RunState {
  readonly limit: LimitFunction;
  readonly decided = new Map<PlannedCheck, CheckResult>();
  readonly reachable = new Set<ProbeIdentity>();
  /** By seedSlot: one seed per prober and target, or one per prefix where seeds are shared. */
  readonly seeds = new Map<Target | string, Seed>();
  /** Why a prefix has no seed. */
  readonly seedless = new Map<Target | string, string>();
  /** By prefix: an object KFP stored there, or why none was found. */
  readonly realObjects = new Map<string, RealObject>();
  readonly realObjectless = new Map<string, string>();
  /** By seedSlot: the seed being planted (settles when it is, or is not). */
  readonly seeding = new Map<Target | string, Promise<void>>();
  /** By prefix: the search for an object KFP stored there. */
  readonly finding = new Map<string, Promise<void>>();
  plans: IdentityPlan[] = [];
  /** The witnesses' checks, beside the plans' targets. */
  witnessChecks: WitnessCheck[] = [];
  /** Per identity with its policies in hand: what in them the exact evaluator could not read. */
  readonly policyUnread = new Map<string, string[]>();
  /** Per identity with its policies in hand: what they allow beyond KFP's grant of actions the probe never sends. */
  readonly policyUntried = new Map<string, UntriedGrant[]>();
  /** The bucket's policy in hand, the anonymous caller not in the run (--no-anonymous): what it lets anyone do that KFP forbids, untried. */
  publicUntried: PublicUntried | undefined;
  /** With policies in hand: the identities whose whole plan is tried, to see that the store enforces them. */
  enforcementSample: string[] = [];
  /** By key: the markers of deeper namespaces (witnesses'), written once each before anything in them. */
  readonly deeperMarkers = new Map<string, Promise<boolean>>();
  /** What the run learned of the bucket before it wrote more than one object (phases/bucket-facts.ts). */
  bucketFacts: BucketFacts = UNREAD_FACTS;
  /**
   * The run's first write, where the bucket keeps it (its version could not be removed): the first
   * seed its writer would plant in its prefix is this object instead, one key fewer left for good.
   */
  spareObject: (Seed & { prefix: string; writer: ProbeIdentity }) | undefined;
  /** Per prober: KFP's components that run with its keys, and what decides each of their requests (issue 23). */
  componentPlans: ComponentPlan[] = [];
  /** What each request sent in a component's own shape observed, by its id. */
  readonly shapeObservations = new Map<string, Observation>();
  private missingKeyAnswer: Promise<boolean> | undefined;
  private readonly checkIndex = new Map<Target | IdentityPlan, Map<Operation, PlannedCheck>>();
  private readonly anonymousNames: ReadonlySet<string>;
  private readonly bodies = new Map<string, Uint8Array>();
  private total = 0;

  constructor(
    readonly identities: ProbeIdentity[],
    readonly options: ProbeOptions,
    readonly ledger: Ledger,
  ) {
    // Every request in flight listens on the run's signal; Node warns past 10 listeners.
    setMaxListeners(0, options.signal);
    this.anonymousNames = new Set(identities.filter((i) => i.role.kind === "anonymous").map((i) => i.name));
    this.limit = pLimit(options.concurrency);
    options.onLimiter?.(this.limit);
  }

  /**
   * The run's canary body for `what`: one byte array per text, sent as it is by every request that
   * carries it, so that the S3 adapter hashes each body once rather than on every send. Never changed.
   */
  canaryBody(what: string): Uint8Array {
    let body = this.bodies.get(what);
    if (!body) {
      body = canaryBody(this.options.runId, what);
      this.bodies.set(what, body);
    }
    return body;
  }

  /**
   * Where a target's seed is kept. In the pairs matrix nobody deletes under another profile's
   * prefix, so one seed per prefix serves every prober; with --matrix full a leaky prober's delete
   * would take a shared seed from the next, so each prober gets its own.
   */
  seedSlot(target: Target): Target | string {
    return this.options.matrix !== "full" && target.relation === "foreign" ? target.prefix : target;
  }

  /** Settles once the target's seed is planted (or could not be), where the run plants one. */
  seeded(target: Target): Promise<void> {
    return this.seeding.get(this.seedSlot(target)) ?? Promise.resolve();
  }

  /** Settles once an object KFP stored under the prefix has been looked for, where the run looks. */
  searched(prefix: string): Promise<void> {
    return this.finding.get(prefix) ?? Promise.resolve();
  }

  /** The identities this process probes (all of them, but for --shard). */
  probers(): ProbeIdentity[] {
    return this.identities.filter((_, position) => inShard(position, this.options.shard));
  }

  /** The plans of the identities this process probes. */
  proberPlans(): IdentityPlan[] {
    return this.plans.filter((_, position) => inShard(position, this.options.shard));
  }

  /** The plans, once the run knows every profile it tries. */
  setPlans(plans: IdentityPlan[]): void {
    this.plans = plans;
    this.total = plans.reduce((n, plan) => n + plan.checks.length, 0);
    for (const plan of plans) {
      for (const check of plan.checks) {
        const owner = check.target ?? plan;
        this.checkIndex.set(owner, (this.checkIndex.get(owner) ?? new Map()).set(check.operation, check));
      }
    }
  }

  decide(check: PlannedCheck, observation: Observation): void {
    // What the anonymous caller may do, anyone may: the bucket's policy or ACL grants it.
    const anonymous = this.anonymousNames.has(check.identity);
    const observed =
      anonymous && observation.outcome === "allowed" ? { ...observation, cause: "public-access" as const } : this.refusedWhy(check, observation);
    const result = assess(check, observed, { strict: this.options.strict, bucket: this.options.bucket });
    // As expected: each request's status and error name, and the key of the one that decided.
    this.decided.set(
      check,
      result.verdict === "ok" ? { ...result, observation: { ...observed, evidence: compactEvidence(observed.evidence) } } : result,
    );
    this.options.onCheckDone?.(this.decided.size, this.total);
  }

  /**
   * A write denied by a Deny of the bucket's policy (as read) on a condition KFP's client does not
   * meet names the condition (cause bucket-policy-condition); a KMS refusal is the request's own
   * (observationOf). Other observations are as they came.
   */
  private refusedWhy(check: PlannedCheck, observation: Observation): Observation {
    if (observation.outcome !== "denied" || observation.cause || OPERATIONS[check.operation].action !== OPERATIONS.put.action) return observation;
    const policy = this.bucketFacts.policy.status === "read" ? this.bucketFacts.policy.value : undefined;
    const key = observation.evidence.at(-1)?.key;
    const condition = key && unmetPutCondition(policy, this.options.bucket, key, this.options.tls === true);
    return condition ? { ...observation, cause: "bucket-policy-condition", condition } : observation;
  }

  /** Identities that sign their requests and answered the preflight, the backend first. */
  listers(): ProbeIdentity[] {
    const signed = this.identities.filter((i) => i.role.kind !== "anonymous" && this.reachable.has(i));
    return [...signed.filter((i) => i.role.kind === "backend"), ...signed.filter((i) => i.role.kind !== "backend")];
  }

  checkOf(plan: IdentityPlan, target: Target | null, operation: Operation): PlannedCheck {
    const check = this.checkIndex.get(target ?? plan)?.get(operation);
    if (!check) throw new Error(`no ${operation} check planned for ${target?.prefix ?? "the bucket"}`);
    return check;
  }

  /**
   * One request under the concurrency bound, its answer classified. A request whose answer alone
   * says what it created (CreateMultipartUpload's upload id) is not cut off by a cancelled run once
   * sent (`finishOnceSent`): the ledger needs the id to close the upload.
   */
  async request<R extends ResponseFacts>(
    label: string,
    key: string | undefined,
    subject: RequestSubject,
    send: (signal: AbortSignal) => Promise<R>,
    finishOnceSent = false,
  ): Promise<Answer<R>> {
    const { signal, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS } = this.options;
    let durationMs = 0;
    const result = await this.limit(async () => {
      if (signal.aborted) return ABORTED;
      const started = performance.now();
      const answer = await bounded(send, finishOnceSent ? this.cleanupSignal() : signal, requestTimeoutMs);
      durationMs = Math.round(performance.now() - started);
      return answer;
    });
    return { result, observation: { ...observationOf(label, key, result, subject), durationMs } };
  }

  /** Bounded by the cleanup's own time and its abandonment, not by the run's signal. */
  cleanupSignal(): AbortSignal {
    const { cleanupTimeoutMs, cleanupSignal } = this.options;
    return AbortSignal.any([AbortSignal.timeout(cleanupTimeoutMs), ...(cleanupSignal ? [cleanupSignal] : [])]);
  }

  identityOwning(profile: string | null): ProbeIdentity | undefined {
    return this.identities.find((i) => i.role.kind === "profile" && i.role.profile === profile && this.reachable.has(i));
  }

  backend(): ProbeIdentity | undefined {
    return this.identities.find((i) => i.role.kind === "backend" && this.reachable.has(i));
  }

  /** Whether the identity's bucket-wide ListObjectsV2 was allowed (its preflight). */
  mayListBucket(plan: IdentityPlan): boolean {
    const check = this.checkIndex.get(plan)?.get("list-bucket");
    return check !== undefined && this.decided.get(check)?.observation.outcome === "allowed";
  }

  /**
   * Whether this store showed, in this run, that it answers a missing key as AWS does, to a profile
   * that may list: 404 under its own prefix (where it may read) and 403 under the backend's (where
   * the reference policies let it not). RGW and MinIO answer 404 to both whatever the policy; a
   * store that answers 403 to both tells nothing. Asked once, when a read first has nothing to read.
   */
  missingKeyShown(): Promise<boolean> {
    this.missingKeyAnswer ??= this.askMissingKeys();
    return this.missingKeyAnswer;
  }

  private async askMissingKeys(): Promise<boolean> {
    const plan = this.plans.find((p) => p.role.kind === "profile" && this.mayListBucket(p));
    const prober = plan && this.identities.find((i) => i.name === plan.identity);
    const own = plan?.role.kind === "profile" ? profilePrefixes(this.options.layout, plan.role.profile)[0] : undefined;
    const backend = this.options.layout.backendPrefixes[0];
    if (!prober || own === undefined || backend === undefined) return false;
    const statusOf = async (prefix: string) => {
      const key = `${prefix}${PROBE_NAMESPACE}${this.options.runId}/missing-key`;
      const answer = await this.request("GetObject (how a missing key is answered)", key, "existing-object", (s) =>
        prober.port.getObject(key, true, s),
      );
      return answer.result.status;
    };
    const [ownStatus, backendStatus] = await Promise.all([statusOf(own), statusOf(backend)]);
    return ownStatus === 404 && backendStatus === 403;
  }

  /** Creator first, then whoever may delete under the prefix. */
  cleanersFor(creator: ProbeIdentity, target: Target): Cleaner[] {
    const candidates = [creator, this.identityOwning(target.owner), this.backend()];
    return [...new Set(candidates.filter((c): c is ProbeIdentity => c !== undefined))].map((c) => ({ identity: c.name, port: c.port }));
  }

  /**
   * A DeleteObject of a probe object, sent by `deleter`, and what it did to the ledger: the object
   * removed (unversioned), or a delete marker it left to be removed too (versioned bucket).
   */
  async deleteProbeObject(deleter: ProbeIdentity, target: Target, key: string, victim: CreatedObject | undefined, label: string) {
    const del = await this.request(label, key, "write", (s) => deleter.port.deleteObject(key, undefined, s));
    if (del.observation.outcome === "allowed" && victim && victim.versionId === undefined) this.ledger.markRemoved(victim);
    if ("deleteMarker" in del.result && del.result.deleteMarker && del.result.versionId) {
      this.ledger.record({
        key,
        versionId: del.result.versionId,
        deleteMarker: true,
        identity: deleter.name,
        cleaners: this.cleanersFor(deleter, target),
        state: "created",
      });
    }
    return del;
  }

  /**
   * Writes an object that did not exist; returns the ledger entry when the store took it. A 412
   * on a key of this run's namespace comes from a retry whose first attempt wrote it: it is ours.
   */
  async writeProbeObject(writer: ProbeIdentity, target: Target, key: string, body: Uint8Array, label: string, options: PutOptions = {}) {
    const entry = this.ledger.record({ key, identity: writer.name, cleaners: this.cleanersFor(writer, target) });
    const answer = await this.request(label, key, "write", (s) => writer.port.putObjectIfAbsent(key, body, s, options));
    this.ledger.settle(entry, answer.result);
    if ("versionId" in answer.result && answer.result.versionId) entry.versionId = answer.result.versionId;
    const ours = answer.result.status === 412;
    const observation: Observation = ours
      ? {
          outcome: "allowed",
          reason: "written by an earlier attempt whose answer was lost (412 on the retry)",
          evidence: answer.observation.evidence,
        }
      : answer.observation;
    const put = { result: answer.result, observation };
    return { entry: observation.outcome === "allowed" ? entry : undefined, put };
  }

  planOf(identity: ProbeIdentity): IdentityPlan {
    const plan = this.plans[this.identities.indexOf(identity)];
    if (!plan) throw new Error(`no plan for ${identity.name}`);
    return plan;
  }
}
