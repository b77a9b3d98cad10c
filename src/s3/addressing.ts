// Path-style against virtual-hosted addressing: when a store refuses one, the other is tried once.
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { classify } from "../core/classify.js";
import { createS3Client, type StoreSettings } from "./client.js";
import { SdkS3Port } from "./s3-port.js";

/** Preflight failures that the other addressing style may cure. */
export const ADDRESSING_SUSPECTS: ReadonlySet<string> = new Set(["dns", "no-such-bucket", "addressing"]);

/** One bucket-wide list in the other style; says which style works. */
export async function tryOtherAddressing(store: StoreSettings, credentials: AwsCredentialIdentity, bucket: string): Promise<string> {
  const other = { ...store, forcePathStyle: !store.forcePathStyle, maxAttempts: 1 };
  const style = other.forcePathStyle ? "path-style addressing (--path-style)" : "virtual-hosted addressing (--no-path-style)";
  const client = createS3Client(other, credentials);
  try {
    const answer = await new SdkS3Port(client, bucket).listObjects("", 1, AbortSignal.timeout(store.requestTimeoutMs));
    return classify(answer, "bucket").outcome === "error" ? `${style} fails too` : `with ${style} the bucket answers: this store needs it`;
  } finally {
    client.destroy();
  }
}
