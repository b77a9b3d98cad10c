// A generated policy in the form each store takes, with the command that applies it. Words only:
// the documents are made in src/core/policy/generate.ts.
import type { PolicyJson } from "../core/policy/generate.js";

export type PolicyStore = "aws" | "minio" | "rgw" | "gcs";
export const POLICY_STORES: readonly PolicyStore[] = ["aws", "minio", "rgw", "gcs"];

export interface PolicyFor {
  /** backend, or the profile's name */
  name: string;
  bucket: string;
  document: PolicyJson;
  /** Object prefixes the identity gets (for GCS's conditions). */
  prefixes: string[];
  variant: "reference" | "strict";
}

const json = (document: PolicyJson) => JSON.stringify(document, null, 2);
const policyName = (p: PolicyFor) => `kfp-${p.name}-${p.bucket}`;

function aws(p: PolicyFor): string {
  return [
    `# ${p.name}: IAM identity policy (${p.variant}), saved as ${policyName(p)}.json`,
    json(p.document),
    "# attach it to the IAM user (or role, for IRSA) whose keys the identity uses:",
    `aws iam put-user-policy --user-name USER --policy-name ${policyName(p)} --policy-document file://${policyName(p)}.json`,
    `# or: aws iam put-role-policy --role-name ROLE --policy-name ${policyName(p)} --policy-document file://${policyName(p)}.json`,
  ].join("\n");
}

function minio(p: PolicyFor): string {
  return [
    `# ${p.name}: MinIO policy (${p.variant}), saved as ${policyName(p)}.json`,
    json(p.document),
    "# create it and attach it to the identity's access key (mc alias ALIAS for the MinIO server):",
    `mc admin policy create ALIAS ${policyName(p)} ${policyName(p)}.json`,
    `mc admin policy attach ALIAS ${policyName(p)} --user ACCESS_KEY_ID`,
  ].join("\n");
}

function rgw(p: PolicyFor): string {
  return [
    `# ${p.name}: Ceph RGW user policy (${p.variant}), saved as ${policyName(p)}.json`,
    json(p.document),
    "# put it on the RGW user through the IAM API that RGW serves on its S3 endpoint, with the keys of a",
    '# user that has the "user-policy=*" capability (radosgw-admin caps add --caps="user-policy=*"):',
    `aws --endpoint-url RGW_URL iam put-user-policy --user-name RGW_UID --policy-name ${policyName(p)} --policy-document file://${policyName(p)}.json`,
  ].join("\n");
}

/** GCS (HMAC keys belong to a service account): IAM bindings with conditions on the object's name. */
function gcs(p: PolicyFor): string {
  const objects = p.prefixes.map((prefix) => `resource.name.startsWith("projects/_/buckets/${p.bucket}/objects/${prefix}")`).join(" || ");
  return [
    `# ${p.name}: GCS IAM bindings for the HMAC key's service account SA (${p.variant})`,
    "# objects: read, write and delete under its prefixes only (an IAM condition on the object's name):",
    `gcloud storage buckets add-iam-policy-binding gs://${p.bucket} --member=serviceAccount:SA --role=roles/storage.objectUser \\`,
    `  --condition='title=kfp-${p.name},expression=${objects}'`,
    "# listing: storage.objects.list is checked on the bucket, not on an object, so no condition can limit it",
    "# to a prefix: the service account needs it unconditioned (roles/storage.objectViewer would also give",
    "# reads; a custom role with storage.objects.list and storage.buckets.get alone is closer):",
    `gcloud storage buckets add-iam-policy-binding gs://${p.bucket} --member=serviceAccount:SA --role=projects/PROJECT/roles/kfpBucketList`,
    p.variant === "strict"
      ? "# GCS cannot express the strict variant: whoever may list may list every key name of the bucket."
      : "# As with the reference policies elsewhere, the key names of the whole bucket are listable.",
  ].join("\n");
}

export const POLICY_FORMS: Record<PolicyStore, (p: PolicyFor) => string> = { aws, minio, rgw, gcs };
