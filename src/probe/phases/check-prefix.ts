// Phase 3b: the checks under one prefix, as KFP works there: list, write a canary, read an object
// that exists (a seed, the canary, or one KFP stored), delete.
import { canaryKey, isProbeKey } from "../../core/layout.js";
import type { Operation } from "../../core/operations.js";
import type { IdentityPlan, Target } from "../../core/plan.js";
import type { Evidence, Observation } from "../../core/verdict.js";
import type { CreatedObject } from "../ledger.js";
import { settled } from "../pool.js";
import { notRun, type ProbeIdentity, type RunState, type Seed } from "../run-state.js";

const LIST_PAGE = 20;

/** One identity under one prefix, with its canary's key and bytes. */
interface PrefixProbe {
  state: RunState;
  prober: ProbeIdentity;
  plan: IdentityPlan;
  target: Target;
  key: string;
  body: Uint8Array;
}

/** What can be read under the prefix, and what the read must return. */
interface Readable {
  key: string;
  expected: Uint8Array | undefined;
  firstByteOnly: boolean;
  before: Evidence[];
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a).equals(Buffer.from(b));
}

function decide(probe: PrefixProbe, operation: Operation, observation: Observation): void {
  probe.state.decide(probe.state.checkOf(probe.plan, probe.target, operation), observation);
}

/** Lists the prefix; returns a key KFP stored there, if any. */
async function listPrefix(probe: PrefixProbe): Promise<string | undefined> {
  const { prefix } = probe.target;
  const list = await probe.state.request(`ListObjectsV2 prefix=${prefix}`, undefined, "bucket", (s) =>
    probe.prober.port.listObjects(prefix, LIST_PAGE, s),
  );
  decide(probe, "list", list.observation);
  const listed = ("keys" in list.result ? list.result.keys : undefined) ?? [];
  return listed.find((key) => !isProbeKey(key));
}

/**
 * A conditional PutObject over a shared seed: the store decides the policy first, so 403 is denied
 * and 412 (the key exists) is allowed, with nothing written either way (RGW, on a versioned
 * bucket, writes it: a version of the seed with the same bytes).
 */
async function writeOverSeed(probe: PrefixProbe, seed: Seed): Promise<void> {
  const { state, prober } = probe;
  const { key } = seed.entry;
  // The seed's own bytes: where a store takes the PUT all the same, the others' reads of the seed still hold.
  const put = await state.request("PutObject (if absent, over the seed)", key, "write", (s) =>
    prober.port.putObjectIfAbsent(key, seed.body, s, { crc32: false }),
  );
  const evidence = [seed.evidence, ...put.observation.evidence];
  if (put.result.status === 412) {
    const reason = "the store authorised the write and refused it only because the key exists (412): a new key would be written";
    return decide(probe, "put", { outcome: "allowed", reason, evidence });
  }
  // A 2xx means the store ignored If-None-Match and overwrote the run's own seed: still a write
  // allowed. On a versioned bucket (RGW takes such a PUT) it made a version of the seed, the run's to remove.
  if ("versionId" in put.result && put.result.versionId && put.observation.outcome === "allowed") {
    const { versionId } = put.result;
    state.ledger.record({ key, versionId, identity: prober.name, cleaners: state.cleanersFor(prober, probe.target), state: "created" });
  }
  decide(probe, "put", { ...put.observation, evidence });
}

async function putCanary(probe: PrefixProbe): Promise<CreatedObject | undefined> {
  if (probe.state.options.readOnly) {
    decide(probe, "put", notRun("--read-only: nothing is written"));
    return undefined;
  }
  const { state, target } = probe;
  const slot = state.seedSlot(target);
  const shared = typeof slot === "string" ? state.seeds.get(slot) : undefined;
  if (shared) return void (await writeOverSeed(probe, shared));
  const { entry, put } = await probe.state.writeProbeObject(probe.prober, probe.target, probe.key, probe.body, "PutObject (if absent)");
  decide(probe, "put", put.observation);
  return entry;
}

