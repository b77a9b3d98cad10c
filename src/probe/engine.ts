// Runs each identity's plan against the store, decides every check, and removes what it created.
import pLimit from "p-limit";
import { classify, FATAL_ERROR_KINDS, type RequestSubject, type ResponseFacts } from "../core/classify.js";
import { canaryKey, isProbeKey, type KeyLayout } from "../core/layout.js";
import { type IdentityPlan, type Operation, type PlannedCheck, planFor, type Role, type Target } from "../core/plan.js";
import { type CheckResult, hintFor, judge, type Observation } from "../core/verdict.js";
import { type CreatedObject, Ledger, type Leftover } from "./ledger.js";
import type { S3Port } from "./port.js";

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

const LIST_PAGE = 20;
const ABORTED: ResponseFacts = { aborted: true };

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

export async function runProbe(identities: ProbeIdentity[], options: ProbeOptions): Promise<ProbeRun> {
  const limit = pLimit(options.concurrency);
  const ledger = new Ledger();
  const plans = identities.map((identity) => planFor(identity.name, identity.role, options.layout));
  const total = plans.reduce((n, plan) => n + plan.checks.length, 0);
  const decided = new Map<PlannedCheck, CheckResult>();

  const decide = (check: PlannedCheck, observation: Observation): void => {
    const verdict = judge(check.expectation, observation, { strict: options.strict });
    const hint = hintFor(check, observation, verdict, options.bucket);
    decided.set(check, { ...check, observation, verdict, ...(hint ? { hint } : {}) });
    options.onCheckDone?.(decided.size, total);
  };

  async function request<R extends ResponseFacts>(
    label: string,
    key: string | undefined,
    subject: RequestSubject,
    send: (signal: AbortSignal) => Promise<R>,
  ): Promise<{ result: R | ResponseFacts; observation: Observation }> {
    const result = await limit(() => (options.signal.aborted ? ABORTED : send(options.signal)));
    const { outcome, errorKind, reason } = classify(result, subject);
    const evidence = {
      request: label,
      ...(key ? { key } : {}),
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.errorName ? { errorName: result.errorName } : {}),
    };
    return {
      result,
      observation: { outcome, ...(errorKind ? { errorKind } : {}), ...(reason ? { reason } : {}), evidence: [evidence] },
    };
  }

  async function probeIdentity(identity: ProbeIdentity, plan: IdentityPlan): Promise<void> {
    const checkFor = (target: Target | null, operation: Operation): PlannedCheck => {
      const check = plan.checks.find((c) => c.target === target && c.operation === operation);
      if (!check) throw new Error(`no ${operation} check planned for ${target?.prefix ?? "the bucket"}`);
      return check;
    };
    const { port } = identity;

    // One request with a body first: a wrong key, endpoint or bucket shows here, and then
    // nothing else is sent for this identity.
    const preflight = await request("ListObjectsV2 (whole bucket)", undefined, "bucket", (s) => port.listObjects("", 1, s));
    decide(checkFor(null, "list-bucket"), preflight.observation);
    const { errorKind } = preflight.observation;
    if (errorKind && FATAL_ERROR_KINDS.has(errorKind)) {
      const skipped = notRun(`not run: ${preflight.observation.reason ?? errorKind}`);
      for (const check of plan.checks) if (!decided.has(check)) decide(check, skipped);
      return;
    }

    const bucketChecks = async (): Promise<void> => {
      const [head, location] = await Promise.all([
        request("HeadBucket", undefined, "bucket", (s) => port.headBucket(s)),
        request("GetBucketLocation", undefined, "bucket", (s) => port.getBucketLocation(s)),
      ]);
      decide(checkFor(null, "head-bucket"), head.observation);
      const region = "region" in location.result ? location.result.region : undefined;
      decide(checkFor(null, "get-bucket-location"), region ? { ...location.observation, detail: `location ${region}` } : location.observation);
    };

    const probeTarget = async (target: Target): Promise<void> => {
      const { prefix } = target;
      const list = await request(`ListObjectsV2 prefix=${prefix}`, undefined, "bucket", (s) => port.listObjects(prefix, LIST_PAGE, s));
      decide(checkFor(target, "list"), list.observation);
      const listedKeys = "keys" in list.result ? list.result.keys : [];
      const existingKey = listedKeys.find((key) => !isProbeKey(key));

      const key = canaryKey(prefix, options.runId, identity.name);
      const body = new TextEncoder().encode(`kfp-s3-probe canary of run ${options.runId}; safe to delete\n`);
      let canary: CreatedObject | undefined;
      let keyBelongsToOthers = false;
      if (options.readOnly) {
        decide(checkFor(target, "put"), notRun("--read-only: nothing is written"));
      } else {
        const entry = ledger.record({ key, identity: identity.name, port });
        const put = await request("PutObject (if absent)", key, "write", (s) => port.putObjectIfAbsent(key, body, s));
        if ("versionId" in put.result && put.result.versionId) entry.versionId = put.result.versionId;
        if (put.observation.outcome === "allowed") canary = entry;
        else if (definitelyNotWritten(put.result)) ledger.discard(entry);
        keyBelongsToOthers = put.observation.errorKind === "key-exists";
        decide(checkFor(target, "put"), put.observation);
      }

      const readKey = canary ? key : existingKey;
      if (readKey === undefined) {
        const why = options.readOnly
          ? `nothing to read: no object under ${prefix} and --read-only writes none`
          : `nothing to read: PutObject did not succeed and no object exists under ${prefix}`;
        const undecided: Observation = { outcome: "ambiguous", reason: why, evidence: [] };
        decide(checkFor(target, "head"), undecided);
        decide(checkFor(target, "get"), undecided);
      } else {
        const ownObject = canary !== undefined;
        const [head, get] = await Promise.all([
          request("HeadObject", readKey, "existing-object", (s) => port.headObject(readKey, s)),
          request(ownObject ? "GetObject" : "GetObject (first byte)", readKey, "existing-object", (s) =>
            port.getObject(readKey, !ownObject, s),
          ),
        ]);
        decide(checkFor(target, "head"), head.observation);
        const readBack = "body" in get.result ? get.result.body : undefined;
        const corrupted = ownObject && get.observation.outcome === "allowed" && !sameBytes(readBack, body);
        decide(
          checkFor(target, "get"),
          corrupted
            ? { ...get.observation, outcome: "error", errorKind: "unexpected", reason: "GetObject returned other bytes than were written" }
            : get.observation,
        );
      }

      if (options.readOnly || keyBelongsToOthers) {
        const why = options.readOnly ? "--read-only: nothing is deleted" : `${key} existed before this run: the probe never deletes what it did not create`;
        decide(checkFor(target, "delete"), notRun(why));
        return;
      }
      // Without a canary this deletes a run-scoped key that does not exist: 204 where allowed,
      // 403 where denied, and nothing that anyone else wrote can be touched.
      const del = await request("DeleteObject", key, "write", (s) => port.deleteObject(key, undefined, s));
      if (del.observation.outcome === "allowed" && canary && canary.versionId === undefined) ledger.markRemoved(canary);
      if ("deleteMarker" in del.result && del.result.deleteMarker && del.result.versionId) {
        ledger.record({ key, versionId: del.result.versionId, identity: identity.name, port });
      }
      decide(checkFor(target, "delete"), del.observation);
    };

    await Promise.all([bucketChecks(), ...plan.targets.map(probeTarget)]);
  }

  let leftovers: Leftover[];
  try {
    await Promise.all(identities.map((identity, i) => probeIdentity(identity, plans[i] as IdentityPlan)));
  } finally {
    leftovers = await removeCreated(ledger, options);
  }
  const cleanup = { created: ledger.created, removed: ledger.created - leftovers.length, leftovers };
  const results = plans.flatMap((plan) =>
    plan.checks.map((check) => decided.get(check) ?? { ...check, observation: notRun("not run"), verdict: "not-run" as const }),
  );
  return { plans, results, cleanup };
}

async function removeCreated(ledger: Ledger, options: ProbeOptions): Promise<Leftover[]> {
  const signals = [AbortSignal.timeout(options.cleanupTimeoutMs), ...(options.cleanupSignal ? [options.cleanupSignal] : [])];
  const signal = AbortSignal.any(signals);
  const limit = pLimit(options.concurrency);
  const leftovers: Leftover[] = [];
  await Promise.all(
    ledger.pending().map((entry) =>
      limit(async () => {
        const answer = signal.aborted ? ABORTED : await entry.port.deleteObject(entry.key, entry.versionId, signal);
        const { outcome, reason } = classify(answer, "write");
        if (outcome === "allowed" || answer.status === 404) {
          ledger.markRemoved(entry);
          return;
        }
        leftovers.push({
          key: entry.key,
          ...(entry.versionId ? { versionId: entry.versionId } : {}),
          identity: entry.identity,
          reason: outcome === "denied" ? `DeleteObject denied to ${entry.identity}` : (reason ?? "DeleteObject failed"),
        });
      }),
    ),
  );
  return leftovers;
}
