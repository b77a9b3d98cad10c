// Runs every identity's plan against the store, decides every check, and removes what it created.
//
// Phases: (1) one bucket-wide list per identity, after which an identity that cannot connect or
// authenticate sends nothing more; (2) seeds: for each prefix a profile must not reach, an object
// written there by its owner or the backend, so that reads and deletes are decided on an object
// that exists; (3) the checks; (4) cleanup, always, also after an abort or an exception.
import { setMaxListeners } from "node:events";
import pLimit from "p-limit";
import { classify, FATAL_ERROR_KINDS, type RequestSubject, type ResponseFacts } from "../core/classify.js";
import { readClock } from "../core/clock.js";
import { canaryKey, isProbeKey, type KeyLayout, unownedProfileName } from "../core/layout.js";
import { type IdentityPlan, type Operation, type PlannedCheck, planFor, type Role, type RunContext, type Target } from "../core/plan.js";
import { type CheckResult, type Evidence, hintFor, judge, type Observation } from "../core/verdict.js";
import { type Cleaner, type CreatedObject, Ledger, type Leftover } from "./ledger.js";
import { MULTIPART_PART_BYTES, type S3Port } from "./port.js";

export interface ProbeIdentity {
  name: string;
  role: Role;
  port: S3Port;
}

export interface ProbeOptions {
  bucket: string;
  layout: KeyLayout;
  runId: string;
  readOnly: boolean;
  strict: boolean;
  /** Multipart upload and abort checks (off: --no-multipart). */
  multipart?: boolean;
  /** The endpoint is https:// (hints differ). */
  tls?: boolean;
  concurrency: number;
  /** Aborts the checks (Ctrl-C, deadline); cleanup still runs. */
  signal: AbortSignal;
  /** Aborts the cleanup too (a second Ctrl-C); what is left is reported. */
  cleanupSignal?: AbortSignal;
  cleanupTimeoutMs: number;
  onCheckDone?: (done: number, total: number) => void;
}

export interface CleanupReport {
  created: number;
  removed: number;
  leftovers: Leftover[];
}

export interface ProbeRun {
  plans: IdentityPlan[];
  results: CheckResult[];
  cleanup: CleanupReport;
}

/** An object planted in a prefix the prober must not reach, by someone who may write there. */
interface Seed {
  entry: CreatedObject;
  body: Uint8Array;
  evidence: Evidence;
}

const LIST_PAGE = 20;
const ABORTED: ResponseFacts = { aborted: true };
/** An upload id no store has: aborting it is authorised before the lookup (403 denied, 404 allowed). */
const NO_SUCH_UPLOAD = "kfp-s3-probe-no-such-upload";
let multipartPart: Uint8Array | undefined;

function notRun(reason: string): Observation {
  return { outcome: "not-run", reason, evidence: [] };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a).equals(Buffer.from(b));
}

/** A 4xx answer to a write means the store stored nothing. */
function definitelyNotWritten(facts: ResponseFacts): boolean {
  return facts.status !== undefined && facts.status >= 400 && facts.status < 500;
}

function canaryBody(runId: string, what: string): Uint8Array {
  return new TextEncoder().encode(`kfp-s3-probe ${what} of run ${runId}; safe to delete\n`);
}

