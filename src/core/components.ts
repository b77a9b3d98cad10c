// The parts of Kubeflow Pipelines that touch the bucket, as data: whose keys each runs with, every
// S3 request it sends (the call, the key or prefix shape, the list's delimiter, the headers that a
// store can refuse), its client's settings, per KFP release where they changed, and the source
// files they were read in (issue 23). docs/components.md renders the same table for operators.
//
// Each request names the probe's operation that sends the same IAM request (OPERATIONS), and what
// in its shape the probe's request does not share yet; a request no operation stands for says so.
//
// Placeholders in key shapes: {profile} a profile's namespace; {root} the key part of the pipeline
// root (KFP's default `v2/artifacts`, deployKF's `v2/artifacts/{profile}`, the upstream profile
// controller's `private-artifacts/{profile}/v2/artifacts`); {keyFormat} Argo's artifact repository
// keyFormat (deployKF `artifacts/{profile}/{workflow}/{Y}/{m}/{d}/{pod}`, upstream 2.15+
// `private-artifacts/{profile}/{workflow}/{Y}/{m}/{d}/{pod}`).
//
// The upstream store and layout, read for the same issue: KFP 2.15+ installs SeaweedFS (manifests
// `third-party/seaweedfs`, image 4.34 at 2.17.0; `weed server -s3 -iam`, plain HTTP on
// seaweedfs.kubeflow:9000 and :8333, no -s3.domainName so only path-style addressing) with one
// bucket, `mlpipeline`. The backend is the `kubeflow-admin` identity with the Admin action (keys
// of the kubeflow namespace's mlpipeline-minio-artifact Secret). The profile controller (sync.py)
// gives each namespace an IAM user named after it, whose policy allows s3:Put*, s3:Get*, s3:List*
// (and s3:DeleteObject from 2.17.0) on mlpipeline/artifacts/*, private-artifacts/{profile}/*,
// private/{profile}/* and shared/*; from 2.17.0 a bucket policy allows ListBucket for s3:prefix
// private-artifacts/${aws:username}/*, private/${aws:username}/*, artifacts/*, shared/*, a HEAD of
// the bucket, and a top-level listing with delimiter "/" and no prefix, and denies deeper listings
// of another namespace's private prefixes. SeaweedFS's GetBucketLocation answers an empty
// LocationConstraint (us-east-1 to clients), it verifies SigV4 in whatever region the request was
// signed for, and 4.34 reads aws-chunked uploads with trailing x-amz-checksum-crc32/crc32c/crc64nvme.
// Its bucket policies take Allow and Deny with s3:prefix, s3:delimiter and s3:RequestMethod
// conditions (weed/s3api/policy_engine/engine.go); its IAM API's user policies take Allow only
// (weed/iamapi/iamapi_management_handlers.go), so the profile controller denies in the bucket policy.

import type { Operation } from "./operations.js";

/** Where a request's key lies in the layout . */
export type KeyArea = "bucket" | "pipelines" | "v1-artifacts" | "v2-artifacts" | "artifacts" | "elsewhere";

/** Whose keys a component's requests carry: the backend's, or the profile's whose namespace it runs for. */
type Identity = "backend" | "profile";

/** The S3 API calls KFP's components send, by AWS's names. */
type S3Call =
  | "HeadBucket"
  | "GetBucketLocation"
  | "CreateBucket"
  | "ListObjectsV2"
  | "GetObject"
  | "HeadObject"
  | "PutObject"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "DeleteObject";

/** The IAM action each call is authorised by (AWS's "Actions, resources, and condition keys for Amazon S3"). */
export const ACTION_OF_CALL = {
  HeadBucket: "s3:ListBucket",
  GetBucketLocation: "s3:GetBucketLocation",
  CreateBucket: "s3:CreateBucket",
  ListObjectsV2: "s3:ListBucket",
  GetObject: "s3:GetObject",
  HeadObject: "s3:GetObject",
  PutObject: "s3:PutObject",
  CreateMultipartUpload: "s3:PutObject",
  UploadPart: "s3:PutObject",
  CompleteMultipartUpload: "s3:PutObject",
  AbortMultipartUpload: "s3:AbortMultipartUpload",
  DeleteObject: "s3:DeleteObject",
} as const satisfies Record<S3Call, `s3:${string}`>;

/** A file read for a row: repository, the tag or commit read, the path, the lines. */
interface Source {
  repo: string;
  ref: string;
  path: string;
  lines: string;
}

/** What a store sees of a client besides the request itself. "unknown" always comes with a note saying what was not read. */
interface ClientSettings {
  /** The client library and the version KFP's go.mod, package-lock or manifests pin. */
  library: string;
  addressing: "path" | "virtual-host" | "auto" | "unknown";
  /** How it decides the region it signs for. */
  region: string;
  /** How it decides between http and https, and what it trusts. */
  tls: string;
  /** Flexible checksums on uploads and their validation on downloads. */
  checksums: "none" | "crc32" | "unknown";
  /** The payload hash it signs an upload with: a signed SHA-256, UNSIGNED-PAYLOAD, or aws-chunked streaming signatures. */
  payload: string;
  notes: readonly string[];
}

/** How the probe covers a request today: by an operation of OPERATIONS (and what in the shape differs), or not yet. */
type ProbedBy = { operation: Operation; gap: string | null } | { operation: null; gap: string };

export interface ComponentRequest {
  call: S3Call;
  /** What KFP sends it for. */
  purpose: string;
  /** The key, or a listing's prefix, in the placeholders above. */
  key: string;
  /** Where in the layout the key lies: the bucket itself, pipelines/, v1 (Argo's keyFormat) or v2 (the pipeline root) artifacts, either, or elsewhere (a configured or the author's key). */
  at: KeyArea;
  /** A listing's delimiter and page size (max-keys); null where the call is no listing. */
  list: { delimiter: "/" | null; maxKeys: number | "not set" } | null;
  /** The headers a store or a bucket policy can refuse a request over. */
  headers: {
    checksum: "none" | "crc32" | "unknown";
    contentMd5: boolean | "unknown";
    /** Server-side encryption headers, where the install can set them. */
    encryption: string | null;
    range: string | null;
  };
  /** When it is sent; null: every time the component does what `purpose` says. */
  when: string | null;
  /** A condition of the install the probe knows, without which it is not sent (the launcher's pipeline root with a query string). */
  onlyIf?: "root-query-string";
  /** KFP only logs a warning where it fails, and goes on (the API server's bucket check from 2.16). */
  failureIs?: "warning";
  probe: ProbedBy;
}

