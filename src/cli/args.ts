// Command-line flags: parsing, validation and --help. Every problem is one line that says what
// to fix (UsageError → exit 2), raised before anything is sent.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yargs from "yargs";
import { isValidProfileName, LAYOUT_NAMES, type LayoutName } from "../core/layout.js";
import type { Role } from "../core/plan.js";
import { EXIT_CODES } from "../core/summary.js";
import { CREDENTIAL_SOURCES, type CredentialSource } from "../credentials/load.js";
import { type ChecksumMode, PROVIDER_NAMES, PROVIDERS, type ProviderName } from "../s3/providers.js";
import { type IdentitySpec, readConfigFile } from "./config-file.js";
import { type DeploykfSettings, readDeploykfValues } from "./deploykf-values.js";
import { UsageError } from "./errors.js";

export { UsageError };

export interface ProbeConfig {
  endpoint: string;
  bucket: string;
  region: string;
  regionSource: "flag" | "config" | "environment" | "provider" | "default";
  forcePathStyle: boolean;
  provider?: ProviderName;
  checksums: ChecksumMode;
  /** PEM text of --ca-bundle, trusted in addition to the public roots. */
  caBundle?: string;
  insecureSkipTlsVerify: boolean;
  multipart: boolean;
  /** What the report must say about this store (provider limits). */
  notes: string[];
  identities: IdentitySpec[];
  layout: LayoutName;
  readOnly: boolean;
  strict: boolean;
  output: "text" | "json";
  /** Also write a JUnit XML report here. */
  junitFile?: string;
  concurrency: number;
  requestTimeoutMs: number;
  deadlineMs: number;
  credentialsTimeoutMs: number;
}

const EPILOGUE = `Examples:
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

Safety: canaries are written only under <prefix>.kfp-s3-probe/<run-id>/, never over an existing
key (If-None-Match), and removed at the end, also on Ctrl-C, errors and --timeout. A key that could
not be removed is listed with its full name. Secrets never appear in any output.

Exit codes:
  ${EXIT_CODES.asExpected}    everything as the role expects (warnings and undecided cells allowed)
  ${EXIT_CODES.findings}    a LEAK (allowed, must be denied), a MISSING (denied, KFP needs it) or a failed check
  ${EXIT_CODES.usage}    bad usage or configuration; nothing was sent
  ${EXIT_CODES.unreachable}    cannot connect or authenticate (endpoint, TLS, keys, region, bucket)
  ${EXIT_CODES.interrupted}  interrupted (Ctrl-C); what the probe created was removed first

Every flag can also be set as an environment variable KFP_S3_PROBE_<FLAG>, e.g.
KFP_S3_PROBE_ENDPOINT, KFP_S3_PROBE_BUCKET, KFP_S3_PROBE_PROFILE.`;

/** Flags that look like they carry a secret (not our --secrets-root): refused without echoing their value. */
function isSecretFlag(arg: string): boolean {
  if (!arg.startsWith("-")) return false;
  const flag = arg.replace(/^-+/, "").split("=")[0] ?? "";
  return flag !== "secrets-root" && /secret|password|session-?token/i.test(flag);
}

function parseEndpoint(raw: string): string {
  // "minio:9000" parses as a URL with the scheme "minio:", so look for "://" first.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new UsageError(`--endpoint ${raw} has no scheme: write http://${raw} or https://${raw}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint ${raw} is not a valid URL (check the host and that the port is 1-65535)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--endpoint must start with http:// or https://, not ${url.protocol}//`);
  }
  if (url.username || url.password) {
    throw new UsageError("--endpoint must not carry credentials (user:password@); use --credentials");
  }
  if (url.port === "0") throw new UsageError(`--endpoint ${url.host}: port 0 is not a port; use 1-65535`);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new UsageError(`--endpoint must be the store's root (scheme://host[:port]) without a path; the bucket goes in --bucket`);
  }
  return `${url.protocol}//${url.host}`;
}

function isValidBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes("..");
}

function positiveNumber(flag: string, value: number, max: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new UsageError(`--${flag} must be a number above 0 and at most ${max}`);
  return value;
}

