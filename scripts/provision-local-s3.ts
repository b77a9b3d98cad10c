// Provisioning step of scripts/local-s3.sh: creates the KFP bucket as the admin user, attaches
// each identity's IAM user policy through the IAM API that RGW serves on the same endpoint, and
// seeds the objects a running KFP install would have.

import { IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { loadLocalIdentities, policyDocument, readLocalS3Settings, seededKeys } from "./local-s3-fixture.js";

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

await s3.send(new CreateBucketCommand({ Bucket: settings.bucket }));
for (const identity of identities) {
  await iam.send(
    new PutUserPolicyCommand({
      UserName: identity.name,
      PolicyName: "kfp-object-store",
      PolicyDocument: policyDocument(identity, settings.bucket, projectRoot),
    }),
  );
}
for (const key of seededKeys(identities)) {
  await s3.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: `seeded by local-s3: ${key}\n` }));
}
console.log(`bucket ${settings.bucket}: ${identities.length} identities with policies, ${seededKeys(identities).length} seeded objects`);