export interface ComponentEra {
  /** The KFP releases this holds for, as read (tags). */
  kfp: string;
  client: ClientSettings;
  requests: readonly ComponentRequest[];
  sources: readonly Source[];
  notes: readonly string[];
}

interface ComponentRow {
  label: string;
  identity: Identity;
  /** Where the keys come from, and what that means for the identity. */
  identityNote: string;
  eras: readonly ComponentEra[];
}

export type ComponentName =
  | "api-server"
  | "ui"
  | "ui-artifact-proxy"
  | "v2-driver"
  | "v2-launcher"
  | "argo-executor"
  | "cache-server"
  | "persistence-agent";

const KFP = "kubeflow/pipelines";
const ARGO = "argoproj/argo-workflows";
const GOCLOUD = "google/go-cloud";
const MINIO_GO = "minio/minio-go";
const MINIO_JS = "minio/minio-js";

const source = (repo: string, ref: string, path: string, lines: string): Source => ({ repo, ref, path, lines });

const PLAIN = { checksum: "none", contentMd5: false, encryption: null, range: null } as const;
const listing = (delimiter: "/" | null, maxKeys: number | "not set") => ({ delimiter, maxKeys });

// --- the API server -------------------------------------------------------------------------------

const API_MINIO_GO_REGION =
  "ObjectStoreConfig.Region (MINIO_SERVICE_REGION); when empty, minio-go asks GetBucketLocation once per bucket and takes us-east-1 if that is denied";

const apiServerLegacyReads: readonly ComponentRequest[] = [
  {
    call: "GetObject",
    purpose: "read a pipeline spec stored before KFP 2.4 kept specs in the database",
    key: "pipelines/{pipeline-version-id}",
    at: "pipelines",
    list: null,
    headers: PLAIN,
    when: "a pipeline version whose spec is not in the database",
    probe: { operation: "get", gap: "the probe reads a seeded key or a KFP object, not pipelines/{id}" },
  },
  {
    call: "GetObject",
    purpose: "read a v1 run's output artifact for the UI and the API (ReadArtifact)",
    key: "{keyFormat}/{artifact}.tgz, the key Argo recorded in the workflow status",
    at: "v1-artifacts",
    list: null,
    headers: PLAIN,
    when: "a v1 (Argo-artifact) run's artifact is read",
    probe: { operation: "get", gap: "under the profiles' prefixes with the backend's keys" },
  },
  {
    call: "GetObject",
    purpose: "read an archived pod log",
    key: "{ARCHIVE_CONFIG_LOG_PATH_PREFIX, default /artifacts}/{workflow}/{node-id}/main.log",
    at: "elsewhere",
    list: null,
    headers: PLAIN,
    when: "ARCHIVE_CONFIG_LOG_FILE_NAME and _PATH_PREFIX are set and the pod is gone",
    probe: { operation: "get", gap: "the archive prefix is configured, not a layout prefix" },
  },
];

const apiServerCreateBucket: ComponentRequest = {
  call: "CreateBucket",
  purpose: "at start, create the bucket when it does not exist",
  key: "(bucket)",
  at: "bucket",
  list: null,
  headers: PLAIN,
  when: "HeadBucket answered NoSuchBucket",
  probe: { operation: null, gap: "no operation creates a bucket; the probe never creates one" },
};

const apiServerMinioStart: readonly ComponentRequest[] = [
  {
    call: "GetBucketLocation",
    purpose: "minio-go finds the bucket's region before its first request",
    key: "(bucket)",
    at: "bucket",
    list: null,
    headers: PLAIN,
    when: "ObjectStoreConfig.Region is empty",
    probe: { operation: "get-bucket-location", gap: null },
  },
  {
    call: "HeadBucket",
    purpose: "at start, the bucket exists (minio-go BucketExists); any error but NoSuchBucket stops the server (glog.Fatalf)",
    key: "(bucket)",
    at: "bucket",
    list: null,
    headers: PLAIN,
    when: null,
    probe: { operation: "head-bucket", gap: null },
  },
  apiServerCreateBucket,
];

const apiServerMinioWrites: readonly ComponentRequest[] = [
  {
    call: "PutObject",
    purpose: "store an uploaded pipeline version's spec (Content-Type application/octet-stream, one request: Multipart.Disable defaults to true)",
    key: "pipelines/{pipeline-version-id}",
    at: "pipelines",
    list: null,
    headers: PLAIN,
    when: "a pipeline or pipeline version is uploaded",
    probe: {
      operation: "put",
      gap: "over http minio-go signs the body with aws-chunked streaming signatures; the probe sends a signed single payload",
    },
  },
  {
    call: "DeleteObject",
    purpose: "delete a pipeline version's spec",
    key: "pipelines/{pipeline-version-id}",
    at: "pipelines",
    list: null,
    headers: PLAIN,
    when: "a pipeline version is deleted",
    probe: { operation: "delete", gap: "minio-go sends no HeadObject before it; the probe's delete does" },
  },
];

const apiServerBlobStart = (checksums: "none" | "unknown"): readonly ComponentRequest[] => [
  {
    call: "HeadBucket",
    purpose: "at start, the bucket exists (ensureBucketExists); a failure is only a warning",
    key: "(bucket)",
    at: "bucket",
    list: null,
    headers: { ...PLAIN, checksum: checksums },
    when: null,
    failureIs: "warning",
    probe: { operation: "head-bucket", gap: null },
  },
  {
    call: "CreateBucket",
    purpose: "at start, create the bucket (LocationConstraint when the region is not us-east-1)",
    key: "(bucket)",
    at: "bucket",
    list: null,
    headers: { ...PLAIN, checksum: checksums },
    when: "HeadBucket answered NotFound or NoSuchBucket",
    failureIs: "warning",
    probe: { operation: null, gap: "no operation creates a bucket; the probe never creates one" },
  },
];

