// Witnesses, live (issue 21): with an identity's policies in hand, every key the exact evaluator
// finds it may reach and KFP forbids is tried on the store. A read is decided on an object KFP
// stored there that the same policy reaches (its first byte), else on one planted, by the owner or
// the backend, at a key the policy reaches inside the run's namespace; a write or a delete only
// inside that namespace. Nothing outside a run namespace is written or removed.
import { isProbeKey, PROBE_NAMESPACE, runNamespace } from "../../core/layout.js";
import type { IdentityPlan, PlannedCheck, Target } from "../../core/plan.js";
import { deeperMarkerKey, standardRootOf } from "../../core/sweep-rules.js";
import type { Evidence, Observation } from "../../core/verdict.js";
import { cellIsTaken, firstAllowed, untriedPublicGrants, type Witness, type WitnessCheck, witnessCell, witnessesOf } from "../../core/witness.js";
import type { CreatedObject } from "../ledger.js";
import { notRun, type ProbeIdentity, type RunState } from "../run-state.js";

/**
 * Adds a forbidden check to each plan per witness of its identity's policies, to be run; records
 * what the evaluator could not read in each identity's policies.
 */
export function planWitnesses(state: RunState, plans: IdentityPlan[], profiles: string[]): WitnessCheck[] {
  const subjects = state.options.policies;
  if (!subjects) return [];
  const { layout, bucket, runId } = state.options;
  const known = new Set(profiles);
  if (!plans.some((plan) => plan.role.kind === "anonymous")) {
    const bucketPolicy = [...subjects.values()].find((subject) => subject.bucketPolicy.length > 0)?.bucketPolicy ?? [];
    state.publicUntried = untriedPublicGrants(bucketPolicy, { layout, bucket, runId, profiles });
  }
  return plans.flatMap((plan) => {
    const subject = subjects.get(plan.identity);
    if (!subject) return [];
    const { witnesses, unread, untried } = witnessesOf(plan.identity, subject, { layout, bucket, runId, profiles });
    state.policyUnread.set(plan.identity, unread);
    if (untried.length > 0) state.policyUntried.set(plan.identity, untried);
    return witnesses.map((witness) => {
      const check: PlannedCheck = {
        identity: plan.identity,
        target: witnessCell(witness, known),
        operation: witness.operation,
        expectation: "forbidden",
      };
      plan.checks.push(check);
      const base = witness.plantKey?.slice(0, witness.plantKey.indexOf(PROBE_NAMESPACE)) ?? witness.dir;
      return { witness, check, base, namespace: runNamespace(base, runId) };
    });
  });
}

/** Once the plans are narrowed: a witness whose directory the plan still tries with the same operation is judged in its key's cell. */
export function settleWitnessCells(plans: IdentityPlan[], witnessChecks: WitnessCheck[]): void {
  for (const { witness, check } of witnessChecks) {
    const plan = plans.find((p) => p.identity === check.identity);
    if (plan && check.target && cellIsTaken(plan, check)) check.target.prefix = witness.key;
  }
}

/** How many profiles with their policies in hand keep their whole plan, to check that the store enforces what the policies say. */
const ENFORCEMENT_SAMPLE = 2;

function keepTargets(plan: IdentityPlan, keep: (target: Target) => boolean, witnesses: ReadonlySet<Target | null>): void {
  plan.targets = plan.targets.filter(keep);
  const kept = new Set<Target | null>([null, ...plan.targets, ...witnesses]);
  plan.checks = plan.checks.filter((c) => kept.has(c.target));
}

/**
 * With an identity's policies and the bucket's in hand, all read by the evaluator, what it may do
 * beyond its own prefixes is decided for all keys by the evaluator and its witnesses: its plan
 * keeps its own prefixes, the bucket's checks and its witnesses. A bounded sample (the first
 * profiles by name) keeps the whole plan, so that the store is seen to enforce the policies; the
 * anonymous caller is tried on nobody's prefixes, pipelines/ and the sample's. Where the bucket's
 * policy is not in hand, or a policy holds what the evaluator does not read, nothing is narrowed:
 * the samples are all there is for what that could grant. Returns the sample's names. The backend
 * keeps its plan: every prefix is its own.
 */
export function narrowToProof(state: RunState, plans: IdentityPlan[]): string[] {
  const policies = state.options.policies;
  const anonymous = plans.find((p) => p.role.kind === "anonymous" && policies?.has(p.identity));
  const bucketPolicyInHand = [...(policies?.values() ?? [])].some((subject) => subject.role.kind === "anonymous");
  if (!policies || !bucketPolicyInHand) return [];
  const decided = (plan: IdentityPlan) => policies.has(plan.identity) && (state.policyUnread.get(plan.identity) ?? []).length === 0;
  const covered = plans.filter((p) => p.role.kind === "profile" && decided(p));
  const sample = covered
    .map((p) => p.identity)
    .sort()
    .slice(0, ENFORCEMENT_SAMPLE);
  const sampleProfiles = new Set(covered.filter((p) => sample.includes(p.identity)).map((p) => (p.role.kind === "profile" ? p.role.profile : "")));
  const witnesses = new Set(state.witnessChecks.map((w) => w.check.target));
  for (const plan of covered.filter((p) => !sample.includes(p.identity))) keepTargets(plan, (t) => t.relation === "own", witnesses);
  if (anonymous && decided(anonymous)) keepTargets(anonymous, (t) => t.owner === null || sampleProfiles.has(t.owner), witnesses);
  return [...sample, ...(anonymous && decided(anonymous) ? [anonymous.identity] : [])];
}

