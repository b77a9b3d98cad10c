// From the command line, the environment, --config and --values to one ProbeConfig. Every problem
// is one line that says what to fix (UsageError → exit 2), raised before anything is sent.
import { existsSync, statSync } from "node:fs";
import { isValidProfileName, type LayoutName } from "../../core/layout.js";
import type { MatrixMode } from "../../core/plan.js";
import { parseShard, type Shard } from "../../core/shard.js";
import { UsageError, withoutSecrets } from "../../core/usage-error.js";
import { type SharedProfileSettings, sharedProfileSettings } from "../../credentials/aws-profile.js";
import type { DeploykfSettings } from "../../deploykf/values.js";
import { type ChecksumMode, PROVIDERS, type ProviderName } from "../../s3/providers.js";
import { type ParsedCommandLine, readCommandLine } from "./command-line.js";
import type { ConfigFile, IdentitySpec } from "./config-file.js";
import {
  defaultsLayer,
  environmentLayer,
  FIELDS,
  type FieldName,
  type Layer,
  layerOf,
  type ResolvedSettings,
  resolveSettings,
  type SettingSource,
  type Sourced,
  settingOf,
} from "./fields.js";
import { identitiesFrom, refuseDuplicateNames } from "./identities.js";
import {
  parseEndpoint,
  positiveInteger,
  positiveNumber,
  readCaBundle,
  refuseDuplicateFlags,
  refuseSecretFlags,
  validBucket,
  validRegion,
  writableFile,
} from "./validate.js";

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
  matrix: MatrixMode;
  /** A policy document per identity (NAME.json), to compare the store with (--policy-dir). */
  policyDir?: string;
  /** Probe slice `index` of `count` of the identities (--shard I/N). */
  shard?: Shard;
  output: "text" | "json" | "sarif";
  /** Also write a JUnit XML report here. */
  junitFile?: string;
  /** Also write a SARIF report here. */
  sarifFile?: string;
  debug: boolean;
  /** The text report's view: findings only, the default, or every row. */
  view: "quiet" | "default" | "wide";
  /** Profiles named beyond the run: the config file's profiles, then --other-profile. */
  namedProfiles: { name: string; source: "config" | "flag" }[];
  maxProfiles: number;
  discover: boolean;
  /** Try the anonymous caller too. */
  anonymous: boolean;
  concurrency: number;
  requestTimeoutMs: number;
  deadlineMs: number;
  credentialsTimeoutMs: number;
  /** Each store and run setting with where it came from (--debug, and the JSON report). */
  settings: Partial<Record<FieldName, Sourced>>;
}

/** The fields that describe the store and the run (identities are listed on their own). */
const RUN_FIELDS: FieldName[] = [
  "endpoint",
  "bucket",
  "region",
  "provider",
  "path-style",
  "checksums",
  "layout",
  "ca-bundle",
  "insecure-skip-tls-verify",
  "multipart",
  "read-only",
  "strict",
  "matrix",
  "shard",
  "policy-dir",
  "output",
  "junit",
  "sarif",
  "other-profile",
  "max-profiles",
  "discover",
  "anonymous",
  "concurrency",
  "request-timeout",
  "timeout",
  "credentials-timeout",
];

const REGION_SOURCES: Record<SettingSource, ProbeConfig["regionSource"]> = {
  default: "default",
  provider: "provider",
  "aws-config": "config",
  "aws-environment": "environment",
  deploykf: "config",
  config: "config",
  environment: "environment",
  flag: "flag",
  detected: "default",
};

interface Sources {
  env: NodeJS.ProcessEnv;
  /** The region and endpoint_url of AWS_PROFILE's section of the AWS shared config. */
  awsProfile?: SharedProfileSettings;
  environment: Layer;
  flags: Layer;
  file?: ConfigFile;
  deploykf?: DeploykfSettings;
  provider?: ProviderName;
}

function checksumFlag(mode: ChecksumMode): string {
  return mode === "WHEN_SUPPORTED" ? "when-supported" : "when-required";
}

