// Phase 3c: the uploads KFP makes, each on keys of its own beside the canary: a PutObject with a
// CRC32 checksum, a multipart upload of one 64 KiB part, and AbortMultipartUpload.

import type { ResponseFacts } from "../../core/classify.js";
import { canaryKey } from "../../core/layout.js";
import type { IdentityPlan, Target } from "../../core/plan.js";
import { settled } from "../pool.js";
import { MULTIPART_PART_BYTES, type UploadResult } from "../port.js";
import type { ProbeIdentity, RunState } from "../run-state.js";

/** An upload id no store has: aborting it is authorised before the lookup (403 denied, 404 allowed). */
const NO_SUCH_UPLOAD = "kfp-s3-probe-no-such-upload";
let multipartPart: Uint8Array | undefined;

interface UploadProbe {
  state: RunState;
  prober: ProbeIdentity;
  plan: IdentityPlan;
  target: Target;
}

async function checksumPut({ state, prober, plan, target }: UploadProbe): Promise<void> {
  const key = canaryKey(target.prefix, state.options.runId, `${prober.name}-crc32`);
  const body = state.canaryBody("canary with a CRC32 checksum");
  const { put } = await state.writeProbeObject(prober, target, key, body, "PutObject (CRC32 checksum)", { crc32: true });
  state.decide(state.checkOf(plan, target, "put-checksum"), put.observation);
}

/**
 * A CreateMultipartUpload sent more than once, or with no answer, may have opened an upload whose
 * id the probe never saw: only ListMultipartUploads can find it, which few keys may. Said, not guessed.
 */
function noteUnseenUpload(state: RunState, key: string, result: UploadResult | ResponseFacts): void {
  const attempts = "attempts" in result ? (result.attempts ?? 1) : 1;
  const noAnswer = result.status === undefined && !result.aborted;
  if (attempts <= 1 && !noAnswer) return;
  state.ledger.unseenUploads.set(key, `CreateMultipartUpload ${noAnswer ? "got no answer" : `was sent ${attempts} times`}`);
}

/** Completed: the assembled object is not needed beyond this, so it is removed now rather than hold it. */
async function removeAssembled({ state, prober, target }: UploadProbe, key: string, versionId: string | undefined) {
  const assembled = state.ledger.record({
    state: "created",
    key,
    ...(versionId ? { versionId } : {}),
    identity: prober.name,
    cleaners: state.cleanersFor(prober, target),
  });
  // On a versioned bucket the delete leaves a marker, which the ledger records too.
  const removed = await state.deleteProbeObject(prober, target, key, assembled, "DeleteObject");
  return removed.observation.evidence;
}

async function multipart(probe: UploadProbe, onKey = "multipart"): Promise<void> {
  const { state, prober, plan, target } = probe;
  const { port } = prober;
  const key = canaryKey(target.prefix, state.options.runId, `${prober.name}-${onKey}`);
  const check = state.checkOf(plan, target, "multipart");
  const detail = `one part of ${MULTIPART_PART_BYTES / 1024} KiB`;
  const create = await state.request("CreateMultipartUpload", key, "write", (s) => port.createMultipartUpload(key, s), true);
  noteUnseenUpload(state, key, create.result);
  const uploadId = "uploadId" in create.result ? create.result.uploadId : undefined;
  if (create.observation.outcome !== "allowed" || !uploadId) return state.decide(check, { ...create.observation, detail });
  const upload = state.ledger.record({ key, uploadId, identity: prober.name, cleaners: state.cleanersFor(prober, target), state: "created" });
  multipartPart ??= new Uint8Array(MULTIPART_PART_BYTES);
  const part = multipartPart;
  const uploaded = await state.request("UploadPart (64 KiB)", key, "write", (s) => port.uploadPart(key, uploadId, 1, part, s));
  const etag = "etag" in uploaded.result ? uploaded.result.etag : undefined;
  const evidence = [...create.observation.evidence, ...uploaded.observation.evidence];
  if (uploaded.observation.outcome !== "allowed" || !etag) return state.decide(check, { ...uploaded.observation, detail, evidence });
  const completed = await state.request("CompleteMultipartUpload", key, "write", (s) =>
    port.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag }], s),
  );
  evidence.push(...completed.observation.evidence);
  if (completed.observation.outcome === "allowed") {
    state.ledger.markRemoved(upload);
    const versionId = "versionId" in completed.result ? completed.result.versionId : undefined;
    evidence.push(...(await removeAssembled(probe, key, versionId)));
  }
  state.decide(check, { ...completed.observation, detail, evidence });
}

/** First on an upload that does not exist: where aborting is denied, no upload is left behind. */
async function abort({ state, prober, plan, target }: UploadProbe): Promise<void> {
  const { port } = prober;
  const key = canaryKey(target.prefix, state.options.runId, `${prober.name}-abort`);
  const check = state.checkOf(plan, target, "abort-multipart");
  const probe = await state.request("AbortMultipartUpload (no such upload)", key, "missing-upload", (s) =>
    port.abortMultipartUpload(key, NO_SUCH_UPLOAD, s),
  );
  if (probe.observation.outcome !== "allowed") return state.decide(check, probe.observation);
  // Allowed: confirm on a real upload, as KFP aborts one after a failed part.
  const create = await state.request("CreateMultipartUpload", key, "write", (s) => port.createMultipartUpload(key, s), true);
  noteUnseenUpload(state, key, create.result);
  const uploadId = "uploadId" in create.result ? create.result.uploadId : undefined;
  const evidence = [...probe.observation.evidence, ...create.observation.evidence];
  if (create.observation.outcome !== "allowed" || !uploadId) return state.decide(check, { ...probe.observation, evidence });
  const upload = state.ledger.record({ key, uploadId, identity: prober.name, cleaners: state.cleanersFor(prober, target), state: "created" });
  const aborted = await state.request("AbortMultipartUpload", key, "write", (s) => port.abortMultipartUpload(key, uploadId, s));
  if (aborted.observation.outcome === "allowed") state.ledger.markRemoved(upload);
  state.decide(check, { ...aborted.observation, evidence: [...evidence, ...aborted.observation.evidence] });
}

/**
 * Where the bucket keeps what the run writes (its versions may not be removed), the multipart
 * upload completes on the CRC32 canary's key once that is written: the assembled object's removal
 * then hides both versions behind one marker, one key fewer left for good.
 */
async function checksumThenMultipart(probe: UploadProbe): Promise<void> {
  await checksumPut(probe);
  await multipart(probe, "crc32");
}

export async function uploadsFor(state: RunState, prober: ProbeIdentity, target: Target): Promise<void> {
  const probe: UploadProbe = { state, prober, plan: state.planOf(prober), target };
  const { operations } = target;
  const both = operations.includes("put-checksum") && operations.includes("multipart");
  if (both && state.bucketFacts.versionsRemovable === false) {
    return void (await settled([checksumThenMultipart(probe), ...(operations.includes("abort-multipart") ? [abort(probe)] : [])]));
  }
  // Settled, not raced: a failure is told once the other uploads' writes have their answers.
  await settled([
    ...(operations.includes("put-checksum") ? [checksumPut(probe)] : []),
    ...(operations.includes("multipart") ? [multipart(probe)] : []),
    ...(operations.includes("abort-multipart") ? [abort(probe)] : []),
  ]);
}