export async function runProbe(identities: ProbeIdentity[], options: ProbeOptions): Promise<ProbeRun> {
  // Every request in flight listens on the run's signal; Node warns past 10 listeners.
  setMaxListeners(0, options.signal);
  const limit = pLimit(options.concurrency);
  const ledger = new Ledger();
  const context: RunContext = {
    profilesInRun: identities.flatMap((i) => (i.role.kind === "profile" ? [i.role.profile] : [])),
    unownedProfile: unownedProfileName(options.runId),
    uploads: !options.readOnly,
    multipart: options.multipart !== false,
  };
  const hintContext = { bucket: options.bucket, tls: options.tls ?? false };
  const plans = identities.map((identity) => planFor(identity.name, identity.role, options.layout, context));
  const total = plans.reduce((n, plan) => n + plan.checks.length, 0);
  const decided = new Map<PlannedCheck, CheckResult>();
  const reachable = new Set<ProbeIdentity>();

  const decide = (check: PlannedCheck, observation: Observation): void => {
    const verdict = judge(check.expectation, observation, { strict: options.strict });
    const hint = hintFor(check, observation, verdict, hintContext);
    decided.set(check, { ...check, observation, verdict, ...(hint ? { hint } : {}) });
    options.onCheckDone?.(decided.size, total);
  };

  // A request whose answer alone says what it created (CreateMultipartUpload's upload id) is
  // not cut off by a cancelled run once sent: the ledger needs the id to close the upload.
  const unlessCleanupAbandoned = (): AbortSignal =>
    AbortSignal.any([AbortSignal.timeout(options.cleanupTimeoutMs), ...(options.cleanupSignal ? [options.cleanupSignal] : [])]);

  async function request<R extends ResponseFacts>(
    label: string,
    key: string | undefined,
    subject: RequestSubject,
    send: (signal: AbortSignal) => Promise<R>,
    finishOnceSent = false,
  ): Promise<{ result: R | ResponseFacts; observation: Observation }> {
    const result = await limit(() => (options.signal.aborted ? ABORTED : send(finishOnceSent ? unlessCleanupAbandoned() : options.signal)));
    const { outcome, errorKind, reason } = classify(result, subject);
    const evidence: Evidence = {
      request: label,
      ...(key ? { key } : {}),
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.errorName ? { errorName: result.errorName } : {}),
    };
    return {
      result,
      observation: {
        outcome,
        ...(errorKind ? { errorKind } : {}),
        ...(reason ? { reason } : {}),
        ...(result.bucketRegion ? { bucketRegion: result.bucketRegion } : {}),
        evidence: [evidence],
      },
    };
  }

  const identityOwning = (profile: string | null): ProbeIdentity | undefined =>
    identities.find((i) => i.role.kind === "profile" && i.role.profile === profile && reachable.has(i));
  const backend = (): ProbeIdentity | undefined => identities.find((i) => i.role.kind === "backend" && reachable.has(i));

  /** Creator first, then whoever may delete under the prefix. */
  const cleanersFor = (creator: ProbeIdentity, target: Target): Cleaner[] => {
    const candidates = [creator, identityOwning(target.owner), backend()];
    return [...new Set(candidates.filter((c): c is ProbeIdentity => c !== undefined))].map((c) => ({ identity: c.name, port: c.port }));
  };

  /** Writes an object that did not exist; returns the ledger entry when the store took it. */
  async function writeProbeObject(writer: ProbeIdentity, target: Target, key: string, body: Uint8Array, label: string, crc32 = false) {
    const entry = ledger.record({ key, identity: writer.name, cleaners: cleanersFor(writer, target) });
    const put = await request(label, key, "write", (s) => writer.port.putObjectIfAbsent(key, body, s, { crc32 }));
    if ("versionId" in put.result && put.result.versionId) entry.versionId = put.result.versionId;
    if (put.observation.outcome !== "allowed" && definitelyNotWritten(put.result)) ledger.discard(entry);
    return { entry: put.observation.outcome === "allowed" ? entry : undefined, put };
  }

  const checkIndex = new Map<Target | IdentityPlan, Map<Operation, PlannedCheck>>();
  for (const plan of plans) {
    for (const check of plan.checks) {
      const owner = check.target ?? plan;
      checkIndex.set(owner, (checkIndex.get(owner) ?? new Map()).set(check.operation, check));
    }
  }
  const checkOf = (plan: IdentityPlan, target: Target | null, operation: Operation): PlannedCheck => {
    const check = checkIndex.get(target ?? plan)?.get(operation);
    if (!check) throw new Error(`no ${operation} check planned for ${target?.prefix ?? "the bucket"}`);
    return check;
  };

  // (1) One request with a body first: a wrong key, endpoint or bucket shows here.
  async function preflight(identity: ProbeIdentity, plan: IdentityPlan): Promise<void> {
    const list = await request("ListObjectsV2 (whole bucket)", undefined, "bucket", (s) => identity.port.listObjects("", 1, s));
    decide(checkOf(plan, null, "list-bucket"), list.observation);
    const { errorKind } = list.observation;
    if (errorKind && FATAL_ERROR_KINDS.has(errorKind)) {
      const skipped = notRun(`not run: ${list.observation.reason ?? errorKind}`);
      for (const check of plan.checks) if (!decided.has(check)) decide(check, skipped);
      return;
    }
    reachable.add(identity);
  }

  // (2) Seeds for the prefixes a profile must not reach.
  const seeds = new Map<Target, Seed>();
  const seedless = new Map<Target, string>();
  async function plantSeed(prober: ProbeIdentity, target: Target): Promise<void> {
    const seeders = [identityOwning(target.owner), backend()].filter((s): s is ProbeIdentity => s !== undefined && s !== prober);
    if (seeders.length === 0) {
      seedless.set(target, `no ${target.owner ? `identity of ${target.owner} and no ` : ""}backend in this run to plant an object to read`);
      return;
    }
    const key = canaryKey(target.prefix, options.runId, `seed-for-${prober.name}`);
    const body = canaryBody(options.runId, `seed for ${prober.name}`);
    for (const seeder of seeders) {
      const { entry, put } = await writeProbeObject(seeder, target, key, body, `PutObject (seed, as ${seeder.name})`);
      if (entry) {
        seeds.set(target, { entry, body, evidence: put.observation.evidence[0] as Evidence });
        return;
      }
    }
    seedless.set(target, `${seeders.map((s) => s.name).join(" and ")} could not write an object here to read`);
  }

  // (3) The checks under one prefix.
  async function probeTarget(prober: ProbeIdentity, plan: IdentityPlan, target: Target): Promise<void> {
    const { prefix } = target;
    const { port } = prober;
    let existingKey: string | undefined;
    if (target.operations.includes("list")) {
      const list = await request(`ListObjectsV2 prefix=${prefix}`, undefined, "bucket", (s) => port.listObjects(prefix, LIST_PAGE, s));
      decide(checkOf(plan, target, "list"), list.observation);
      const listed = ("keys" in list.result ? list.result.keys : undefined) ?? [];
      existingKey = listed.find((key) => !isProbeKey(key));
    }

    const key = canaryKey(prefix, options.runId, prober.name);
    const body = canaryBody(options.runId, "canary");
    let canary: CreatedObject | undefined;
    let keyBelongsToOthers = false;
    if (options.readOnly) {
      decide(checkOf(plan, target, "put"), notRun("--read-only: nothing is written"));
    } else {
      const { entry, put } = await writeProbeObject(prober, target, key, body, "PutObject (if absent)");
      canary = entry;
      keyBelongsToOthers = put.observation.errorKind === "key-exists";
      decide(checkOf(plan, target, "put"), put.observation);
    }

    // Reads: on a seed planted by someone else, else on the prober's own canary, else on an
    // object KFP stored (first byte only), else undecided.
    const seed = seeds.get(target);
    const readable = seed
      ? { key: seed.entry.key, expected: seed.body, firstByteOnly: false, before: [seed.evidence] }
      : canary
        ? { key, expected: body, firstByteOnly: false, before: [] }
        : existingKey
          ? { key: existingKey, expected: undefined, firstByteOnly: true, before: [] }
          : undefined;
    let headOutcome: Observation["outcome"] | undefined;
    if (readable === undefined) {
      const why = options.readOnly
        ? `nothing to read: no object under ${prefix} and --read-only writes none`
        : (seedless.get(target) ?? `nothing to read: PutObject did not succeed and no object exists under ${prefix}`);
      const undecided: Observation = { outcome: "ambiguous", reason: why, evidence: [] };
      decide(checkOf(plan, target, "head"), undecided);
      decide(checkOf(plan, target, "get"), undecided);
    } else {
      const readKey = readable.key;
      const [head, get] = await Promise.all([
        request("HeadObject", readKey, "existing-object", (s) => port.headObject(readKey, s)),
        request(readable.firstByteOnly ? "GetObject (first byte)" : "GetObject", readKey, "existing-object", (s) =>
          port.getObject(readKey, readable.firstByteOnly, s),
        ),
      ]);
      headOutcome = head.observation.outcome;
      decide(checkOf(plan, target, "head"), { ...head.observation, evidence: [...readable.before, ...head.observation.evidence] });
      const readBack = "body" in get.result ? get.result.body : undefined;
      const corrupted = readable.expected !== undefined && get.observation.outcome === "allowed" && !sameBytes(readBack, readable.expected);
      const getObservation: Observation = corrupted
        ? { ...get.observation, outcome: "error", errorKind: "unexpected", reason: "GetObject returned other bytes than were written" }
        : get.observation;
      decide(checkOf(plan, target, "get"), { ...getObservation, evidence: [...readable.before, ...getObservation.evidence] });
    }

    if (options.readOnly || keyBelongsToOthers) {
      const why = options.readOnly
        ? "--read-only: nothing is deleted"
        : `${key} existed before this run: the probe never deletes what it did not create`;
      decide(checkOf(plan, target, "delete"), notRun(why));
      return;
    }
    // On the seed where there is one; else on the canary, which may not exist: DeleteObject is
    // authorised before the key is looked up, so 204 and 403 decide and a 404 does not.
    const victim = seed?.entry ?? canary;
    const deleteKey = victim?.key ?? key;
    const del = await request("DeleteObject", deleteKey, "write", (s) => port.deleteObject(deleteKey, undefined, s));
    if (del.observation.outcome === "allowed" && victim && victim.versionId === undefined) ledger.markRemoved(victim);
    if ("deleteMarker" in del.result && del.result.deleteMarker && del.result.versionId) {
      ledger.record({ key: deleteKey, versionId: del.result.versionId, identity: prober.name, cleaners: cleanersFor(prober, target) });
    }
    const evidence = seed ? [seed.evidence, ...del.observation.evidence] : del.observation.evidence;
    const deleteCheck = checkOf(plan, target, "delete");
    if (deleteCheck.expectation === "required" && del.observation.outcome === "allowed" && headOutcome === "denied") {
      // KFP deletes through gocloud, which sends HeadObject first: without read, its deletes fail.
      const reason = "DeleteObject is allowed, but KFP deletes through gocloud, which sends HeadObject first, and that is denied";
      decide(deleteCheck, { ...del.observation, outcome: "denied", reason, evidence });
      return;
    }
    decide(deleteCheck, { ...del.observation, evidence });
  }

  // The uploads KFP makes, each on keys of its own beside the canary.
  async function probeUploads(prober: ProbeIdentity, plan: IdentityPlan, target: Target): Promise<void> {
    const tasks: Promise<void>[] = [];
    if (target.operations.includes("put-checksum")) {
      tasks.push(
        (async () => {
          const key = canaryKey(target.prefix, options.runId, `${prober.name}-crc32`);
          const body = canaryBody(options.runId, "canary with a CRC32 checksum");
          const { put } = await writeProbeObject(prober, target, key, body, "PutObject (CRC32 checksum)", true);
          decide(checkOf(plan, target, "put-checksum"), put.observation);
        })(),
      );
    }
    if (target.operations.includes("multipart")) tasks.push(probeMultipart(prober, plan, target));
    if (target.operations.includes("abort-multipart")) tasks.push(probeAbort(prober, plan, target));
    await Promise.all(tasks);
  }

  async function probeMultipart(prober: ProbeIdentity, plan: IdentityPlan, target: Target): Promise<void> {
    const { port } = prober;
    const key = canaryKey(target.prefix, options.runId, `${prober.name}-multipart`);
    const check = checkOf(plan, target, "multipart");
    const detail = `one part of ${MULTIPART_PART_BYTES / 1024 / 1024} MiB`;
    const create = await request("CreateMultipartUpload", key, "write", (s) => port.createMultipartUpload(key, s), true);
    const uploadId = "uploadId" in create.result ? create.result.uploadId : undefined;
    if (create.observation.outcome !== "allowed" || !uploadId) {
      decide(check, { ...create.observation, detail });
      return;
    }
    const upload = ledger.record({ key, uploadId, identity: prober.name, cleaners: cleanersFor(prober, target) });
    multipartPart ??= new Uint8Array(MULTIPART_PART_BYTES);
    const part = multipartPart;
    const uploaded = await request("UploadPart (5 MiB)", key, "write", (s) => port.uploadPart(key, uploadId, 1, part, s));
    const etag = "etag" in uploaded.result ? uploaded.result.etag : undefined;
    const evidence = [...create.observation.evidence, ...uploaded.observation.evidence];
    if (uploaded.observation.outcome !== "allowed" || !etag) {
      decide(check, { ...uploaded.observation, detail, evidence });
      return;
    }
    const completed = await request("CompleteMultipartUpload", key, "write", (s) =>
      port.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag }], s),
    );
    evidence.push(...completed.observation.evidence);
    if (completed.observation.outcome === "allowed") {
      ledger.markRemoved(upload);
      const versionId = "versionId" in completed.result ? completed.result.versionId : undefined;
      const assembled = ledger.record({ key, ...(versionId ? { versionId } : {}), identity: prober.name, cleaners: cleanersFor(prober, target) });
      // The assembled object is not needed beyond this: remove it now rather than hold 5 MiB.
      const removed = await request("DeleteObject", key, "write", (s) => port.deleteObject(key, undefined, s));
      if (removed.observation.outcome === "allowed" && !versionId) ledger.markRemoved(assembled);
      evidence.push(...removed.observation.evidence);
    }
    decide(check, { ...completed.observation, detail, evidence });
  }

  async function probeAbort(prober: ProbeIdentity, plan: IdentityPlan, target: Target): Promise<void> {
    const { port } = prober;
    const key = canaryKey(target.prefix, options.runId, `${prober.name}-abort`);
    const check = checkOf(plan, target, "abort-multipart");
    // First on an upload that does not exist: where aborting is denied, no upload is left behind.
    const probe = await request("AbortMultipartUpload (no such upload)", key, "missing-upload", (s) =>
      port.abortMultipartUpload(key, NO_SUCH_UPLOAD, s),
    );
    if (probe.observation.outcome !== "allowed") {
      decide(check, probe.observation);
      return;
    }
    // Allowed: confirm on a real upload, as KFP aborts one after a failed part.
    const create = await request("CreateMultipartUpload", key, "write", (s) => port.createMultipartUpload(key, s), true);
    const uploadId = "uploadId" in create.result ? create.result.uploadId : undefined;
    if (create.observation.outcome !== "allowed" || !uploadId) {
      decide(check, { ...probe.observation, evidence: [...probe.observation.evidence, ...create.observation.evidence] });
      return;
    }
    const upload = ledger.record({ key, uploadId, identity: prober.name, cleaners: cleanersFor(prober, target) });
    const abort = await request("AbortMultipartUpload", key, "write", (s) => port.abortMultipartUpload(key, uploadId, s));
    if (abort.observation.outcome === "allowed") ledger.markRemoved(upload);
    decide(check, { ...abort.observation, evidence: [...probe.observation.evidence, ...create.observation.evidence, ...abort.observation.evidence] });
  }

  async function probeIdentity(identity: ProbeIdentity, plan: IdentityPlan): Promise<void> {
    const { port } = identity;
    const bucketChecks = async (): Promise<void> => {
      const [head, location] = await Promise.all([
        request("HeadBucket", undefined, "bucket", (s) => port.headBucket(s)),
        request("GetBucketLocation", undefined, "bucket", (s) => port.getBucketLocation(s)),
      ]);
      decide(checkOf(plan, null, "head-bucket"), withClockAndRegion(head.result, head.observation));
      const region = "region" in location.result ? location.result.region : undefined;
      decide(checkOf(plan, null, "get-bucket-location"), region ? { ...location.observation, detail: `location ${region}` } : location.observation);
    };
    await Promise.all([
      bucketChecks(),
      ...plan.targets.map((target) => probeTarget(identity, plan, target)),
      ...plan.targets.map((target) => probeUploads(identity, plan, target)),
    ]);
  }

  let leftovers: Leftover[];
  try {
    await Promise.all(identities.map((identity, i) => preflight(identity, plans[i] as IdentityPlan)));
    if (!options.readOnly) {
      await Promise.all(
        identities.flatMap((prober, i) =>
          prober.role.kind === "profile" && reachable.has(prober)
            ? (plans[i] as IdentityPlan).targets.filter((t) => t.relation !== "own").map((t) => plantSeed(prober, t))
            : [],
        ),
      );
    }
    await Promise.all(identities.flatMap((identity, i) => (reachable.has(identity) ? [probeIdentity(identity, plans[i] as IdentityPlan)] : [])));
  } finally {
    leftovers = await removeCreated(ledger, options);
  }
  const cleanup = { created: ledger.created, removed: ledger.created - leftovers.length, leftovers };
  const results = plans.flatMap((plan) =>
    plan.checks.map((check) => decided.get(check) ?? { ...check, observation: notRun("not run"), verdict: "not-run" as const }),
  );
  return { plans, results, cleanup };
}