/** Every layer, lowest first; `derived` holds defaults that depend on the endpoint. */
function layersOf(sources: Sources, derived: Layer = {}, presetEndpoint?: string): [SettingSource, Layer][] {
  const { file, deploykf: values, env } = sources;
  const preset = sources.provider ? PROVIDERS[sources.provider] : undefined;
  return [
    ["default", { ...defaultsLayer(), ...derived }],
    [
      "provider",
      layerOf({
        endpoint: presetEndpoint,
        region: preset && "defaultRegion" in preset ? preset.defaultRegion : undefined,
        "path-style": preset?.forcePathStyle,
        checksums: preset ? checksumFlag(preset.checksums) : undefined,
      }),
    ],
    ["aws-config", layerOf({ region: sources.awsProfile?.region, endpoint: sources.awsProfile?.endpoint })],
    [
      "aws-environment",
      layerOf({
        region: env.AWS_REGION || env.AWS_DEFAULT_REGION,
        endpoint: env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL,
        "ca-bundle": env.AWS_CA_BUNDLE,
      }),
    ],
    ["deploykf", layerOf({ endpoint: values?.endpoint, bucket: values?.bucket, region: values?.region })],
    [
      "config",
      layerOf({ endpoint: file?.endpoint, bucket: file?.bucket, region: file?.region, "path-style": file?.pathStyle, layout: file?.layout }),
    ],
    ["environment", sources.environment],
    ["flag", sources.flags],
  ];
}

/** The endpoint a provider preset derives from the region, where no source names one. */
function presetEndpointFor(sources: Sources, first: ResolvedSettings): string | undefined {
  const preset = sources.provider ? PROVIDERS[sources.provider] : undefined;
  if (first.endpoint || !preset || !("endpoint" in preset)) return undefined;
  if (!("defaultRegion" in preset) && first.region?.source === "default") {
    throw new UsageError(`--provider ${sources.provider} needs --region (or AWS_REGION): its endpoint is ${preset.endpointExample}`);
  }
  return preset.endpoint(String(first.region?.value));
}

function resolveAll(sources: Sources): ResolvedSettings {
  const first = resolveSettings(layersOf(sources));
  const presetEndpoint = presetEndpointFor(sources, first);
  const rawEndpoint = settingOf<string>(first, "endpoint") ?? presetEndpoint;
  if (!rawEndpoint) {
    const example = sources.provider
      ? PROVIDERS[sources.provider].endpointExample
      : "http://minio.kubeflow:9000 or https://s3.us-east-1.amazonaws.com";
    throw new UsageError(`--endpoint is required, e.g. --endpoint ${example}`);
  }
  const onAws = new URL(parseEndpoint(rawEndpoint)).hostname.endsWith(".amazonaws.com");
  const derived: Layer = { "path-style": !onAws, checksums: onAws ? "when-supported" : "when-required" };
  return resolveSettings(layersOf(sources, derived, presetEndpoint));
}

/** --config and --values, each read (and the YAML parser loaded) only when it is given. */
async function readInputFiles(given: ResolvedSettings): Promise<{ file?: ConfigFile; deploykf?: DeploykfSettings }> {
  const config = settingOf<string>(given, "config");
  const values = settingOf<string>(given, "values");
  if (values && config) throw new UsageError("--values and --config exclude each other: use one");
  if (config) return { file: (await import("./config-file.js")).readConfigFile(config) };
  if (values) return { deploykf: (await import("../../deploykf/values.js")).readDeploykfValues(values) };
  return {};
}

function namedProfiles(resolved: ResolvedSettings, file: ConfigFile | undefined): ProbeConfig["namedProfiles"] {
  const flagged = settingOf<string[]>(resolved, "other-profile") ?? [];
  for (const name of flagged) {
    if (!isValidProfileName(name))
      throw new UsageError("--other-profile takes a profile (Kubernetes namespace) name: lowercase letters, digits and '-'");
  }
  return [
    ...(file?.profiles ?? []).map((name) => ({ name, source: "config" as const })),
    ...flagged.map((name) => ({ name, source: "flag" as const })),
  ];
}

function viewOf(resolved: ResolvedSettings): ProbeConfig["view"] {
  const quiet = settingOf<boolean>(resolved, "quiet") === true;
  const wide = settingOf<boolean>(resolved, "wide") === true;
  if (quiet && wide) throw new UsageError("--quiet and --wide exclude each other: keep one");
  return quiet ? "quiet" : wide ? "wide" : "default";
}