/**
 * On a seed planted by someone else, else on an object KFP stored that a lister found (first byte
 * only), else on the prober's own canary, else on an object its own listing showed.
 */
function readableObject(probe: PrefixProbe, canary: CreatedObject | undefined, existingKey: string | undefined): Readable | undefined {
  const seed = probe.state.seeds.get(probe.state.seedSlot(probe.target));
  if (seed) return { key: seed.entry.key, expected: seed.body, firstByteOnly: false, before: [seed.evidence] };
  // Where the identity must read, it reads back what it wrote; a KFP object decides only a read it must not make.
  const mustRead = probe.state.checkOf(probe.plan, probe.target, "get").expectation === "required";
  const real = mustRead ? undefined : probe.state.realObjects.get(probe.target.prefix);
  if (real) return { key: real.key, expected: undefined, firstByteOnly: true, before: [] };
  if (canary) return { key: probe.key, expected: probe.body, firstByteOnly: false, before: [] };
  if (existingKey) return { key: existingKey, expected: undefined, firstByteOnly: true, before: [] };
  return undefined;
}

/**
 * Where a profile could not write its own prefix, the backend plants an object there for its read,
 * so that the read is decided all the same (a profile's own v2 reads on an AWS-semantics store).
 */
async function plantedByBackend(probe: PrefixProbe): Promise<Readable | undefined> {
  const { state, prober, target } = probe;
  const backend = state.backend();
  if (target.relation !== "own" || state.options.readOnly || !backend || backend === prober) return undefined;
  const key = canaryKey(target.prefix, state.options.runId, `seed-for-${prober.name}`);
  const body = state.canaryBody(`seed for ${prober.name}`);
  const { entry, put } = await state.writeProbeObject(backend, target, key, body, "PutObject (seed, as backend)");
  return entry ? { key, expected: body, firstByteOnly: false, before: [put.observation.evidence[0] as Evidence] } : undefined;
}

/** On AWS semantics, with s3:ListBucket: a missing key's 404 means the read is allowed, its 403 that it is denied. */
async function readOfMissingKey(probe: PrefixProbe): Promise<Observation | undefined> {
  const { state, prober, plan } = probe;
  if (prober.role.kind === "anonymous" || !state.mayListBucket(plan)) return undefined;
  if (!state.options.missingKeyDecides && !(await state.missingKeyShown())) return undefined;
  const get = await state.request("GetObject (a missing key)", probe.key, "existing-object", (s) => prober.port.getObject(probe.key, true, s));
  const { status } = get.result;
  const why =
    "as on AWS (this store is, or showed it in this run), to an identity that may s3:ListBucket a missing key is 404 where it may read and 403 where it may not";
  if (status === 404) return { ...get.observation, outcome: "allowed", reason: `404 for a missing key: ${why}` };
  if (status === 403) return { ...get.observation, outcome: "denied", reason: `403 for a missing key: ${why}` };
  return undefined;
}

function undecidedRead(probe: PrefixProbe): Observation {
  const { options, seedless } = probe.state;
  const { prefix } = probe.target;
  const why = options.readOnly
    ? `nothing to read: no object under ${prefix} and --read-only writes none`
    : (seedless.get(probe.state.seedSlot(probe.target)) ??
      probe.state.realObjectless.get(prefix) ??
      `nothing to read: PutObject did not succeed and no object exists under ${prefix}`);
  return { outcome: "ambiguous", reason: why, evidence: [] };
}