/**
 * Ends an upload the probe left open (a run cut short mid-upload). Aborting needs
 * s3:AbortMultipartUpload, which the reference policies do not grant; then the upload is
 * finished with a one-byte part (s3:PutObject) and the object deleted (s3:DeleteObject).
 */
async function closeUpload(port: S3Port, key: string, uploadId: string, signal: AbortSignal): Promise<ResponseFacts> {
  const abort = await port.abortMultipartUpload(key, uploadId, signal);
  if (classify(abort, "write").outcome === "allowed" || abort.status === 404) return abort;
  const part = await port.uploadPart(key, uploadId, 1, new Uint8Array(1), signal);
  if (!part.etag) return abort;
  const completed = await port.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag: part.etag }], signal);
  if (classify(completed, "write").outcome !== "allowed") return abort;
  const removed = await port.deleteObject(key, undefined, signal);
  if (completed.versionId && classify(removed, "write").outcome === "allowed") {
    return port.deleteObject(key, completed.versionId, signal);
  }
  return removed;
}

/** HeadBucket's answer also says where the bucket is and what time the store thinks it is. */
function withClockAndRegion(facts: ResponseFacts, observation: Observation): Observation {
  const notes: string[] = [];
  if (facts.bucketRegion) notes.push(`region ${facts.bucketRegion}`);
  const clock = readClock(facts.serverDate, Date.now());
  if (clock) {
    const { skewSeconds } = clock;
    notes.push(`store clock ${skewSeconds >= 0 ? "+" : ""}${skewSeconds} s`);
    if (clock.tooFar) {
      return {
        ...observation,
        outcome: "error",
        errorKind: "clock-skew",
        reason: `the store's clock differs from this machine's by ${skewSeconds} s: signatures older than 15 minutes are refused`,
        detail: notes.join(", "),
      };
    }
  }
  return notes.length > 0 ? { ...observation, detail: notes.join(", ") } : observation;
}