function configFrom(resolved: ResolvedSettings, identities: IdentitySpec[], provider: ProviderName | undefined, file?: ConfigFile): ProbeConfig {
  const get = <T>(field: FieldName) => settingOf<T>(resolved, field) as T;
  const endpoint = parseEndpoint(get<string>("endpoint"));
  const region = validRegion(get<string>("region"));
  const bucket = validBucket(get<string | undefined>("bucket"));
  const insecureSkipTlsVerify = get<boolean>("insecure-skip-tls-verify");
  const caBundle = readCaBundle(get<string | undefined>("ca-bundle"), insecureSkipTlsVerify);
  const junitFile = get<string | undefined>("junit");
  const sarifFile = get<string | undefined>("sarif");
  const settings = Object.fromEntries(RUN_FIELDS.flatMap((field) => (resolved[field] ? [[field, resolved[field]]] : [])));
  return {
    endpoint,
    bucket,
    region,
    regionSource: REGION_SOURCES[resolved.region?.source ?? "default"],
    forcePathStyle: get<boolean>("path-style"),
    ...(provider ? { provider } : {}),
    checksums: get<string>("checksums") === "when-supported" ? "WHEN_SUPPORTED" : "WHEN_REQUIRED",
    ...(caBundle ? { caBundle } : {}),
    insecureSkipTlsVerify,
    multipart: get<boolean>("multipart"),
    notes: [...(provider ? PROVIDERS[provider].notes : [])],
    identities,
    layout: get<LayoutName>("layout"),
    readOnly: get<boolean>("read-only"),
    strict: get<boolean>("strict"),
    matrix: get<MatrixMode>("matrix"),
    ...shardOf(get<string | undefined>("shard")),
    ...policyDirOf(get<string | undefined>("policy-dir")),
    output: get<ProbeConfig["output"]>("output"),
    ...(junitFile ? { junitFile: writableFile("junit", junitFile) } : {}),
    ...(sarifFile ? { sarifFile: writableFile("sarif", sarifFile) } : {}),
    debug: settingOf<boolean>(resolved, "debug") === true,
    view: viewOf(resolved),
    namedProfiles: namedProfiles(resolved, file),
    maxProfiles: positiveInteger("max-profiles", get<number>("max-profiles"), 100_000),
    discover: get<boolean>("discover"),
    anonymous: get<boolean>("anonymous"),
    concurrency: positiveInteger("concurrency", get<number>("concurrency"), 64),
    requestTimeoutMs: positiveNumber("request-timeout", get<number>("request-timeout"), 600) * 1000,
    deadlineMs: positiveNumber("timeout", get<number>("timeout"), 3600) * 1000,
    credentialsTimeoutMs: positiveNumber("credentials-timeout", get<number>("credentials-timeout"), 120) * 1000,
    settings: { ...settings, endpoint: { value: endpoint, source: resolved.endpoint?.source ?? "provider" } },
  };
}

function policyDirOf(dir: string | undefined): { policyDir?: string } {
  if (dir === undefined) return {};
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--policy-dir ${dir}: not a directory (one policy file per identity, NAME.json)`);
  return { policyDir: dir };
}

function shardOf(text: string | undefined): { shard?: Shard } {
  if (text === undefined) return {};
  const shard = parseShard(text);
  if (!shard) throw new UsageError(`--shard must be I/N with 0 ≤ I < N ≤ 1000, e.g. --shard 0/4 (got ${JSON.stringify(withoutSecrets(text))})`);
  return { shard };
}

/** The command line's flags (a layer) and its other words; --help's text where it was asked for. */
export async function readFlags(argv: string[], usage: string): Promise<ParsedCommandLine & { help: string }> {
  refuseSecretFlags(argv);
  refuseDuplicateFlags(argv, (flag) => flag in FIELDS && FIELDS[flag as FieldName].kind === "strings");
  let help = "";
  // yargs (and with it the parser's 200 kB) only for --help and the forms command-line.ts leaves to it.
  const read = readCommandLine(argv) ?? (await (await import("./parser.js")).parseCommandLine(argv, (text) => (help += text), usage));
  return { ...read, help };
}

/** Every setting from the flags, the environment, --config and --values, resolved once. */
export async function resolveConfig(flags: Layer, positional: string[], env: NodeJS.ProcessEnv): Promise<ProbeConfig> {
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}: every setting is a --flag (see --help)`);
  const environment = environmentLayer(env);
  const given = resolveSettings([
    ["environment", environment],
    ["flag", flags],
  ]);
  const inputs = await readInputFiles(given);
  const identities = identitiesFrom(given, inputs.file, inputs.deploykf);
  refuseDuplicateNames(identities);
  const allGcs = identities.every((i) => i.credentials.source === "gcs-hmac");
  const provider = settingOf<ProviderName>(given, "provider") ?? (allGcs ? "gcs" : undefined);
  const awsProfile = await sharedProfileSettings(env);
  const resolved = resolveAll({ env, environment, flags, ...inputs, ...(provider ? { provider } : {}), ...(awsProfile ? { awsProfile } : {}) });
  return configFrom(resolved, identities, provider, inputs.file);
}

/** The command line and the environment to a ProbeConfig; null when --help was shown (and written to stdout). */
export async function parseArgs(argv: string[], env: NodeJS.ProcessEnv, usage = ""): Promise<ProbeConfig | null> {
  const { flags, positional, helpShown, help } = await readFlags(argv, usage);
  if (helpShown) {
    process.stdout.write(help);
    return null;
  }
  return resolveConfig(flags, positional, env);
}