export function buildParser(argv: string[]) {
  return yargs(argv)
    .scriptName("kfp-s3-probe")
    .usage(
      "Usage: kfp-s3-probe (--backend | --profile NAME) --endpoint URL --bucket NAME [options]\n" +
        "       kfp-s3-probe --identity backend=DIR --identity team-1=DIR ... --endpoint URL --bucket NAME\n" +
        "       kfp-s3-probe --config probe.yaml\n\n" +
        "Checks that object-store credentials can do what Kubeflow Pipelines needs in its bucket,\n" +
        "and that no profile can reach another profile's artifacts.",
    )
    .env("KFP_S3_PROBE")
    .option("backend", { type: "boolean", describe: "probe the KFP backend's keys (API server, UI, Argo)" })
    .option("profile", { type: "string", describe: "probe the keys of this profile (Kubernetes namespace)" })
    .option("name", { type: "string", describe: "identity name in the report (default: backend or the profile)" })
    .option("identity", {
      type: "string",
      array: true,
      describe: "NAME=DIR, repeatable: backend or a profile, with its mounted Secret directory; several in one run",
    })
    .option("config", { type: "string", describe: "YAML file with the store and any number of identities (see README)" })
    .option("values", { type: "string", describe: "deployKF values file: store, bucket, the backend and every profile, with their Secrets" })
    .option("secrets-root", { type: "string", describe: "with --values: where each Secret is mounted, as DIR/<secret-name>/<key>" })
    .option("junit", { type: "string", describe: "also write a JUnit XML report to this file (one testcase per cell)" })
    .option("endpoint", { type: "string", describe: "S3 endpoint with scheme, e.g. http://minio.kubeflow:9000" })
    .option("bucket", { type: "string", describe: "the KFP bucket" })
    .option("provider", {
      choices: PROVIDER_NAMES,
      describe: "preset endpoint form, region, addressing and checksums for this store (each overridable)",
    })
    .option("region", {
      type: "string",
      describe: "signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the provider's, else detected or us-east-1)",
    })
    .option("path-style", { type: "boolean", describe: "path-style addressing (default: on, off for AWS and OSS)" })
    .option("checksums", {
      choices: ["when-required", "when-supported"] as const,
      describe: "SDK checksums on requests (default when-required; when-supported on AWS)",
    })
    .option("ca-bundle", { type: "string", describe: "PEM file of a private CA, trusted in addition to the public roots" })
    .option("insecure-skip-tls-verify", {
      type: "boolean",
      default: false,
      describe: "accept any TLS certificate (diagnosis only; said in the report)",
    })
    .option("multipart", { type: "boolean", default: true, describe: "multipart upload checks (5 MiB part); --no-multipart skips them" })
    .option("credentials", { choices: CREDENTIAL_SOURCES, describe: "where the keys come from (default: env, or dir with --credentials-dir)" })
    .option("credentials-dir", { type: "string", describe: "directory with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY files" })
    .option("layout", { choices: LAYOUT_NAMES, default: "deploykf" as LayoutName, describe: "KFP key layout" })
    .option("read-only", { type: "boolean", default: false, describe: "only checks that write nothing (no Put, no Delete)" })
    .option("strict", { type: "boolean", default: false, describe: "count listable key names (ListBucket beyond the own prefixes) as a LEAK" })
    .option("output", { choices: ["text", "json"] as const, default: "text" as const, describe: "report format on stdout" })
    .option("concurrency", { type: "number", default: 16, describe: "requests in flight at most, over all identities" })
    .option("request-timeout", { type: "number", default: 10, describe: "seconds to wait for one answer" })
    .option("timeout", { type: "number", default: 120, describe: "seconds for the whole run; then it stops and cleans up" })
    .option("credentials-timeout", { type: "number", default: 5, describe: "seconds the credential chain may take" })
    .epilogue(EPILOGUE)
    .strict()
    .version(false)
    .help("help")
    .alias("help", "h")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error instanceof UsageError) throw error;
      const oneLine = (message ?? error?.message ?? "bad usage").replace(/\s*\n\s*/g, " ").trim();
      throw new UsageError(`${oneLine} (see --help)`);
    });
}

type ParsedArgs = Awaited<ReturnType<ReturnType<typeof buildParser>["parseAsync"]>>;

/** deployKF's identities: each from its Secret mounted under --secrets-root, or the chain (fromEnv, IRSA). */
function identitiesFromValues(settings: DeploykfSettings, secretsRoot: string | undefined): IdentitySpec[] {
  return settings.identities.map((identity) => {
    if (!identity.secret) return { name: identity.name, role: identity.role, credentials: { source: "chain" as const } };
    if (!secretsRoot) {
      throw new UsageError(`--values needs --secrets-root DIR: where the Secrets are mounted (${identity.name}'s is ${identity.secret.name})`);
    }
    return {
      name: identity.name,
      role: identity.role,
      credentials: {
        source: "dir" as const,
        directory: join(secretsRoot, identity.secret.name),
        variables: { accessKeyId: identity.secret.accessKeyKey, secretAccessKey: identity.secret.secretKeyKey },
      },
    };
  });
}

