// The words of --help around the flags (each flag's own words are its row in fields.ts): the run's
// usage, and the epilogue with credentials, what is checked, safety and the exit codes (from the
// one table in core/exit-codes.ts).
import { EXIT_CODE_TABLE } from "../../core/exit-codes.js";

/** The run's own forms, the first lines of the tool's usage (../commands.ts adds every command's). */
export const RUN_FORMS =
  "Usage: kfp-s3-probe (--backend | --profile NAME) --endpoint URL --bucket NAME [options]\n" +
  "       kfp-s3-probe --identity backend=DIR --identity team-1=DIR ... --endpoint URL --bucket NAME\n" +
  "       kfp-s3-probe --config probe.yaml";

export const ABOUT =
  "Checks that object-store credentials can do what Kubeflow Pipelines needs in its bucket,\n" +
  "and that no profile can reach another profile's artifacts.";

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
