// A generated policy in the form each store takes, with the commands that apply it; and the words
// that name a policy statement behind a finding (check-policy). Words only: the documents are made
// in src/core/policy/generate.ts, the statements found in src/core/policy/evaluate.ts.
import type { PolicyGrant } from "../core/policy/evaluate.js";
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

/** A policy as its store takes it: what it is, its document where the store takes one, and how to apply it. */
export interface PolicyForm {
  /** "team-1: IAM identity policy (reference)" */
  title: string;
  /** The JSON document; none for GCS, whose grants are IAM bindings made by commands. */
  document?: PolicyJson;
  /** How to apply it: comment lines (#) and commands, which read the document from its file. */
  apply: string[];
}

/** The stores that take a policy document (a JSON file). */
export const takesDocument = (store: PolicyStore): boolean => store !== "gcs";

const policyName = (p: PolicyFor) => `kfp-${p.name}-${p.bucket}`;

/** The file a document is written to by default (in the directory -f names, or as the commands name it). */
export const policyFileName = (p: PolicyFor): string => `${policyName(p)}.json`;

function aws(p: PolicyFor, file: string): PolicyForm {
  return {
    title: `${p.name}: IAM identity policy (${p.variant})`,
    document: p.document,
    apply: [
      "# attach it to the IAM user (or role, for IRSA) whose keys the identity uses:",
      `aws iam put-user-policy --user-name USER --policy-name ${policyName(p)} --policy-document file://${file}`,
      `# or: aws iam put-role-policy --role-name ROLE --policy-name ${policyName(p)} --policy-document file://${file}`,
    ],
  };
}

function minio(p: PolicyFor, file: string): PolicyForm {
  return {
    title: `${p.name}: MinIO policy (${p.variant})`,
    document: p.document,
    apply: [
      "# create it and attach it to the identity's access key (mc alias ALIAS for the MinIO server):",
      `mc admin policy create ALIAS ${policyName(p)} ${file}`,
      `mc admin policy attach ALIAS ${policyName(p)} --user ACCESS_KEY_ID`,
    ],
  };
}

function rgw(p: PolicyFor, file: string): PolicyForm {
  return {
    title: `${p.name}: Ceph RGW user policy (${p.variant})`,
    document: p.document,
    apply: [
      "# put it on the RGW user through the IAM API that RGW serves on its S3 endpoint, with the keys of a",
      '# user that has the "user-policy=*" capability (radosgw-admin caps add --caps="user-policy=*"):',
      `aws --endpoint-url RGW_URL iam put-user-policy --user-name RGW_UID --policy-name ${policyName(p)} --policy-document file://${file}`,
    ],
  };
}

/** GCS (HMAC keys belong to a service account): IAM bindings with conditions on the object's name. */
function gcs(p: PolicyFor): PolicyForm {
  const objects = p.prefixes.map((prefix) => `resource.name.startsWith("projects/_/buckets/${p.bucket}/objects/${prefix}")`).join(" || ");
  return {
    title: `${p.name}: GCS IAM bindings for the HMAC key's service account SA (${p.variant})`,
    apply: [
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
    ],
  };
}

/** Each store's form of a policy whose document is (or would be) in `file`. */
export const POLICY_FORMS: Record<PolicyStore, (p: PolicyFor, file: string) => PolicyForm> = { aws, minio, rgw, gcs };

/** The form's first line: what it is, and where its document is (written by -f) or would be. */
function titleLine(form: PolicyForm, file: string, saved: boolean): string {
  if (!form.document) return `# ${form.title}`;
  return saved ? `# ${form.title}, written to ${file}` : `# ${form.title}; -f ${file} writes it to the file the commands read`;
}

/** The whole form to read: what it is, the document, how to apply it. */
export function policyText(form: PolicyForm, file: string, saved: boolean): string {
  const document = form.document ? [JSON.stringify(form.document, null, 2)] : [];
  return [titleLine(form, file, saved), ...document, ...form.apply].join("\n");
}

/** What goes beside a document printed alone (on stderr): what it is and how to apply it. */
export function policyNotes(form: PolicyForm, file: string, saved: boolean): string {
  return [titleLine(form, file, saved), ...form.apply].join("\n");
}

/**
 * The statements behind a finding, each once with the Resources of it that matched:
 * "Statement[2] (Sid ReadTeam2) of policy.json, Resource arn:aws:s3:::b/artifacts/team-2/*".
 */
export function statementsWords(grants: readonly PolicyGrant[]): string | undefined {
  const statements = new Map<string, { grant: PolicyGrant; resources: Set<string> }>();
  for (const grant of grants) {
    const key = `${grant.source}\u0000${grant.statement}`;
    const entry = statements.get(key) ?? { grant, resources: new Set<string>() };
    if (grant.resource) entry.resources.add(grant.resource);
    statements.set(key, entry);
  }
  const words = [...statements.values()].map(({ grant, resources }) => {
    const sid = grant.sid ? ` (Sid ${grant.sid})` : "";
    const resource = resources.size > 0 ? `, Resource ${[...resources].join(" and ")}` : ", by its NotResource";
    return `Statement[${grant.statement}]${sid} of ${grant.source}${resource}`;
  });
  return words.length === 0 ? undefined : words.join("; and ");
}