const apiServer: ComponentRow = {
  label: "API server (ml-pipeline)",
  identity: "backend",
  identityNote:
    'ObjectStoreConfig.AccessKey/SecretAccessKey (OBJECTSTORECONFIG_* from the kubeflow namespace\'s mlpipeline-minio-artifact Secret); config.json defaults them to minio/minio123, so on IRSA they must be set to "" explicitly or the static keys win (deployKF#75, fixed in deployKF#79)',
  eras: [
    {
      kfp: "2.0.0 – 2.3.x",
      client: {
        library: "minio-go v6.0.57",
        addressing: "auto",
        region: API_MINIO_GO_REGION,
        tls: "ObjectStoreConfig.Secure (MINIO_SERVICE_SECURE), default false: http; the system's CAs",
        checksums: "none",
        payload: "http: aws-chunked streaming signatures on PutObject, the SHA-256 of the body otherwise; https: UNSIGNED-PAYLOAD",
        notes: ["auto addressing: virtual-host for Amazon and Google endpoints, path-style for any other (minio-go isVirtualHostStyleRequest)"],
      },
      requests: [...apiServerMinioStart, ...apiServerMinioWrites, ...apiServerLegacyReads],
      sources: [
        source(KFP, "2.0.5", "backend/src/apiserver/client_manager/client_manager.go", "473-515"),
        source(KFP, "2.0.5", "backend/src/apiserver/resource/resource_manager.go", "410, 894, 1355-1373, 1450, 1530, 1610-1627"),
        source(KFP, "2.4.1", "backend/src/apiserver/storage/object_store.go", "54-124"),
        source(KFP, "2.4.1", "backend/src/apiserver/client/minio.go", "createCredentialProvidersChain, CreateMinioClient"),
        source(MINIO_GO, "v6.0.57", "api.go", "755-790 (region, addressing), 860-900 (signing)"),
        source(MINIO_GO, "v6.0.57", "bucket-cache.go", "84-160 (GetBucketLocation, AccessDenied → us-east-1)"),
      ],
      notes: [
        "kubeflow/pipelines#10790 (2.4.0) moved pipeline specs into the database: from 2.4.0 the API server writes and deletes nothing in the bucket",
      ],
    },
    {
      kfp: "2.4.0 – 2.14.x",
      client: {
        library: "minio-go v6.0.57 (2.4 – 2.5), v7.0.94 (2.14: kubeflow/pipelines#12005)",
        addressing: "auto",
        region: API_MINIO_GO_REGION,
        tls: "ObjectStoreConfig.Secure, default false: http; the system's CAs",
        checksums: "none",
        payload: "the SHA-256 of the body over http, UNSIGNED-PAYLOAD over https (it uploads nothing in these releases)",
        notes: ["minio-go v7 adds CRC32C only with Options.TrailingHeaders, which KFP does not set"],
      },
      requests: [...apiServerMinioStart, ...apiServerLegacyReads],
      sources: [
        source(KFP, "2.4.1", "backend/src/apiserver/client_manager/client_manager.go", "475-513"),
        source(KFP, "2.14.0", "backend/src/apiserver/client_manager/client_manager.go", "626-665"),
        source(KFP, "2.4.1", "backend/src/apiserver/resource/resource_manager.go", "977, 1445-1463, 1540"),
        source(MINIO_GO, "v7.0.94", "api-put-object-streaming.go", "649-790"),
      ],
      notes: [],
    },
    {
      kfp: "2.15.x",
      client: {
        library: "aws-sdk-go-v2 (service/s3 v1.58.3) through gocloud.dev v0.40.0 for objects; minio-go v7 for the start-up bucket check",
        addressing: "path",
        region:
          "objects: ObjectStoreConfig.Region, us-east-1 when empty (no GetBucketLocation); the start-up check's minio-go client has no region, so it asks GetBucketLocation",
        tls: "ObjectStoreConfig.Secure prefixes http:// or https:// to ObjectStoreConfig.Host:Port",
        checksums: "none",
        payload: "aws-sdk-go-v2's default: the SHA-256 of the body over http, UNSIGNED-PAYLOAD over https",
        notes: [
          "service/s3 v1.58.3 predates the SDK's default CRC32 checksums (service/s3 v1.73.0)",
          "AccessKey and SecretAccessKey are required: IRSA breaks (kubeflow/pipelines#12508)",
        ],
      },
      requests: [
        {
          call: "GetBucketLocation",
          purpose: "minio-go, in ensureBucketExists, finds the region",
          key: "(bucket)",
          at: "bucket",
          list: null,
          headers: PLAIN,
          when: null,
          probe: { operation: "get-bucket-location", gap: null },
        },
        {
          call: "HeadBucket",
          purpose: "at start, minio-go BucketExists; an error other than NoSuchBucket stops the server (glog.Fatalf in createMinioBucket)",
          key: "(bucket)",
          at: "bucket",
          list: null,
          headers: PLAIN,
          when: null,
          probe: { operation: "head-bucket", gap: null },
        },
        apiServerCreateBucket,
        ...apiServerLegacyReads,
      ],
      sources: [
        source(KFP, "2.15.0", "backend/src/apiserver/client_manager/client_manager.go", "947-1109"),
        source(KFP, "2.15.0", "backend/src/apiserver/storage/blob_object_store.go", "whole file"),
        source(GOCLOUD, "v0.40.0", "blob/s3blob/s3blob.go", "869-960 (GetObject, no Range from NewReader)"),
      ],
      notes: [],
    },
    {
      kfp: "2.16.x",
      client: {
        library: "aws-sdk-go-v2 (service/s3 v1.58.3) through gocloud.dev v0.40.0",
        addressing: "path",
        region: "ObjectStoreConfig.Region, us-east-1 when empty; never GetBucketLocation",
        tls: "ObjectStoreConfig.Secure prefixes http:// or https://",
        checksums: "none",
        payload: "aws-sdk-go-v2's default: the SHA-256 of the body over http, UNSIGNED-PAYLOAD over https",
        notes: ["keys optional again: without them the SDK's default chain (IRSA, web identity) is used (kubeflow/pipelines#12512)"],
      },
      requests: [...apiServerBlobStart("none"), ...apiServerLegacyReads],
      sources: [
        source(KFP, "2.16.0", "backend/src/apiserver/client_manager/client_manager.go", "948-1190"),
        source(KFP, "2.16.0", "go.mod", "github.com/aws/aws-sdk-go-v2/service/s3 v1.58.3"),
      ],
      notes: [],
    },
    {
      kfp: "2.17.x",
      client: {
        library: "aws-sdk-go-v2 (service/s3 v1.97.3) through gocloud.dev v0.40.0",
        addressing: "path",
        region: "ObjectStoreConfig.Region, us-east-1 when empty; never GetBucketLocation",
        tls: "ObjectStoreConfig.Secure prefixes http:// or https://",
        checksums: "none",
        payload: "aws-sdk-go-v2's default: the SHA-256 of the body over http, UNSIGNED-PAYLOAD over https",
        notes: ["RequestChecksumCalculation and ResponseChecksumValidation WhenRequired (kubeflow/pipelines#13315, for #13314)"],
      },
      requests: [...apiServerBlobStart("none"), ...apiServerLegacyReads],
      sources: [
        source(KFP, "2.17.0", "backend/src/apiserver/client_manager/client_manager.go", "937-1180"),
        source(KFP, "2.17.0", "backend/src/apiserver/storage/blob_object_store.go", "69-101"),
        source(KFP, "2.17.0", "backend/src/apiserver/resource/resource_manager.go", "1201-1225, 2060-2095"),
        source(KFP, "2.17.0", "backend/src/apiserver/archive/log.go", "257-265"),
      ],
      notes: [],
    },
  ],
};

