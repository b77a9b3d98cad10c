// The words of --help: usage, what each flag does, and the epilogue with credentials, what is
// checked, safety and the exit codes (from the one table in core/exit-codes.ts).
import { EXIT_CODE_TABLE } from "../../core/exit-codes.js";
import type { FieldName } from "./fields.js";

/** The run's own forms, the first lines of the tool's usage (../commands.ts adds every command's). */
export const RUN_FORMS =
  "Usage: kfp-s3-probe (--backend | --profile NAME) --endpoint URL --bucket NAME [options]\n" +
  "       kfp-s3-probe --identity backend=DIR --identity team-1=DIR ... --endpoint URL --bucket NAME\n" +
  "       kfp-s3-probe --config probe.yaml";

export const ABOUT =
  "Checks that object-store credentials can do what Kubeflow Pipelines needs in its bucket,\n" +
  "and that no profile can reach another profile's artifacts.";

export const DESCRIPTIONS: Record<FieldName, string> = {
  backend: "probe the KFP backend's keys (API server, UI, Argo)",
  profile: "probe the keys of this KFP profile (its Kubernetes namespace); an AWS named profile is chosen with AWS_PROFILE and --credentials chain",
  name: "identity name in the report (default: backend or the profile)",
  identity: "NAME=DIR, repeatable: backend or a profile, with its mounted Secret directory; several in one run",
  config: "YAML file with the store and any number of identities (see README)",
  values: "deployKF values file: store, bucket, the backend and every profile, with their Secrets",
  "secrets-root": "with --values: where each Secret is mounted, as DIR/<secret-name>/<key>",
  junit: "also write a JUnit XML report to this file (one testcase per cell)",
  sarif: "also write a SARIF 2.1.0 report to this file (for code-scanning dashboards; one rule per cause)",
  "other-profile": "NAME, repeatable: a profile to try the identities against, beyond those found in the bucket",
  "max-profiles": "at most this many profiles beyond the run are tried (found in the bucket or named); the report says when it cut",
  discover: "list artifacts/ and v2/artifacts/ for the bucket's profiles and try each identity against them; --no-discover skips it",
  anonymous: "also try the anonymous caller (unsigned requests) under every prefix; --no-anonymous skips it",
  endpoint: "S3 endpoint with scheme, e.g. http://minio.kubeflow:9000 (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)",
  bucket: "the KFP bucket",
  provider: "preset endpoint form, region, addressing and checksums for this store (each overridable)",
  region: "signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the provider's, else detected or us-east-1)",
  "path-style": "path-style addressing (default: on, off for AWS and OSS)",
  checksums: "SDK checksums on requests (default when-required; when-supported on AWS)",
  "ca-bundle": "PEM file of a private CA, trusted in addition to the public roots (default: AWS_CA_BUNDLE)",
  "insecure-skip-tls-verify": "accept any TLS certificate (diagnosis only; said in the report)",
  multipart: "multipart upload checks (one 64 KiB part); --no-multipart skips them",
  credentials: "where the keys come from (default: env, or dir with --credentials-dir)",
  "credentials-dir": "directory with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY files",
  "key-names":
    "ACCESS,SECRET: the file names of the keys in --credentials-dir when they are not AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY (e.g. access_key,secret_key)",
  layout: "KFP key layout",
  "read-only": "only checks that write nothing (no Put, no Delete)",
  strict: "count listable key names (ListBucket beyond the own prefixes) as a LEAK",
  matrix:
    "how other profiles' prefixes are tried: pairs (a read of an object that exists and a conditional write per pair of profiles) or full (every operation)",
  "policy-dir":
    "DIR with a policy file per identity (NAME.json; anonymous.json for the bucket policy): says every cell where the store does not do what the policy says",
  shard:
    "I/N: probe slice I of N of the identities (0-based), every other profile still tried from each; combine the reports with kfp-s3-probe merge",
  output: "report format on stdout: text, json, or sarif",
  quiet: "text report: the findings, cleanup and summary only, without the matrices",
  wide: "text report: every row of every matrix (other profiles' prefixes that are as expected too)",
  debug: "print every setting with where it came from, and every request with its answer and time, on stderr (redacted)",
  concurrency: "requests in flight at most, over all identities",
  "request-timeout": "seconds to wait for one answer",
  timeout: "seconds for the whole run; then it stops and cleans up",
  "credentials-timeout": "seconds the credential chain may take",
};

const exitCodeLines = EXIT_CODE_TABLE.map((row) => `  ${String(row.code).padEnd(5)}${row.brief}`).join("\n");

export const EPILOGUE = `Examples:
  The backend's keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY:
    kfp-s3-probe --backend --endpoint http://minio.kubeflow:9000 --bucket kubeflow-pipelines
  A profile's keys from its mounted Kubernetes Secret:
    kfp-s3-probe --profile team-1 --endpoint http://minio.kubeflow:9000 \\
      --bucket kubeflow-pipelines --credentials-dir /secrets/team-1
  IRSA on EKS (the default credential chain):
    kfp-s3-probe --profile team-1 --endpoint https://s3.eu-west-1.amazonaws.com \\
      --region eu-west-1 --bucket my-kfp-bucket --credentials chain
  GCS with HMAC keys, JSON report for CI:
    kfp-s3-probe --backend --credentials gcs-hmac --bucket my-kfp-bucket --output json

Credentials (never on the command line):
  --credentials env       AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)
  --credentials-dir DIR   a Kubernetes Secret mounted as a directory: files AWS_ACCESS_KEY_ID and
                          AWS_SECRET_ACCESS_KEY (deployKF's key names)
  --credentials chain     the AWS default chain: env, config profile, web identity (IRSA on EKS),
                          container, instance metadata; bounded by --credentials-timeout
  --credentials gcs-hmac  GCS HMAC keys (from the env variables above or --credentials-dir);
                          endpoint https://storage.googleapis.com, region auto

What is checked: for the bucket, HeadBucket, GetBucketLocation and a bucket-wide ListObjectsV2;
under each KFP prefix, ListObjectsV2, PutObject of a canary, HeadObject, GetObject (bytes
compared) and DeleteObject. The backend must be able to do all of it on pipelines/, artifacts/
and v2/artifacts/; a profile only under its own artifacts/<profile>/ and v2/artifacts/<profile>/.
Reads are decided on objects that exist (the probe's canary, or one KFP stored), never on a 404.
Each profile is tried against every other: those in the run, those found by listing artifacts/
and v2/artifacts/ (--no-discover, --max-profiles), and --other-profile NAME. The anonymous caller
(unsigned requests) is tried under every prefix (--no-anonymous): what it may do is public.

Safety: canaries are written only under <prefix>.kfp-s3-probe/<run-id>/, never over an existing
key (If-None-Match), and removed at the end, also on Ctrl-C, errors and --timeout; then the run's
namespace is listed, and only what is still there is reported as left (exit 5). A killed run
cannot clean up: kfp-s3-probe sweep [--delete] finds and removes what it left (sweep --help).
Secrets never appear in any output.

Exit codes:
${exitCodeLines}

Settings, lowest to highest: defaults, the --provider preset, the region and endpoint_url of
AWS_PROFILE in the AWS shared config (~/.aws/config, AWS_CONFIG_FILE), the AWS variables
(AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_CA_BUNDLE), the
deployKF values (--values), the config file (--config), KFP_S3_PROBE_<FLAG> variables (e.g.
KFP_S3_PROBE_ENDPOINT, KFP_S3_PROBE_BUCKET, KFP_S3_PROBE_PROFILE), flags. --debug shows where
each one came from.`;