/** Identities come from one place: --backend/--profile, repeated --identity, --config, or --values. */
function identitiesFrom(args: ParsedArgs, file: { identities: IdentitySpec[] } | undefined, deploykf: DeploykfSettings | undefined): IdentitySpec[] {
  const single = args.backend === true || args.profile !== undefined;
  const repeated = (args.identity ?? []).length > 0;
  const fromFile = (file?.identities.length ?? 0) > 0;
  if ([single, repeated, fromFile, deploykf !== undefined].filter(Boolean).length > 1) {
    throw new UsageError("name the identities one way: --backend/--profile, --identity NAME=DIR, identities in --config, or --values");
  }
  if (deploykf) return identitiesFromValues(deploykf, args["secrets-root"]);
  if (repeated) {
    if (args["credentials-dir"] || args.credentials || args.name) {
      throw new UsageError("--identity NAME=DIR carries its own secret directory: drop --credentials, --credentials-dir and --name");
    }
    return (args.identity ?? []).map((spec) => {
      const at = spec.indexOf("=");
      const name = spec.slice(0, Math.max(at, 0));
      const directory = spec.slice(at + 1);
      if (at <= 0 || !directory) throw new UsageError(`--identity ${spec}: write NAME=DIR, e.g. --identity team-1=/secrets/team-1`);
      if (name !== "backend" && !isValidProfileName(name)) {
        throw new UsageError(`--identity ${name}=…: ${name} is neither backend nor a valid profile (Kubernetes namespace) name`);
      }
      const role: Role = name === "backend" ? { kind: "backend" } : { kind: "profile", profile: name };
      return { name, role, credentials: { source: "dir" as const, directory } };
    });
  }
  if (fromFile) return file?.identities ?? [];

  if (args.backend && args.profile !== undefined)
    throw new UsageError("--backend and --profile exclude each other: for several identities use --identity or --config");
  if (!single) throw new UsageError("say whose keys these are: --backend, --profile NAME, --identity NAME=DIR or --config FILE");
  if (args.profile !== undefined && !isValidProfileName(args.profile)) {
    throw new UsageError(
      `--profile ${args.profile} is not a valid profile (Kubernetes namespace) name: lowercase letters, digits and '-', at most 63`,
    );
  }
  const role: Role = args.backend ? { kind: "backend" } : { kind: "profile", profile: args.profile as string };
  const source: CredentialSource = args.credentials ?? (args["credentials-dir"] ? "dir" : "env");
  if (args["credentials-dir"] && (source === "env" || source === "chain")) {
    throw new UsageError(`--credentials-dir does not go with --credentials ${source}: drop one of them`);
  }
  if (source === "dir" && !args["credentials-dir"]) throw new UsageError("--credentials dir needs --credentials-dir DIR");
  return [
    {
      name: args.name ?? (role.kind === "backend" ? "backend" : role.profile),
      role,
      credentials: { source, ...(args["credentials-dir"] ? { directory: args["credentials-dir"] } : {}) },
    },
  ];
}