// --- the UI ---------------------------------------------------------------------------------------

const uiReads = (listed: boolean): readonly ComponentRequest[] => [
  {
    call: "GetObject",
    purpose:
      "show or download an artifact (source minio or s3; a .tgz is unpacked to its first file); preview is the same GET, cut after `peek` bytes",
    key: "{key} of the artifact URI the page asks for",
    at: "artifacts",
    list: null,
    headers: PLAIN,
    when: null,
    probe: { operation: "get", gap: null },
  },
  {
    call: "GetObject",
    purpose: "an archived pod log, once the pod is gone (ARGO_ARCHIVE_LOGS)",
    key: "{keyFormat of the namespace's artifact-repositories ConfigMap}/main.log",
    at: "v1-artifacts",
    list: null,
    headers: PLAIN,
    when: "ARGO_ARCHIVE_LOGS=true",
    probe: { operation: "get", gap: null },
  },
  ...(listed
    ? [
        {
          call: "ListObjectsV2",
          purpose:
            "a v2 directory artifact: GetObject answered NoSuchKey, so list it (preview: one page of 50; download: all, pages of 300, each object then read and sent as .tar.gz)",
          key: "{key}/",
          at: "v2-artifacts",
          list: listing(null, 300),
          headers: PLAIN,
          when: "GetObject of {key} answered NoSuchKey",
          probe: { operation: "list", gap: "the probe lists a profile's prefix with max-keys of its own, not an artifact's directory" },
        } satisfies ComponentRequest,
      ]
    : []),
];

const UI_MINIO_JS_REGION =
  "source minio: no region is configured, so minio-js asks GetBucketLocation (signed for us-east-1; us-east-1 if denied); source s3: AWS_REGION, default us-east-1";

const UI_CLIENT_2_17: ClientSettings = {
  library: "minio-js 8.0.7",
  addressing: "path",
  region: UI_MINIO_JS_REGION,
  tls: "MINIO_SSL (default false, MINIO_HOST seaweedfs.kubeflow:9000) / AWS_SSL (default true)",
  checksums: "none",
  payload: "http: the SHA-256 of the (empty) body; https: UNSIGNED-PAYLOAD",
  notes: ["getObject sends no Range (getPartialObject with offset 0, length 0)"],
};

const ui: ComponentRow = {
  label: "UI's frontend server (ml-pipeline-ui)",
  identity: "backend",
  identityNote:
    "MINIO_ACCESS_KEY/MINIO_SECRET_KEY of the kubeflow namespace (the backend's keys), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the AWS provider chain for an AWS endpoint with no keys; a pipeline root's secret-backed provider info is honoured only for the server's own namespace (kubeflow/pipelines#12860)",
  eras: [
    {
      kfp: "2.0.0 – 2.3.x",
      client: {
        library: "minio-js ~7.0.0",
        addressing: "unknown",
        region: "unknown: minio-js 7 was not read",
        tls: "MINIO_SSL (default false) / AWS_SSL (default true)",
        checksums: "none",
        payload: "unknown: minio-js 7 was not read",
        notes: ["only minio-js 8.0 (KFP 2.4+) was read"],
      },
      requests: uiReads(false),
      sources: [source(KFP, "2.0.5", "frontend/server/package.json", "minio ~7.0.0")],
      notes: [],
    },
    {
      kfp: "2.4.0 – 2.16.x",
      client: {
        library: "minio-js 8.0.3",
        addressing: "path",
        region: UI_MINIO_JS_REGION,
        tls: "MINIO_SSL (default false) / AWS_SSL (default true); MINIO_ENDPOINT_REWRITE may rewrite the host",
        checksums: "none",
        payload: "http: the SHA-256 of the (empty) body; https: UNSIGNED-PAYLOAD",
        notes: ["minio-js defaults to path-style and uses virtual-host only for Amazon endpoints (isVirtualHostStyle)"],
      },
      requests: uiReads(false),
      sources: [
        source(KFP, "2.4.1", "frontend/server/package-lock.json", "node_modules/minio 8.0.3"),
        source(MINIO_JS, "8.0.7", "src/internal/client.ts", "340-383 (pathStyle, enableSHA256), 809-872 (getBucketRegionAsync)"),
      ],
      notes: [],
    },
    {
      kfp: "2.17.x",
      client: UI_CLIENT_2_17,
      requests: uiReads(true),
      sources: [
        source(KFP, "2.17.0", "frontend/server/minio-helper.ts", "71-157, 234-310, 386-393, 457-502"),
        source(KFP, "2.17.0", "frontend/server/handlers/artifacts.ts", "239-380, 468-598"),
        source(KFP, "2.17.0", "frontend/server/configs.ts", "53-65, 156-177"),
        source(KFP, "2.17.0", "frontend/server/workflow-helper.ts", "222-250"),
        source(MINIO_JS, "8.0.7", "src/internal/client.ts", "1066-1115 (getObject → no Range)"),
      ],
      notes: ["the directory listing came with kubeflow/pipelines#13320 (2.17.0)"],
    },
  ],
};

