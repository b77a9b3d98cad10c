// Provisioning step of scripts/local-s3.sh: creates the KFP bucket as the admin user, attaches
// each identity's IAM user policy through the IAM API that RGW serves on the same endpoint, and
// seeds the objects a running KFP install would have.

import { IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  loadLocalIdentities,
  policyDocument,
  publicBucketOf,
  readLocalS3Settings,
  seededKeys,
  type VersionedBucket,
  versionedBucketsOf,
} from "./local-s3-fixture.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const [envFile, projectRoot] = process.argv.slice(2);
if (!envFile || !projectRoot) {
  console.error("usage: provision-local-s3.js ENV_FILE PROJECT_ROOT");
  process.exit(2);
}

const settings = readLocalS3Settings(envFile);
const identities = loadLocalIdentities(projectRoot);
const clientConfig = {
  endpoint: settings.endpoint,
  region: settings.region,
  credentials: { accessKeyId: settings.adminAccessKeyId, secretAccessKey: settings.adminSecretAccessKey },
};
const s3 = new S3Client({
  ...clientConfig,
  forcePathStyle: true,
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
});
const iam = new IAMClient(clientConfig);

// The KFP bucket, and a second one whose bucket policy lets anyone read artifacts/*; every
// identity has the same user policy on both (one policy document per bucket).
const publicBucket = publicBucketOf(projectRoot);
for (const bucket of [settings.bucket, publicBucket.name]) {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const identity of identities) {
    await iam.send(
      new PutUserPolicyCommand({
        UserName: identity.name,
        PolicyName: `kfp-object-store-${bucket}`,
        PolicyDocument: policyDocument(identity, bucket, projectRoot),
      }),
    );
  }
  for (const key of seededKeys(identities)) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `seeded by local-s3: ${key}\n` }));
  }
}
await s3.send(new PutBucketPolicyCommand({ Bucket: publicBucket.name, Policy: publicBucket.policy }));

/** A versioned bucket (issue 22): its versioning, object lock, lifecycle rule, the identities' policies there, and the seeded objects. */
async function provisionVersioned(bucket: VersionedBucket): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket.name, ...(bucket.objectLock ? { ObjectLockEnabledForBucket: true } : {}) }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket.name, VersioningConfiguration: { Status: "Enabled" } }));
  if (bucket.objectLock) {
    const { mode, days } = bucket.objectLock;
    const ObjectLockConfiguration = { ObjectLockEnabled: "Enabled" as const, Rule: { DefaultRetention: { Mode: mode, Days: days } } };
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: bucket.name, ObjectLockConfiguration }));
  }
  if (bucket.noncurrentDays) {
    const rule = {
      ID: "noncurrent",
      Status: "Enabled" as const,
      Filter: { Prefix: "" },
      NoncurrentVersionExpiration: { NoncurrentDays: bucket.noncurrentDays },
    };
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket.name, LifecycleConfiguration: { Rules: [rule] } }));
  }
  for (const identity of identities) {
    const PolicyDocument = policyDocument(identity, bucket.name, projectRoot as string, bucket.extraPolicy);
    await iam.send(new PutUserPolicyCommand({ UserName: identity.name, PolicyName: `kfp-object-store-${bucket.name}`, PolicyDocument }));
  }
  for (const key of seededKeys(identities)) {
    await s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: key, Body: `seeded by local-s3: ${key}\n` }));
  }
}
const versioned = versionedBucketsOf(projectRoot);
for (const bucket of versioned) await provisionVersioned(bucket);
console.log(
  `buckets ${settings.bucket} and ${publicBucket.name} (anyone may read artifacts/*), versioned: ${versioned.map((b) => b.name).join(", ")}: ${identities.length} identities with policies, ${seededKeys(identities).length} seeded objects each`,
);