/** Returns null when --help was shown. */
export async function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Promise<ProbeConfig | null> {
  if (argv.some(isSecretFlag)) {
    throw new UsageError("secrets are never taken on the command line: use AWS_SECRET_ACCESS_KEY, --credentials-dir or --credentials chain");
  }
  const parser = buildParser(argv);
  let helpShown = false;
  const args = await parser.parseAsync(argv, {}, (error, _argv, output) => {
    if (!error && output) {
      helpShown = true;
      process.stdout.write(`${output}\n`);
    }
  });
  if (helpShown || args.help) return null;
  if (args._.length > 0) throw new UsageError(`unexpected argument ${String(args._[0])}: every setting is a --flag (see --help)`);

  if (args.values && args.config) throw new UsageError("--values and --config exclude each other: use one");
  const file = args.config ? readConfigFile(args.config) : undefined;
  const deploykf = args.values ? readDeploykfValues(args.values) : undefined;
  const identities = identitiesFrom(args, file, deploykf);
  const names = new Set<string>();
  for (const identity of identities) {
    if (names.has(identity.name)) throw new UsageError(`two identities are named ${identity.name}: give each its own name`);
    names.add(identity.name);
  }

  const allGcs = identities.every((i) => i.credentials.source === "gcs-hmac");
  const provider: ProviderName | undefined = args.provider ?? (allGcs ? "gcs" : undefined);
  const preset = provider ? PROVIDERS[provider] : undefined;

  const envRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const presetRegion = preset && "defaultRegion" in preset ? preset.defaultRegion : undefined;
  const [region, regionSource]: [string, ProbeConfig["regionSource"]] = args.region
    ? [args.region, "flag"]
    : file?.region
      ? [file.region, "config"]
      : deploykf?.region
        ? [deploykf.region, "config"]
        : envRegion
          ? [envRegion, "environment"]
          : presetRegion
            ? [presetRegion, "provider"]
            : ["us-east-1", "default"];
  if (!/^[a-z0-9-]+$/i.test(region)) throw new UsageError(`--region ${region} is not a region name`);

  const presetEndpoint = preset && "endpoint" in preset ? preset.endpoint : undefined;
  if (!args.endpoint && !file?.endpoint && !deploykf && presetEndpoint && !presetRegion && regionSource === "default") {
    throw new UsageError(`--provider ${provider} needs --region (or AWS_REGION): its endpoint is ${preset?.endpointExample}`);
  }
  const rawEndpoint = args.endpoint ?? file?.endpoint ?? deploykf?.endpoint ?? presetEndpoint?.(region);
  if (!rawEndpoint) {
    throw new UsageError(
      `--endpoint is required, e.g. --endpoint ${preset?.endpointExample ?? "http://minio.kubeflow:9000 or https://s3.us-east-1.amazonaws.com"}`,
    );
  }
  const endpoint = parseEndpoint(rawEndpoint);
  const bucket = args.bucket ?? file?.bucket ?? deploykf?.bucket;
  if (!bucket) throw new UsageError("--bucket is required: the bucket KFP uses (deployKF: kubeflow_tools.pipelines.bucket.name)");
  if (!isValidBucketName(bucket)) throw new UsageError(`--bucket ${bucket} is not a valid bucket name: 3-63 lowercase letters, digits, '.' and '-'`);

  let caBundle: string | undefined;
  if (args["ca-bundle"]) {
    try {
      caBundle = readFileSync(args["ca-bundle"], "utf8");
    } catch (error) {
      throw new UsageError(`--ca-bundle ${args["ca-bundle"]}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
    }
    if (!caBundle.includes("-----BEGIN CERTIFICATE-----"))
      throw new UsageError(`--ca-bundle ${args["ca-bundle"]} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  if (args["insecure-skip-tls-verify"] && caBundle)
    throw new UsageError("--ca-bundle and --insecure-skip-tls-verify exclude each other: keep --ca-bundle");

  const onAws = new URL(endpoint).hostname.endsWith(".amazonaws.com");
  return {
    endpoint,
    bucket,
    region,
    regionSource,
    forcePathStyle: args["path-style"] ?? file?.pathStyle ?? preset?.forcePathStyle ?? !onAws,
    ...(provider ? { provider } : {}),
    checksums: args.checksums
      ? args.checksums === "when-supported"
        ? "WHEN_SUPPORTED"
        : "WHEN_REQUIRED"
      : (preset?.checksums ?? (onAws ? "WHEN_SUPPORTED" : "WHEN_REQUIRED")),
    ...(caBundle ? { caBundle } : {}),
    insecureSkipTlsVerify: args["insecure-skip-tls-verify"],
    multipart: args.multipart,
    notes: [...(preset?.notes ?? [])],
    identities,
    layout: file?.layout && args.layout === "deploykf" ? file.layout : args.layout,
    readOnly: args["read-only"],
    strict: args.strict,
    output: args.output,
    ...(args.junit ? { junitFile: args.junit } : {}),
    concurrency: Math.floor(positiveNumber("concurrency", args.concurrency, 64)),
    requestTimeoutMs: positiveNumber("request-timeout", args["request-timeout"], 600) * 1000,
    deadlineMs: positiveNumber("timeout", args.timeout, 3600) * 1000,
    credentialsTimeoutMs: positiveNumber("credentials-timeout", args["credentials-timeout"], 120) * 1000,
  };
}
