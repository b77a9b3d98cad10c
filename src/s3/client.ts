// The S3 client, set up for S3-compatible stores as well as AWS.
import { S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";

export interface StoreSettings {
  endpoint: string;
  region: string;
  /** Path-style addressing (bucket in the path), which MinIO, Ceph and most custom endpoints need. */
  forcePathStyle: boolean;
  requestTimeoutMs: number;
  maxAttempts: number;
}

export function createS3Client(
  settings: StoreSettings,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): S3Client {
  // The SDK warns on Node 20 at client construction; a user's report must not carry it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials,
    maxAttempts: settings.maxAttempts,
    // Since SDK 3.729 uploads carry CRC32 checksums by default, which many stores reject.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      connectionTimeout: settings.requestTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
    },
  });
}
