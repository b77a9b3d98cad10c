// Every operation the probe checks, one row each: what IAM decides it by, what it lists, where the
// plan tries it, the text report's column and which part of KFP sends it. The plan, the causes, the
// offline evaluator, the policy generator and the report read these rows; `Operation` is the
// table's keys, so an operation without a row is a type error. A new operation is a row here, the
// request in the port (if it is a new S3 call) and a phase that sends it (if it is a new kind of check).

/** The parts of Kubeflow Pipelines that send S3 requests with the keys under test. */
type KfpComponent = "api-server" | "v2-launcher" | "argo-executor" | "ui";

interface OperationRow {
  /** bucket: one check per identity; object: one per prefix the identity is tried under. */
  scope: "bucket" | "object";
  /** The IAM action the store authorises the request by. */
  action: `s3:${string}`;
  /**
   * The resource of the IAM request it stands for: the bucket's ARN; the bucket's ARN with the
   * prefix as s3:prefix (a listing); an object's ARN under the prefix.
   */
  resource: "bucket" | "listing" | "object";
  /** The key names its answer shows: null, the whole bucket's or a prefix's. Allowed where it must not be, that is exposure, not a leak. */
  lists: "bucket-wide" | "prefix" | null;
  /** recommended: KFP works without it, but leaves debris (AbortMultipartUpload). */
  need: "required" | "recommended";
  /** Which plan tries it: always; uploads: where artifacts are written (off: --read-only); multipart: among those (off: --no-multipart). */
  when: "always" | "uploads" | "multipart";
  /** Tried by the unsigned caller too. */
  anonymous: boolean;
  /** In the pairs matrix, the read and the conditional write that decide another profile's prefixes. */
  pair: "read" | "write" | null;
  /** The text report's column (object operations) or its name on the bucket line. */
  label: string;
  /** Who in KFP sends it, as this project's README describes KFP. */
  sentBy: readonly KfpComponent[];
}

export const OPERATIONS = {
  "head-bucket": {
    scope: "bucket",
    action: "s3:ListBucket",
    resource: "bucket",
    lists: null,
    need: "required",
    when: "always",
    anonymous: false,
    pair: null,
    label: "HeadBucket",
    sentBy: ["api-server"],
  },
  // Argo assumes us-east-1 where it is denied.
  "get-bucket-location": {
    scope: "bucket",
    action: "s3:GetBucketLocation",
    resource: "bucket",
    lists: null,
    need: "required",
    when: "always",
    anonymous: false,
    pair: null,
    label: "GetBucketLocation",
    sentBy: ["api-server", "argo-executor"],
  },
  "list-bucket": {
    scope: "bucket",
    action: "s3:ListBucket",
    resource: "bucket",
    lists: "bucket-wide",
    need: "required",
    when: "always",
    anonymous: true,
    pair: null,
    label: "ListBucket (all)",
    sentBy: ["api-server"],
  },
  list: {
    scope: "object",
    action: "s3:ListBucket",
    resource: "listing",
    lists: "prefix",
    need: "required",
    when: "always",
    anonymous: true,
    pair: null,
    label: "List",
    sentBy: ["v2-launcher", "argo-executor"],
  },
  put: {
    scope: "object",
    action: "s3:PutObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "always",
    anonymous: true,
    pair: "write",
    label: "Put",
    sentBy: ["api-server", "v2-launcher", "argo-executor"],
  },
  head: {
    scope: "object",
    action: "s3:GetObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "always",
    anonymous: true,
    pair: null,
    label: "Head",
    sentBy: ["api-server", "v2-launcher"],
  },
  get: {
    scope: "object",
    action: "s3:GetObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "always",
    anonymous: true,
    pair: "read",
    label: "Get",
    sentBy: ["api-server", "v2-launcher", "argo-executor", "ui"],
  },
  // KFP deletes through gocloud, which sends HeadObject first.
  delete: {
    scope: "object",
    action: "s3:DeleteObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "always",
    anonymous: false,
    pair: null,
    label: "Del",
    sentBy: ["api-server"],
  },
  // A PutObject with a CRC32 checksum, as the v2 launcher's transfer manager sends it.
  "put-checksum": {
    scope: "object",
    action: "s3:PutObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "uploads",
    anonymous: false,
    pair: null,
    label: "CRC",
    sentBy: ["v2-launcher"],
  },
  // Create, UploadPart, Complete: the v2 launcher above 8 MiB, Argo above 16 MiB.
  multipart: {
    scope: "object",
    action: "s3:PutObject",
    resource: "object",
    lists: null,
    need: "required",
    when: "multipart",
    anonymous: false,
    pair: null,
    label: "MPU",
    sentBy: ["v2-launcher", "argo-executor"],
  },
  // After a failed upload; the reference policies lack it.
  "abort-multipart": {
    scope: "object",
    action: "s3:AbortMultipartUpload",
    resource: "object",
    lists: null,
    need: "recommended",
    when: "multipart",
    anonymous: false,
    pair: null,
    label: "Abrt",
    sentBy: ["v2-launcher", "argo-executor"],
  },
} as const satisfies Record<string, OperationRow>;

export type Operation = keyof typeof OPERATIONS;
type Row<O extends Operation> = (typeof OPERATIONS)[O];
/** Every IAM action an operation is decided by. */
export type IamAction = Row<Operation>["action"];
export type BucketOperation = { [O in Operation]: Row<O>["scope"] extends "bucket" ? O : never }[Operation];
export type ObjectOperation = Exclude<Operation, BucketOperation>;

/**
 * Every operation in the table's order, which is the order of the plan's checks, of the report's
 * and of the text columns (the keys of a literal object are exactly its key type; TypeScript types
 * Object.keys as string[] for objects in general).
 */
export const OPERATION_NAMES = Object.keys(OPERATIONS) as Operation[];

export const isBucketOperation = (operation: Operation): operation is BucketOperation => OPERATIONS[operation].scope === "bucket";
export const isObjectOperation = (operation: Operation): operation is ObjectOperation => !isBucketOperation(operation);

/** The object operations that pass a test of their rows, in the table's order. */
export function objectOperationsWhere(test: (row: OperationRow) => boolean): ObjectOperation[] {
  return OPERATION_NAMES.filter(isObjectOperation).filter((operation) => test(OPERATIONS[operation]));
}

/** The order deployKF's reference policies list their actions in; actions they lack follow, in the table's order. */
const REFERENCE_ORDER: readonly IamAction[] = ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
const rank = (action: IamAction) => (REFERENCE_ORDER.includes(action) ? REFERENCE_ORDER.indexOf(action) : REFERENCE_ORDER.length);

/** The IAM actions of the operations whose requests name this kind of resource, each once, in deployKF's order. */
function actionsOn(resources: readonly OperationRow["resource"][]): IamAction[] {
  const actions = new Set(OPERATION_NAMES.filter((o) => resources.includes(OPERATIONS[o].resource)).map((o) => OPERATIONS[o].action));
  return [...actions].sort((a, b) => rank(a) - rank(b));
}

/** Every action of the bucket requests and listings: s3:GetBucketLocation, s3:ListBucket. */
export const BUCKET_ACTIONS = actionsOn(["bucket", "listing"]);
/** Every action on objects: read, write (multipart included), delete, and abort a failed upload. */
export const OBJECT_ACTIONS = actionsOn(["object"]);
