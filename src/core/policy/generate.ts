// `kfp-s3-probe policy`: the identity policy that grants exactly what the probe's expectations
// require, for a layout and a bucket. reference: deployKF's reference (bucket-wide ListBucket) plus
// s3:AbortMultipartUpload; strict: ListBucket only under the profile's own prefixes, so no other
// team's key names are listable.
import { type KeyLayout, profileAreaRoots, profilePrefixes } from "../layout.js";
import { BUCKET_ACTIONS, type IamAction, OBJECT_ACTIONS, OPERATIONS } from "../operations.js";
import type { Role } from "../plan.js";

export type PolicyVariant = "reference" | "strict";
export const POLICY_VARIANTS: readonly PolicyVariant[] = ["reference", "strict"];

interface PolicyStatementJson {
  Sid: string;
  Effect: "Allow";
  Action: IamAction[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyJson {
  Version: "2012-10-17";
  Statement: PolicyStatementJson[];
}

const LIST_ACTION = OPERATIONS.list.action;

/** The prefixes an identity's objects live under: the backend's and every profile's, or the profile's own. */
export function grantedPrefixes(role: Role, layout: KeyLayout): string[] {
  if (role.kind === "backend") return [...layout.backendPrefixes, ...profileAreaRoots(layout)];
  if (role.kind === "profile") return profilePrefixes(layout, role.profile);
  return [];
}

function listStatements(role: Role, bucketArn: string, prefixes: string[], variant: PolicyVariant): PolicyStatementJson[] {
  if (variant === "reference" || role.kind === "backend") {
    return [{ Sid: "Bucket", Effect: "Allow", Action: BUCKET_ACTIONS, Resource: [bucketArn] }];
  }
  return [
    // Every bucket action but ListBucket, which is granted under the profile's prefixes only.
    { Sid: "BucketLocation", Effect: "Allow", Action: BUCKET_ACTIONS.filter((a) => a !== LIST_ACTION), Resource: [bucketArn] },
    {
      Sid: "ListOwnPrefixesOnly",
      Effect: "Allow",
      Action: [LIST_ACTION],
      Resource: [bucketArn],
      Condition: { StringLike: { "s3:prefix": prefixes.map((prefix) => `${prefix}*`) } },
    },
  ];
}

export function generatePolicy(role: Role, layout: KeyLayout, bucket: string, variant: PolicyVariant): PolicyJson {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const prefixes = grantedPrefixes(role, layout);
  return {
    Version: "2012-10-17",
    Statement: [
      ...listStatements(role, bucketArn, prefixes, variant),
      // Each resource with its trailing slash: "artifacts/team-1*" would also grant team-10.
      { Sid: "Objects", Effect: "Allow", Action: OBJECT_ACTIONS, Resource: prefixes.map((prefix) => `${bucketArn}/${prefix}*`) },
    ],
  };
}