const uiArtifactProxy: ComponentRow = {
  label: "UI's per-namespace artifact proxy (ml-pipeline-ui-artifact)",
  identity: "profile",
  identityNote:
    "the profile's mlpipeline-minio-artifact Secret (accesskey/secretkey) in its namespace; deployed by the profile controller only with ARTIFACTS_PROXY_ENABLED=true",
  eras: [
    {
      kfp: "2.17.x",
      client: UI_CLIENT_2_17,
      requests: uiReads(true),
      sources: [source(KFP, "2.17.0", "manifests/kustomize/base/installs/multi-user/pipelines-profile-controller/sync.py", "334-449")],
      notes: ["the same frontend image and handlers as the UI, with the namespace's keys; earlier releases not read"],
    },
  ],
};

// --- the v2 driver, launcher and importer ---------------------------------------------------------

const v2Driver: ComponentRow = {
  label: "v2 driver",
  identity: "profile",
  identityNote: "runs in the run's namespace; it reads the kfp-launcher ConfigMap but holds no object-store keys",
  eras: [
    {
      kfp: "2.0.0 – 2.17.x",
      client: {
        library: "none: no S3 client",
        addressing: "unknown",
        region: "not applicable: it sends no S3 request",
        tls: "not applicable",
        checksums: "none",
        payload: "not applicable",
        notes: [],
      },
      requests: [],
      sources: [
        source(KFP, "2.4.1", "backend/src/v2/driver/driver.go", "140-175, 1576-1600"),
        source(KFP, "2.17.0", "backend/src/v2/driver/root_dag.go", "84-130"),
        source(KFP, "2.17.0", "backend/src/v2/driver/driver.go", "741-800"),
      ],
      notes: [
        "it decides what the launcher sends: the pipeline root (the ConfigMap's defaultPipelineRoot, else minio://mlpipeline/v2/artifacts), the session (provider, region, endpoint, Secret) and each output's key, {root}/{pipeline}/{run-id}/{task}/{uuid}/{artifact}",
      ],
    },
  ],
};

const launcherDownloads = (checksums: "none" | "unknown"): readonly ComponentRequest[] => [
  {
    call: "ListObjectsV2",
    purpose: "download an input artifact: list everything under its key (a file or a directory), pages of 1000",
    key: "{root}/{pipeline}/{run-id}/{task}/{uuid}/{artifact}",
    at: "v2-artifacts",
    list: listing(null, 1000),
    headers: { ...PLAIN, checksum: checksums },
    when: "a task has input artifacts",
    probe: { operation: "list", gap: "KFP's prefix is an artifact's key below the profile prefix, without a trailing slash" },
  },
  {
    call: "GetObject",
    purpose: "download each listed object of an input artifact",
    key: "{root}/{pipeline}/{run-id}/{task}/{uuid}/{artifact}[/{file}]",
    at: "v2-artifacts",
    list: null,
    headers: { ...PLAIN, checksum: checksums },
    when: "a task has input artifacts",
    probe: { operation: "get", gap: null },
  },
];

const launcherUploads = (checksum: "none" | "crc32" | "unknown", partSize: string): readonly ComponentRequest[] => [
  {
    call: "PutObject",
    purpose: "upload each file of an output artifact, and the executor's log (executor-logs) when logs are published",
    key: "{root}/{pipeline}/{run-id}/{task}/{uuid}/{artifact}[/{file}]",
    at: "v2-artifacts",
    list: null,
    headers: { checksum, contentMd5: false, encryption: null, range: null },
    when: `a file of at most ${partSize}`,
    probe: { operation: checksum === "crc32" ? "put-checksum" : "put", gap: null },
  },
  {
    call: "CreateMultipartUpload",
    purpose: `upload a file above ${partSize} in parts (then UploadPart, CompleteMultipartUpload)`,
    key: "{root}/{pipeline}/{run-id}/{task}/{uuid}/{artifact}[/{file}]",
    at: "v2-artifacts",
    list: null,
    headers: { checksum, contentMd5: false, encryption: null, range: null },
    when: `a file above ${partSize}`,
    probe: { operation: "multipart", gap: null },
  },
  {
    call: "AbortMultipartUpload",
    purpose: "the SDK's upload manager aborts a failed multipart upload",
    key: "{root}/{pipeline}/{run-id}/{task}/{uuid}/{artifact}[/{file}]",
    at: "v2-artifacts",
    list: null,
    headers: PLAIN,
    when: "a multipart upload failed",
    probe: { operation: "abort-multipart", gap: null },
  },
];

const launcherImporter: ComponentRequest = {
  call: "ListObjectsV2",
  purpose: "the importer with downloadToWorkspace: list, then GetObject each key, of an imported URI",
  key: "{any key the pipeline imports}",
  at: "elsewhere",
  list: listing(null, 1000),
  headers: PLAIN,
  when: "an importer sets download_to_workspace",
  probe: { operation: "list", gap: "the key is the pipeline author's, outside the layout" },
};

const LAUNCHER_SESSION =
  "the run's namespace's kfp-launcher ConfigMap (defaultPipelineRoot, providers); without it the default minio session: region \"minio\", disableSSL true, forcePathStyle true, the namespace's mlpipeline-minio-artifact Secret";

