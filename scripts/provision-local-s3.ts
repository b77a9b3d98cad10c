// Provisioning step of scripts/local-s3.sh: creates the KFP bucket as the admin user, attaches
// each identity's IAM user policy through the IAM API that RGW serves on the same endpoint, and
// seeds the objects a running KFP install would have.

import { IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { loadLocalIdentities, policyDocument, publicBucketOf, readLocalS3Settings, seededKeys } from "./local-s3-fixture.js";

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
console.log(
  `buckets ${settings.bucket} and ${publicBucket.name} (anyone may read artifacts/*): ${identities.length} identities with policies, ${seededKeys(identities).length} seeded objects each`,
);