/** Each object is removed by the first of its cleaners that may; the rest are reported. */
async function removeCreated(ledger: Ledger, options: ProbeOptions): Promise<Leftover[]> {
  const signals = [AbortSignal.timeout(options.cleanupTimeoutMs), ...(options.cleanupSignal ? [options.cleanupSignal] : [])];
  const signal = AbortSignal.any(signals);
  setMaxListeners(0, signal);
  const limit = pLimit(options.concurrency);
  const leftovers: Leftover[] = [];
  await Promise.all(
    ledger.pending().map((entry) =>
      limit(async () => {
        const failures: string[] = [];
        for (const cleaner of entry.cleaners) {
          const { uploadId } = entry;
          const answer = signal.aborted
            ? ABORTED
            : uploadId
              ? await closeUpload(cleaner.port, entry.key, uploadId, signal)
              : await cleaner.port.deleteObject(entry.key, entry.versionId, signal);
          const { outcome, reason } = classify(answer, "write");
          if (outcome === "allowed" || answer.status === 404) {
            ledger.markRemoved(entry);
            return;
          }
          const request = uploadId ? "AbortMultipartUpload" : "DeleteObject";
          failures.push(outcome === "denied" ? `${request} denied to ${cleaner.identity}` : `${cleaner.identity}: ${reason ?? `${request} failed`}`);
          if (signal.aborted) break;
        }
        leftovers.push({
          key: entry.key,
          ...(entry.versionId ? { versionId: entry.versionId } : {}),
          ...(entry.uploadId ? { uploadId: entry.uploadId } : {}),
          identity: entry.identity,
          reason: failures.join("; "),
        });
      }),
    ),
  );
  return leftovers;
}