const v2Launcher: ComponentRow = {
  label: "v2 launcher (and importer)",
  identity: "profile",
  identityNote:
    "the Secret the session names in the run's namespace (default mlpipeline-minio-artifact, keys accesskey/secretkey), or fromEnv: the pod's environment and IRSA; upstream before 2.15 the profile controller filled that Secret with the backend's MinIO keys",
  eras: [
    {
      kfp: "2.0.0 – 2.1.x",
      client: {
        library: "aws-sdk-go v1.42.50 through gocloud.dev v0.22.0 (s3manager uploads)",
        addressing: "path",
        region: "minio://: \"minio\", fixed; s3://: the URL's region parameter or the environment (gocloud's URL opener)",
        tls: "minio://: http, fixed (DisableSSL); s3://: the URL's parameters",
        checksums: "none",
        payload: "unknown: aws-sdk-go v1's S3 signer was not read",
        notes: [
          "minio:// uses a fixed endpoint: MINIO_SERVICE_SERVICE_HOST:PORT, else minio-service.kubeflow:9000",
          "the path-style setting is for minio://; s3:// through gocloud's URL opener takes the URL's parameters (unknown beyond that)",
        ],
      },
      requests: [...launcherDownloads("none"), ...launcherUploads("none", "5 MiB (s3manager's default part size)")],
      sources: [
        source(KFP, "2.0.5", "backend/src/v2/objectstore/object_store.go", "47-79, 153-180, 291-342"),
        source(KFP, "2.0.5", "go.mod", "aws-sdk-go v1.42.50, gocloud.dev v0.22.0"),
      ],
      notes: ["the kfp-launcher ConfigMap's providers (per-namespace and per-prefix credentials) came with kubeflow/pipelines#10625 in 2.2.0"],
    },
    {
      kfp: "2.2.0 – 2.14.x",
      client: {
        library:
          "aws-sdk-go v1.55.5 through gocloud.dev v0.40.0 for a session with keys; aws-sdk-go-v2 (service/s3 v1.58.3) through gocloud's URL opener for fromEnv and query-string roots",
        addressing: "path",
        region: `${LAUNCHER_SESSION}; the session's region is sent as given, never GetBucketLocation`,
        tls: "the session's disableSSL; the system's CAs (a CA bundle path for the executor)",
        checksums: "none",
        payload: "unknown: aws-sdk-go v1's S3 signer was not read",
        notes: [
          "forcePathStyle defaults to true (kubeflow/pipelines#11246, 2.4.0; read at 2.4.1)",
          "an endpoint matching ^(https://)?s3.amazonaws.com is dropped so the SDK picks the regional one",
        ],
      },
      requests: [...launcherDownloads("none"), ...launcherUploads("none", "5 MiB (s3manager's default part size)"), launcherImporter],
      sources: [
        source(KFP, "2.4.1", "backend/src/v2/objectstore/object_store.go", "41-87, 243-281"),
        source(KFP, "2.4.1", "backend/src/v2/objectstore/config.go", "194-234"),
        source(KFP, "2.4.1", "backend/src/v2/config/env.go", "163-178"),
        source(KFP, "2.14.0", "backend/src/v2/objectstore/object_store.go", "40-86, 242-280"),
        source(GOCLOUD, "v0.40.0", "blob/s3blob/s3blob.go", "106-120 (URL opener defaults to SDK v2), 499-560 (ListObjectsV2), 1030-1140 (uploads)"),
        source(GOCLOUD, "v0.40.0", "aws/aws.go", "172-179 (UseV2)"),
      ],
      notes: [],
    },
    {
      kfp: "2.15.0 – 2.16.x",
      client: {
        library: "aws-sdk-go-v2 (service/s3 v1.58.3, feature/s3/manager v1.17.10) through gocloud.dev v0.40.0",
        addressing: "path",
        region: `${LAUNCHER_SESSION}, endpoint seaweedfs.kubeflow:9000; never GetBucketLocation`,
        tls: "the session's disableSSL (http:// or https:// prefixed to the endpoint)",
        checksums: "none",
        payload: "aws-sdk-go-v2's default: the SHA-256 of the body over http, UNSIGNED-PAYLOAD over https",
        notes: ["service/s3 v1.58.3 predates the SDK's default CRC32 checksums", "maxRetries from the session (default minio session: 5)"],
      },
      requests: [...launcherDownloads("none"), ...launcherUploads("none", "5 MiB (the manager's default part size)"), launcherImporter],
      sources: [
        source(KFP, "2.15.0", "backend/src/v2/objectstore/object_store.go", "42-90, 246-303"),
        source(KFP, "2.15.0", "go.mod", "service/s3 v1.58.3"),
        source(
          "aws/aws-sdk-go-v2",
          "09a8b4783cd94c005b4a99f7152e0788d9a5fb1d",
          "feature/s3/manager/upload.go",
          "MinUploadPartSize, singlePart, multiuploader",
        ),
      ],
      notes: [],
    },
    {
      kfp: "2.17.x",
      client: {
        library: "aws-sdk-go-v2 (service/s3 v1.97.3, feature/s3/manager v1.17.10) through gocloud.dev v0.40.0",
        addressing: "path",
        region: `${LAUNCHER_SESSION}, endpoint seaweedfs.kubeflow:9000; never GetBucketLocation`,
        tls: "the session's disableSSL",
        checksums: "none",
        payload: "aws-sdk-go-v2's default: the SHA-256 of the body over http, UNSIGNED-PAYLOAD over https",
        notes: [
          "WhenRequired for sessions with keys (kubeflow/pipelines#13315) and for plain s3:// and minio:// roots without a session (#13551)",
          "a root with a query string (deployKF's `?region=…&endpoint=…`) still goes through gocloud's URL opener, which does not set WhenRequired in gocloud v0.40.0: those uploads carry the SDK's default CRC32",
        ],
      },
      requests: [
        ...launcherDownloads("none"),
        ...launcherUploads("none", "5 MiB (the manager's default part size)"),
        {
          call: "PutObject",
          purpose: "upload an output file when the pipeline root has a query string (gocloud's URL opener)",
          key: "{root}/{pipeline}/{run-id}/{task}/{uuid}/{artifact}[/{file}]",
          at: "v2-artifacts",
          list: null,
          headers: { checksum: "crc32", contentMd5: false, encryption: null, range: null },
          when: "the pipeline root carries a query string",
          onlyIf: "root-query-string",
          probe: { operation: "put-checksum", gap: null },
        },
        launcherImporter,
      ],
      sources: [
        source(KFP, "2.17.0", "backend/src/v2/objectstore/object_store.go", "43-109, 176-233, 318-375, 377-416"),
        source(KFP, "2.17.0", "backend/src/v2/objectstore/config.go", "29, 193-259"),
        source(KFP, "2.17.0", "backend/src/v2/config/env.go", "38, 72-83, 177-193"),
        source(KFP, "2.17.0", "backend/src/v2/component/launcher_v2.go", "778-856, 927-1049"),
        source(KFP, "2.17.0", "backend/src/v2/component/importer_launcher.go", "131-150"),
        source(KFP, "2.17.0", "backend/src/v2/metadata/client.go", "391-421"),
        source(GOCLOUD, "v0.40.0", "aws/aws.go", "200-262 (V2ConfigFromURLParams: no checksum setting)"),
      ],
      notes: [
        "kubeflow master after 2.17.0 (gocloud.dev v0.46.0) uploads through the SDK's transfermanager, which sets CRC32 on every upload whatever WhenRequired says, with 8 MiB parts above a 16 MiB threshold (not in a release yet)",
      ],
    },
  ],
};

// --- Argo's workflow executor ---------------------------------------------------------------------