/** HeadObject (where planned) and GetObject; returns HeadObject's outcome (a gocloud delete needs it). */
async function readBack(probe: PrefixProbe, readable: Readable | undefined): Promise<Observation["outcome"] | undefined> {
  const withHead = probe.target.operations.includes("head");
  if (readable === undefined) {
    const read = (await readOfMissingKey(probe)) ?? undecidedRead(probe);
    if (withHead) decide(probe, "head", read);
    decide(probe, "get", read);
    return undefined;
  }
  const { state, prober } = probe;
  const readKey = readable.key;
  const [head, get] = await Promise.all([
    withHead ? state.request("HeadObject", readKey, "existing-object", (s) => prober.port.headObject(readKey, s)) : undefined,
    state.request(readable.firstByteOnly ? "GetObject (first byte)" : "GetObject", readKey, "existing-object", (s) =>
      prober.port.getObject(readKey, readable.firstByteOnly, s),
    ),
  ]);
  if (head) decide(probe, "head", { ...head.observation, evidence: [...readable.before, ...head.observation.evidence] });
  const readBytes = "body" in get.result ? get.result.body : undefined;
  const corrupted = readable.expected !== undefined && get.observation.outcome === "allowed" && !sameBytes(readBytes, readable.expected);
  const getObservation: Observation = corrupted
    ? { ...get.observation, outcome: "error", errorKind: "unexpected", reason: "GetObject returned other bytes than were written" }
    : get.observation;
  decide(probe, "get", { ...getObservation, evidence: [...readable.before, ...getObservation.evidence] });
  return head?.observation.outcome;
}

/**
 * On the seed where there is one; else on the canary, which may not exist: DeleteObject is
 * authorised before the key is looked up, so 204 and 403 decide and a 404 does not.
 */
async function deleteCheck(probe: PrefixProbe, canary: CreatedObject | undefined, headOutcome: Observation["outcome"] | undefined): Promise<void> {
  const { state, prober, target } = probe;
  const seed = state.seeds.get(state.seedSlot(target));
  const victim = seed?.entry ?? canary;
  const deleteKey = victim?.key ?? probe.key;
  const del = await state.deleteProbeObject(prober, target, deleteKey, victim, "DeleteObject");
  const evidence = seed ? [seed.evidence, ...del.observation.evidence] : del.observation.evidence;
  const required = state.checkOf(probe.plan, target, "delete").expectation === "required";
  if (required && del.observation.outcome === "allowed" && headOutcome === "denied") {
    // KFP deletes through gocloud, which sends HeadObject first: without read, its deletes fail.
    const reason = "DeleteObject is allowed, but KFP deletes through gocloud, which sends HeadObject first, and that is denied";
    decide(probe, "delete", { ...del.observation, outcome: "denied", reason, cause: "delete-needs-read", evidence });
    return;
  }
  decide(probe, "delete", { ...del.observation, evidence });
}

export async function checkPrefix(state: RunState, prober: ProbeIdentity, target: Target): Promise<void> {
  const { runId, readOnly } = state.options;
  const key = canaryKey(target.prefix, runId, prober.name);
  const probe: PrefixProbe = { state, prober, plan: state.planOf(prober), target, key, body: state.canaryBody("canary") };
  const planned = new Set(target.operations);
  // The list goes out beside the write (which waits for the prefix's seed, where it writes over it):
  // what the list finds of the probe's own is never read, so neither waits on the other's answer.
  // Settled, so that a failure is told once the write has its answer.
  const [existingKey, canary] = await settled([
    planned.has("list") ? listPrefix(probe) : Promise.resolve(undefined),
    state.seeded(target).then(() => (planned.has("put") ? putCanary(probe) : undefined)),
  ]);
  // The read is decided on the seed, or an object KFP stored, or the canary, as they are known now.
  await state.searched(target.prefix);
  const readable = planned.has("get") ? (readableObject(probe, canary, existingKey) ?? (await plantedByBackend(probe))) : undefined;
  const headOutcome = planned.has("get") ? await readBack(probe, readable) : undefined;
  if (!planned.has("delete")) return;
  if (readOnly) return decide(probe, "delete", notRun("--read-only: nothing is deleted"));
  await deleteCheck(probe, canary, headOutcome);
}
