// On a versioned bucket every PutObject, DeleteObject without a version id and
// CompleteMultipartUpload that acts leaves a version or a delete marker at its key. The ledger
// records the ones whose answer names them; this watch notes the keys where one may have acted
// unheard: no answer (a reset, a timeout, a cancelled run), or the SDK sent it more than once (an
// earlier attempt's answer was lost; RGW does not refuse a retried PUT with If-None-Match on a
// versioned bucket, and its HeadObject of a delete marker names no version). One wrapper per
// identity's port, so that every phase's writes, the cleanup's included, are watched.
import type { ResponseFacts } from "../core/classify.js";
import type { Ledger } from "./ledger.js";
import { type S3Port, type WriteResult, withCalls } from "./port.js";

/** Why a write may have acted more often than its answer says; undefined where its answer tells all. */
function unheardActs(answer: WriteResult | ResponseFacts): string | undefined {
  const attempts = "attempts" in answer ? (answer.attempts ?? 1) : 1;
  if (answer.status === undefined) return "got no answer";
  // A refusal (403, 404…) is the policy's or the key's: an earlier attempt was refused as well.
  const refused = answer.status >= 400 && answer.status < 500 && answer.status !== 412;
  return attempts > 1 && !refused ? `was sent ${attempts} times (an earlier attempt's answer was lost)` : undefined;
}

/** The port, with its writes' unheard acts noted in the ledger. */
export function watchVersionWrites(port: S3Port, identity: string, ledger: Ledger): S3Port {
  const noted = <A extends WriteResult>(key: string, call: string, answer: A): A => {
    const why = unheardActs(answer);
    if (why && !ledger.unseenVersions.has(key)) ledger.unseenVersions.set(key, `${call} by ${identity} ${why}`);
    return answer;
  };
  const watched: Pick<S3Port, "putObjectIfAbsent" | "deleteObject" | "completeMultipartUpload"> = {
    putObjectIfAbsent: async (key, body, signal, options) => noted(key, "PutObject", await port.putObjectIfAbsent(key, body, signal, options)),
    deleteObject: async (key, versionId, signal) => {
      const answer = await port.deleteObject(key, versionId, signal);
      // A delete by version id removes, it never makes a version.
      return versionId ? answer : noted(key, "DeleteObject", answer);
    },
    completeMultipartUpload: async (key, uploadId, parts, signal) =>
      noted(key, "CompleteMultipartUpload", await port.completeMultipartUpload(key, uploadId, parts, signal)),
  };
  return withCalls(port, watched);
}