const ARGO_REGION: ComponentRequest = {
  call: "GetBucketLocation",
  purpose: "minio-go finds the bucket's region before its first request",
  key: "(bucket)",
  at: "bucket",
  list: null,
  headers: PLAIN,
  when: "the artifact repository sets no region (KFP's manifests set none)",
  probe: { operation: "get-bucket-location", gap: null },
};

const ARGO_ABORT: ComponentRequest = {
  call: "AbortMultipartUpload",
  purpose: "minio-go aborts a failed multipart upload",
  key: "{keyFormat}/{artifact}.tgz",
  at: "v1-artifacts",
  list: null,
  headers: PLAIN,
  when: "a multipart upload failed",
  probe: { operation: "abort-multipart", gap: null },
};

/** Argo's uploads of an output: whole, or in parts above 16 MiB, with Content-MD5 where its release sends it. */
const argoUploads = (contentMd5: boolean, partChecksum: "none" | "unknown"): readonly ComponentRequest[] => [
  {
    call: "PutObject",
    purpose: "save an output artifact (tar+gzip by default) or the pod's log (archiveLogs) with FPutObject",
    key: "{keyFormat}/{artifact}.tgz, {keyFormat}/main.log",
    at: "v1-artifacts",
    list: null,
    headers: { checksum: "none", contentMd5, encryption: "SSE-KMS or SSE-C when the repository's encryptionOptions ask for it", range: null },
    when: "a file of at most 16 MiB (minio-go v7's minPartSize)",
    probe: {
      operation: "put",
      gap: contentMd5
        ? "Argo sends Content-MD5 and, over http, aws-chunked streaming signatures; the probe sends neither"
        : "over http minio-go signs with aws-chunked streaming signatures",
    },
  },
  {
    call: "CreateMultipartUpload",
    purpose: "save an output above 16 MiB in parts (then UploadPart, CompleteMultipartUpload)",
    key: "{keyFormat}/{artifact}.tgz",
    at: "v1-artifacts",
    list: null,
    headers: { checksum: partChecksum, contentMd5, encryption: "as for PutObject", range: null },
    when: "a file above 16 MiB",
    probe: {
      operation: "multipart",
      gap: contentMd5
        ? "each part carries Content-MD5; the probe's parts carry none"
        : "whether minio-go adds a CRC32C to each part without Content-MD5 was not read for these versions",
    },
  },
];

/** What Argo's executor sends to save an output: the bucket's region, the upload, and the abort of a failed one. */
const argoSaves = (contentMd5: boolean, partChecksum: "none" | "unknown"): readonly ComponentRequest[] => [
  ARGO_REGION,
  ...argoUploads(contentMd5, partChecksum),
  ARGO_ABORT,
];

const argoLoads: readonly ComponentRequest[] = [
  {
    call: "HeadObject",
    purpose: "load an input artifact: FGetObject stats the object first",
    key: "{keyFormat of the producing step}/{artifact}.tgz",
    at: "v1-artifacts",
    list: null,
    headers: PLAIN,
    when: "a step has input artifacts (KFP v1 pipelines)",
    probe: { operation: "head", gap: null },
  },
  {
    call: "GetObject",
    purpose: "load an input artifact",
    key: "{keyFormat of the producing step}/{artifact}.tgz",
    at: "v1-artifacts",
    list: null,
    headers: { ...PLAIN, range: "bytes={size}- only to resume a partial download (.part.minio)" },
    when: "a step has input artifacts",
    probe: { operation: "get", gap: null },
  },
  {
    call: "ListObjectsV2",
    purpose: "the input's key answered NoSuchKey: is it a directory (IsDirectory), one level down",
    key: "{input key}/",
    at: "v1-artifacts",
    list: listing("/", "not set"),
    headers: PLAIN,
    when: "GetObject of an input answered NoSuchKey",
    probe: { operation: null, gap: "no operation lists with a delimiter; the probe's list sends none" },
  },
  {
    call: "ListObjectsV2",
    purpose: "download a directory input (GetDirectory: all keys below, then FGetObject each)",
    key: "{input key}/",
    at: "v1-artifacts",
    list: listing(null, "not set"),
    headers: PLAIN,
    when: "the input is a directory",
    probe: { operation: "list", gap: "below the profile prefix, and the probe sets max-keys" },
  },
];

const argoExecutor: ComponentRow = {
  label: "Argo's workflow executor (argoexec; v1 artifacts and logs)",
  identity: "profile",
  identityNote:
    "the artifact repository's accessKeySecret/secretKeySecret in the workflow's namespace (mlpipeline-minio-artifact), or useSDKCreds; upstream 2.15+ the namespace's artifact-repositories ConfigMap names the profile's own Secret",
  eras: [
    {
      kfp: "2.0.0 – 2.14.x (argoexec v3.3.10 – v3.6.7)",
      client: {
        library: "minio-go v7 (v7.0.24 – v7.0.89) through argoproj/pkg s3",
        addressing: "unknown",
        region: "the artifact repository's region; unknown beyond that: argoproj/pkg s3 was not read",
        tls: "the repository's insecure flag (KFP's manifests: insecure: true, http)",
        checksums: "unknown",
        payload: "unknown: argoproj/pkg s3 was not read",
        notes: ["Content-MD5 on uploads came with argo-workflows#14191 in v3.7.0: not sent before"],
      },
      requests: [...argoSaves(false, "unknown"), ...argoLoads],
      sources: [
        source(ARGO, "v3.6.7", "workflow/artifacts/s3/s3.go", "47-76, 100-160, 211-240"),
        source(KFP, "2.14.0", "manifests/kustomize/third-party/argo", "argoexec:v3.6.7"),
      ],
      notes: [
        "the request list is that of v4.0.5's driver, whose load and save logic v3.6.7's s3.go shares; the client calls underneath were not read",
      ],
    },
    {
      kfp: "2.15.0 – 2.17.x (argoexec v3.7.3, v4.0.5)",
      client: {
        library: "minio-go v7.0.92 (v3.7.3), v7.0.100 (v4.0.5)",
        addressing: "auto",
        region:
          "the artifact repository's region; when empty (KFP's manifests), minio-go asks GetBucketLocation and takes us-east-1 if that is denied",
        tls: "the repository's insecure flag (KFP's manifests and sync.py: insecure: true, http); trustedCA for https",
        checksums: "none",
        payload: "http: aws-chunked streaming signatures on PutObject; https: UNSIGNED-PAYLOAD",
        notes: [
          "auto addressing: virtual-host only for Amazon and Google endpoints (addressingStyle came with argo-workflows#15734 in v4.1.0)",
          "SendContentMd5 is always true (argo-workflows#14191): Content-MD5 on PutObject and on every part, so minio-go adds no CRC32C (v7.0.92: only without Content-MD5; v7.0.100: only with TrailingHeaders, which Argo does not set)",
        ],
      },
      requests: [...argoSaves(true, "none"), ...argoLoads],
      sources: [
        source(ARGO, "v4.0.5", "workflow/artifacts/s3/s3.go", "137-169, 191-214, 305-338, 460-522, 587-720"),
        source(
          ARGO,
          "v4.0.5",
          "workflow/executor/executor.go",
          "375-420 (key: the archive location's key joined with {artifact}.tgz), 680-700 ({container}.log)",
        ),
        source(MINIO_GO, "v7.0.100", "api-get-object-file.go", "66-100 (StatObject first, Range to resume)"),
        source(MINIO_GO, "v7.0.100", "api-list.go", "121-125, 236-262 (delimiter / unless recursive, max-keys only when set)"),
        source(MINIO_GO, "v7.0.100", "constants.go", "28 (minPartSize 16 MiB)"),
        source(MINIO_GO, "v7.0.100", "api-put-object-streaming.go", "44-56, 291-431 (parts: Content-MD5, CRC32C only when AutoChecksum is set)"),
        source(MINIO_GO, "v7.0.92", "api-put-object-streaming.go", "289-400 (CRC32C only without Content-MD5)"),
        source(KFP, "2.17.0", "manifests/kustomize/third-party/argo/base/workflow-controller-configmap-patch.yaml", "15-38"),
      ],
      notes: ["KFP 2.16.0's manifests deploy argoexec v3.7.3, 2.17.0's v4.0.5"],
    },
  ],
};

