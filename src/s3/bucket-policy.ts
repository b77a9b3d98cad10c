// The bucket's own policy (s3:GetBucketPolicy), as each identity may read it: part of the proof
// where it is in hand, since a statement with Principal "*" or naming an identity grants as much
// as that identity's own policy.
import { GetBucketPolicyCommand, type S3Client } from "@aws-sdk/client-s3";
import { type PolicyDocument, parsePolicy } from "../core/policy/document.js";
import { UsageError } from "../core/usage-error.js";
import { factsFromError } from "./s3-port.js";

export type BucketPolicyReading =
  | { document: PolicyDocument; source: string }
  /** The bucket has no policy: nothing in it grants anyone anything. */
  | { none: true; source: string }
  | { problem: string };

export async function readBucketPolicy(client: S3Client, bucket: string, reader: string, signal: AbortSignal): Promise<BucketPolicyReading> {
  const source = `the bucket policy of ${bucket}, read by ${reader}`;
  try {
    const answer = await client.send(new GetBucketPolicyCommand({ Bucket: bucket }), { abortSignal: signal });
    return { document: parsePolicy(answer.Policy ?? "", source), source };
  } catch (error) {
    if (error instanceof UsageError) return { problem: error.message };
    const facts = factsFromError(error);
    if (facts.errorName === "NoSuchBucketPolicy") return { none: true, source: `${bucket} has no bucket policy (read by ${reader})` };
    const answer = [facts.status, facts.errorName ?? facts.systemCode].filter(Boolean).join(" ") || "no answer";
    return { problem: `GetBucketPolicy by ${reader}: ${answer}` };
  }
}
