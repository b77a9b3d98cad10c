// Path-style against virtual-hosted addressing: when a store refuses one, the other is tried once.
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { classify } from "../core/classify.js";
import { createS3Client, type StoreSettings } from "./client.js";
import { SdkS3Port } from "./s3-port.js";

/** Preflight failures that the other addressing style may cure. */
export const ADDRESSING_SUSPECTS: ReadonlySet<string> = new Set(["dns", "no-such-bucket", "addressing"]);

/** The other addressing style, tried once: its flag, and whether the bucket answers with it. */
export interface OtherAddressing {
  flag: "--path-style" | "--no-path-style";
  answers: boolean;
}

/** One bucket-wide list in the other style. */
export async function otherAddressing(store: StoreSettings, credentials: AwsCredentialIdentity, bucket: string): Promise<OtherAddressing> {
  const other = { ...store, forcePathStyle: !store.forcePathStyle, maxAttempts: 1 };
  const client = createS3Client(other, credentials);
  try {
    const answer = await new SdkS3Port(client, bucket).listObjects("", 1, AbortSignal.timeout(store.requestTimeoutMs));
    return { flag: other.forcePathStyle ? "--path-style" : "--no-path-style", answers: classify(answer, "bucket").outcome !== "error" };
  } finally {
    client.destroy();
  }
}

/** What the other style did, as the report's note says it. */
export function addressingNote({ flag, answers }: OtherAddressing): string {
  const style = flag === "--path-style" ? "path-style addressing (--path-style)" : "virtual-hosted addressing (--no-path-style)";
  return answers ? `with ${style} the bucket answers: this store needs it` : `${style} fails too`;
}
