// Phase: know the bucket before writing more than one object (issue 22). Its settings are read by
// the first identity that may (the backend first): versioning, object lock, default encryption,
// lifecycle rules, the bucket policy. Then, where versions may be kept, one object is written and
// looked at: its version id says whether the bucket keeps versions, its head the object lock and
// encryption it got, and removing it by its version id whether this run can remove what it writes.
import type { BucketFacts, Reading } from "../../core/bucket-facts.js";
import { classify, type ResponseFacts } from "../../core/classify.js";
import { canaryKey, profilePrefixes } from "../../core/layout.js";
import type { Target } from "../../core/plan.js";
import { type PolicyDocument, parsePolicy } from "../../core/policy/document.js";
import { UsageError } from "../../core/usage-error.js";
import type { Evidence } from "../../core/verdict.js";
import type { CreatedObject } from "../ledger.js";
import type { EncryptionSetting, S3Port, SettingResult } from "../port.js";
import type { ProbeIdentity, RunState } from "../run-state.js";

/** A setting's request, by the port. */
type SettingRequest<T> = (port: S3Port, signal: AbortSignal) => Promise<SettingResult<T>>;

const answerOf = (facts: ResponseFacts) => [facts.status, facts.errorName ?? facts.systemCode].filter(Boolean).join(" ") || "no answer";

/** One setting, asked of each reader in turn until one may read it; unread names every answer. */
async function readSetting<T>(state: RunState, readers: ProbeIdentity[], label: string, send: SettingRequest<T>): Promise<Reading<T>> {
  const answers: string[] = [];
  for (const reader of readers) {
    const { result } = await state.request(`${label} (the bucket's settings)`, undefined, "bucket", (s) => send(reader.port, s));
    const source = `${label} by ${reader.name}`;
    if ("none" in result && result.none) return { status: "none", source };
    if ("setting" in result && result.setting !== undefined) return { status: "read", value: result.setting, source };
    answers.push(`${answerOf(result)} for ${reader.name}`);
    // Another identity is asked only where this one was denied: an error would be the same for all.
    if (classify(result, "bucket").outcome !== "denied") break;
  }
  return { status: "unread", problem: `${label}: ${answers.join(", ") || "no identity to ask"}` };
}

function policyOf(reading: Reading<string>): Reading<PolicyDocument> {
  if (reading.status !== "read") return reading;
  try {
    return { status: "read", value: parsePolicy(reading.value, reading.source), source: reading.source };
  } catch (error) {
    if (error instanceof UsageError) return { status: "unread", problem: error.message };
    throw error;
  }
}

/** Every setting, all asked at once of the first identity that may list (the backend first): few keys may read them, and each is asked once. */
async function readSettings(state: RunState): Promise<BucketFacts> {
  const readers = state.listers().slice(0, 1);
  const [versioning, objectLock, encryption, lifecycle, policy] = await Promise.all([
    readSetting(state, readers, "GetBucketVersioning", (port, s) => port.getBucketVersioning(s)),
    readSetting(state, readers, "GetObjectLockConfiguration", (port, s) => port.getObjectLockConfiguration(s)),
    readSetting(state, readers, "GetBucketEncryption", (port, s) => port.getBucketEncryption(s)),
    readSetting(state, readers, "GetBucketLifecycleConfiguration", (port, s) => port.getBucketLifecycle(s)),
    readSetting(state, readers, "GetBucketPolicy", (port, s) => port.getBucketPolicy(s)),
  ]);
  return { versioning, objectLock, encryption, lifecycle, policy: policyOf(policy) };
}

/**
 * Who writes the first object, and where: the first lister this process probes, under its own
 * first prefix (the backend's pipelines/, a profile's artifacts/<profile>/), which its plan tries
 * whatever the bucket holds, so that the cleanup lists that namespace. Known before discovery.
 */