// --- checked: they send nothing ------------------------------------------------------------------

const NO_CLIENT: ClientSettings = {
  library: "none: no S3 client",
  addressing: "unknown",
  region: "not applicable: it sends no S3 request",
  tls: "not applicable",
  checksums: "none",
  payload: "not applicable",
  notes: [],
};

const cacheServer: ComponentRow = {
  label: "cache server (v1 cache webhook)",
  identity: "backend",
  identityNote: "runs in the kubeflow namespace; holds no object-store keys",
  eras: [
    {
      kfp: "2.4.1, 2.17.0 (read)",
      client: NO_CLIENT,
      requests: [],
      sources: [source(KFP, "2.17.0", "backend/src/cache", "no object-store import (git grep minio|objectstore|s3blob)")],
      notes: ["v2 caching is the driver's, through MLMD and the API server, not the bucket"],
    },
  ],
};

const persistenceAgent: ComponentRow = {
  label: "persistence agent",
  identity: "backend",
  identityNote: "runs in the kubeflow namespace; holds no object-store keys",
  eras: [
    {
      kfp: "2.4.1, 2.17.0 (read)",
      client: NO_CLIENT,
      requests: [],
      sources: [source(KFP, "2.17.0", "backend/src/agent", "no object-store import (git grep minio|objectstore|s3blob)")],
      notes: [],
    },
  ],
};

/** Every part of KFP that was read for its S3 requests, one row each, in the order a run meets them. */
export const COMPONENTS: Readonly<Record<ComponentName, ComponentRow>> = {
  "api-server": apiServer,
  ui,
  "ui-artifact-proxy": uiArtifactProxy,
  "v2-driver": v2Driver,
  "v2-launcher": v2Launcher,
  "argo-executor": argoExecutor,
  "cache-server": cacheServer,
  "persistence-agent": persistenceAgent,
};

/** The components in the table's order (the keys of a literal object are exactly its key type). */
export const COMPONENT_NAMES = Object.keys(COMPONENTS) as ComponentName[];

/** A KFP 2.x release by its minor number: "2.17" is 17. */
type Minor = number;

/** The releases an era holds for, as minor numbers, read from its `kfp` ("2.4.0 – 2.14.x", "2.17.x", "2.4.1, 2.17.0 (read)"). */
export function eraReleases(kfp: string): { from: Minor; to: Minor } {
  const minors = kfp
    .replace(/\s*\(.*\)$/, "")
    .split(/\s*[–,]\s*/)
    .map((release) => /^2\.(\d+)\.(\d+|x)$/.exec(release)?.[1]);
  const [first, last] = [minors[0], minors.at(-1)];
  if (first === undefined || last === undefined || minors.includes(undefined)) throw new Error(`not a KFP 2.x release range: ${kfp}`);
  return { from: Number(first), to: Number(last) };
}

const eraHolds = (era: ComponentEra, minor: Minor): boolean => {
  const { from, to } = eraReleases(era.kfp);
  return from <= minor && minor <= to;
};

/** Every KFP release some era holds for, oldest first, as X.Y. */
export const KFP_RELEASES: readonly string[] = (() => {
  const ranges = Object.values(COMPONENTS).flatMap((row) => row.eras.map((era) => eraReleases(era.kfp)));
  const newest = Math.max(...ranges.map((range) => range.to));
  const oldest = Math.min(...ranges.map((range) => range.from));
  return Array.from({ length: newest - oldest + 1 }, (_, i) => `2.${oldest + i}`);
})();

/** The newest release the table was read for: --kfp-version's default. */
export const NEWEST_KFP_RELEASE = KFP_RELEASES.at(-1) ?? "2.0";

/** A release of KFP_RELEASES (X.Y, all 2.x) by its minor number. */
export const minorOf = (release: string): Minor => Number(release.split(".")[1]);

/** The component's era for a release (X.Y of KFP_RELEASES); none where no era of it was read for that release. */
export function eraOf(component: ComponentName, release: string): ComponentEra | undefined {
  return COMPONENTS[component].eras.find((era) => eraHolds(era, minorOf(release)));
}

/** The components whose requests an operation stands for, in any release or in one (X.Y): who in KFP sends it. */
export function sentBy(operation: Operation, release?: string): ComponentName[] {
  return COMPONENT_NAMES.filter((name) => {
    const eras = release === undefined ? COMPONENTS[name].eras : [eraOf(name, release)].flatMap((era) => (era ? [era] : []));
    return eras.some((era) => era.requests.some((request) => request.probe.operation === operation));
  });
}