/** An object KFP stored under the witness's directory that the policy reaches, by the first identity that may list there. */
async function existingObject(state: RunState, { witness }: WitnessCheck): Promise<{ key: string; evidence: Evidence } | undefined> {
  const subject = state.options.policies?.get(witness.identity);
  if (!subject) return undefined;
  for (const lister of state.listers()) {
    const list = await state.request(`ListObjectsV2 prefix=${witness.dir} (an object the policy reaches)`, undefined, "bucket", (s) =>
      lister.port.listObjects(witness.dir, 1000, s),
    );
    if (list.observation.outcome !== "allowed") continue;
    const keys = "keys" in list.result ? (list.result.keys ?? []) : [];
    const key = firstAllowed(
      subject,
      state.options.bucket,
      "get",
      keys.filter((k) => !isProbeKey(k)),
    );
    return key ? { key, evidence: list.observation.evidence[0] as Evidence } : undefined;
  }
  return undefined;
}

/** The owner of the witness's directory, else the backend: who may plant an object there for it. */
function planterFor(state: RunState, prober: ProbeIdentity, witness: Witness): ProbeIdentity | undefined {
  return [state.identityOwning(witness.owner), state.backend()].find((p) => p !== undefined && p !== prober);
}

/**
 * Before anything is written in a namespace deeper than a sweep looks (one folder below a root),
 * a marker naming it in the folder's own namespace, once per namespace: a killed run's witness
 * objects are found by `sweep` from it. Returns why nothing may be written there, if so.
 */
async function markDeeper(state: RunState, writer: ProbeIdentity, wc: WitnessCheck): Promise<string | undefined> {
  const { layout, runId } = state.options;
  if (standardRootOf(wc.base, layout) === undefined) return `${wc.base} lies outside KFP's prefixes, where the probe writes nothing`;
  const marker = deeperMarkerKey(wc.base, runId, layout);
  if (!marker) return undefined;
  let written = state.deeperMarkers.get(marker);
  if (!written) {
    const label = `PutObject (marker of ${wc.namespace}, as ${writer.name})`;
    written = state
      .writeProbeObject(writer, wc.check.target as Target, marker, state.canaryBody("marker"), label)
      .then(({ entry }) => entry !== undefined);
    state.deeperMarkers.set(marker, written);
  }
  return (await written) ? undefined : `the marker that lets a sweep find ${wc.namespace} could not be written, so nothing is written there`;
}

async function plant(state: RunState, prober: ProbeIdentity, wc: WitnessCheck): Promise<{ entry: CreatedObject; evidence: Evidence } | string> {
  const { witness } = wc;
  if (!witness.plantKey) return `the policy reaches no key inside the run's namespace under ${witness.dir}, where the probe may write`;
  const planter = planterFor(state, prober, witness);
  if (!planter)
    return `no object under ${witness.dir} that the policy reaches, and no one in the run to plant one: add ${witness.owner ? `${witness.owner} or ` : ""}the backend`;
  const unmarked = await markDeeper(state, planter, wc);
  if (unmarked) return unmarked;
  const target = wc.check.target as Target;
  const body = state.canaryBody(`witness for ${prober.name}`);
  const { entry, put } = await state.writeProbeObject(planter, target, witness.plantKey, body, `PutObject (witness, as ${planter.name})`);
  return entry ? { entry, evidence: put.observation.evidence[0] as Evidence } : `${planter.name} could not plant an object at ${witness.plantKey}`;
}

const undecided = (reason: string): Observation => ({ outcome: "ambiguous", reason, evidence: [] });

async function readWitness(state: RunState, prober: ProbeIdentity, wc: WitnessCheck): Promise<Observation> {
  const existing = await existingObject(state, wc);
  if (!existing && state.options.readOnly) return undecided(`no object under ${wc.witness.dir} that the policy reaches, and --read-only plants none`);
  const planted = existing ? undefined : await plant(state, prober, wc);
  if (typeof planted === "string") return undecided(planted);
  const key = existing?.key ?? (planted as { entry: CreatedObject }).entry.key;
  const before = existing ? [existing.evidence] : [(planted as { evidence: Evidence }).evidence];
  const get = await state.request(existing ? "GetObject (first byte)" : "GetObject", key, "existing-object", (s) =>
    prober.port.getObject(key, existing !== undefined, s),
  );
  return { ...get.observation, evidence: [...before, ...get.observation.evidence] };
}

async function writeWitness(state: RunState, prober: ProbeIdentity, wc: WitnessCheck): Promise<Observation> {
  const { plantKey } = wc.witness;
  if (!plantKey) return undecided(`the policy allows writes only outside any run namespace under ${wc.witness.dir}, where the probe never writes`);
  const unmarked = await markDeeper(state, planterFor(state, prober, wc.witness) ?? prober, wc);
  if (unmarked) return undecided(unmarked);
  const target = wc.check.target as Target;
  const { put } = await state.writeProbeObject(prober, target, plantKey, state.canaryBody("witness"), "PutObject (if absent, witness)");
  return put.observation;
}

async function deleteWitness(state: RunState, prober: ProbeIdentity, wc: WitnessCheck): Promise<Observation> {
  const planted = await plant(state, prober, wc);
  if (typeof planted === "string") return undecided(planted);
  const { key } = planted.entry;
  const del = await state.deleteProbeObject(prober, wc.check.target as Target, key, planted.entry, "DeleteObject (witness)");
  return { ...del.observation, evidence: [planted.evidence, ...del.observation.evidence] };
}

const TRY = { get: readWitness, put: writeWitness, delete: deleteWitness } as const;

export async function checkWitness(state: RunState, prober: ProbeIdentity, wc: WitnessCheck): Promise<void> {
  if (state.options.readOnly && wc.witness.operation !== "get") return state.decide(wc.check, notRun("--read-only: nothing is written"));
  state.decide(wc.check, await TRY[wc.witness.operation](state, prober, wc));
}