function firstWriter(state: RunState): { writer: ProbeIdentity; target: Target } | undefined {
  const probers = new Set(state.probers());
  const { layout } = state.options;
  for (const writer of state.listers().filter((identity) => probers.has(identity))) {
    const { role } = writer;
    const prefix = role.kind === "profile" ? profilePrefixes(layout, role.profile)[0] : layout.backendPrefixes[0];
    if (prefix === undefined) continue;
    const owner = role.kind === "profile" ? role.profile : null;
    return { writer, target: { prefix, relation: "own", owner, operations: ["put"] } };
  }
  return undefined;
}

const FIRST_WRITE = "the run's first write";

interface FirstWrite {
  writer: ProbeIdentity;
  target: Target;
  key: string;
  entry: CreatedObject;
  body: Uint8Array;
  evidence: Evidence;
  encryption?: EncryptionSetting;
}

/** One probe object, written beside the settings' reads; undefined where nobody could write. */
async function writeFirst(state: RunState): Promise<FirstWrite | undefined> {
  const first = firstWriter(state);
  if (!first || state.options.readOnly) return undefined;
  const { writer, target } = first;
  const key = canaryKey(target.prefix, state.options.runId, `first-write-${writer.name}`);
  const body = state.canaryBody("first write");
  const { entry, put } = await state.writeProbeObject(writer, target, key, body, "PutObject (the first write)");
  const encryption = "encryption" in put.result ? put.result.encryption : undefined;
  const evidence = put.observation.evidence[0];
  return entry && evidence ? { writer, target, key, entry, body, evidence, ...(encryption ? { encryption } : {}) } : undefined;
}

/** What the first write tells where the settings could not: versioning by its version id, its encryption. */
function fromFirstWrite(facts: BucketFacts, first: FirstWrite): BucketFacts {
  const learned = { ...facts };
  if (facts.versioning.status === "unread") {
    learned.versioning = first.entry.versionId
      ? { status: "read", value: "enabled", source: `${FIRST_WRITE} had a version id` }
      : { status: "read", value: "never-enabled", source: `${FIRST_WRITE} had no version id (or versioning is suspended)` };
  }
  if (facts.encryption.status !== "read" && first.encryption) {
    learned.encryption = { status: "read", value: first.encryption, source: `${FIRST_WRITE}'s encryption` };
  }
  return learned;
}

/** On a versioned bucket: the object lock the first version got (its head), and whether it can be removed by its version id. */
async function removeFirstVersion(state: RunState, facts: BucketFacts, first: FirstWrite, versionId: string): Promise<BucketFacts> {
  const { writer, key, entry } = first;
  const learned = { ...facts };
  if (facts.objectLock.status === "unread") {
    const head = await state.request("HeadObject (the first write)", key, "existing-object", (s) => writer.port.headObject(key, s));
    const lock = "lock" in head.result ? head.result.lock : undefined;
    if (lock)
      learned.objectLock = {
        status: "read",
        value: { enabled: true, defaultRetention: { mode: lock.mode } },
        source: `${FIRST_WRITE}'s object lock`,
      };
  }
  const removed = await state.request("DeleteObject (the first write, by its version id)", key, "write", (s) =>
    writer.port.deleteObject(key, versionId, s),
  );
  const removable = removed.observation.outcome === "allowed";
  if (removable) state.ledger.markRemoved(entry);
  else if (removed.observation.outcome === "denied") {
    entry.refusal = removed.result.refusedBy === "object-lock" ? "object-lock-retention" : "delete-version-denied";
    // Kept for good: it serves as a seed rather than be one more key left.
    state.spareObject = { entry, body: first.body, evidence: first.evidence, prefix: first.target.prefix, writer };
  }
  return { ...learned, versionsRemovable: removable };
}

/**
 * The bucket's settings and one probe object at once; where that object has a version, whether the
 * run can remove it. Nothing more is written before this is known; nothing at all with --read-only.
 */
export async function learnBucket(state: RunState): Promise<BucketFacts> {
  const [settings, first] = await Promise.all([readSettings(state), writeFirst(state)]);
  if (!first) return settings;
  const facts = fromFirstWrite(settings, first);
  const { versionId } = first.entry;
  return versionId ? removeFirstVersion(state, facts, first, versionId) : facts;
}
