// One settings resolution. Every setting is a row of FIELDS; resolveSettings merges, for each row,
//   defaults < provider preset < the AWS shared config of AWS_PROFILE < the AWS variables
//   (AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_CA_BUNDLE, ...) < deployKF values < config file
//   < KFP_S3_PROBE_* environment < flags
// and records where each value came from (--debug prints it, the JSON report carries it).
// A flag counts as given only when it is on the command line, whatever its value.
import { KFP_RELEASES, NEWEST_KFP_RELEASE } from "../../core/components.js";
import { LAYOUT_NAMES } from "../../core/layout.js";
import { MATRIX_MODES } from "../../core/plan.js";
import { UsageError } from "../../core/usage-error.js";
import { CREDENTIAL_SOURCES } from "../../credentials/load.js";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "../../probe/run-state.js";
import { FILE_FORMATS, type FileOption, FORMATS, fileOptionOf, STDOUT_FORMATS } from "../../report/formats.js";
import { PROVIDER_NAMES } from "../../s3/providers.js";

export type SettingSource = "default" | "provider" | "aws-config" | "aws-environment" | "deploykf" | "config" | "environment" | "flag" | "detected";

type Kind = "string" | "boolean" | "number" | "strings";

/** Which part of the run's config a setting belongs to (ProbeConfig has one member per group). */
type Group = "identities" | "input" | "store" | "run" | "output";

type KeyInFile = NonNullable<Field["configKey"] | Field["valuesKey"]>;

export interface Field {
  kind: Kind;
  group: Group;
  choices?: readonly string[];
  /** Shown by --help; the default itself is a layer of the resolution. */
  defaultValue?: string | number | boolean;
  /** The default is worked out at run time (its words say how): --help shows no fixed one. */
  computedDefault?: true;
  /** Other names on the command line: aws-cli's and kubectl's for the same meaning (-o, --endpoint-url). */
  alias?: readonly string[];
  /** Its words in --help. */
  describe: string;
  /** Its place in the report's `settings` (and in --debug's list); absent: not reported. */
  report?: number;
  /** Its key in a --config file, where the file has it (config-file.ts reads them). */
  configKey?: "endpoint" | "bucket" | "region" | "pathStyle" | "layout" | "kfpVersion" | "launcherConfig";
  /** Its key in what --values reads from the deployKF values. */
  valuesKey?: "endpoint" | "bucket" | "region";
  /** The AWS variables that give it, the first set one winning (below KFP_S3_PROBE_*). */
  aws?: readonly string[];
  /** A number's bounds: above 0, at most max; whole, or seconds (made milliseconds). */
  bounds?: { max: number; whole?: true };
}

/** The flag of each format written to a file (FORMATS): its words, and its place in the report's settings. */
const FILE_FORMAT_FIELDS = Object.fromEntries(
  FILE_FORMATS.map((format) => {
    const { describe, report } = FORMATS[format].file;
    return [fileOptionOf(format), { kind: "string", group: "output", report, describe }];
  }),
) as Record<FileOption, { kind: "string"; group: "output"; report: number; describe: string }>;

/**
 * Every setting, keyed by its flag on the command line; its variable is KFP_S3_PROBE_<NAME>. The
 * one place a setting is described: --help, the layers of the resolution, the bounds it is held
 * to, the report's list of settings and the config's types (ValueOf) all read this table.
 */
export const FIELDS = {
  backend: { kind: "boolean", group: "identities", describe: "probe the KFP backend's keys (API server, UI, Argo)" },
  profile: {
    kind: "string",
    group: "identities",
    describe:
      "probe the keys of this KFP profile (its Kubernetes namespace). Not aws-cli's --profile: an AWS named profile is AWS_PROFILE with --credentials chain",
  },
  name: { kind: "string", group: "identities", describe: "identity name in the report (default: backend or the profile)" },
  identity: {
    kind: "strings",
    group: "identities",
    describe: "NAME=DIR, repeatable: backend or a profile, with its mounted Secret directory; several in one run",
  },
  config: { kind: "string", group: "input", describe: "YAML file with the store and any number of identities (see README)" },
  values: { kind: "string", group: "input", describe: "deployKF values file: store, bucket, the backend and every profile, with their Secrets" },
  "secrets-root": { kind: "string", group: "identities", describe: "with --values: where each Secret is mounted, as DIR/<secret-name>/<key>" },
  credentials: {
    kind: "string",
    choices: CREDENTIAL_SOURCES,
    group: "identities",
    describe: "where the keys come from (default: env, or dir with --credentials-dir)",
  },
  "credentials-dir": { kind: "string", group: "identities", describe: "directory with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY files" },
  "key-names": {
    kind: "string",
    group: "identities",
    describe:
      "ACCESS,SECRET: the file names of the keys in --credentials-dir when they are not AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY (e.g. access_key,secret_key)",
  },
  endpoint: {
    kind: "string",
    group: "store",
    report: 1,
    configKey: "endpoint",
    valuesKey: "endpoint",
    aws: ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"],
    alias: ["endpoint-url"],
    describe: "S3 endpoint with scheme, e.g. http://minio.kubeflow:9000 (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)",
  },
  // KFP's and deployKF's default bucket name.
  bucket: {
    kind: "string",
    defaultValue: "kubeflow-pipelines",
    group: "store",
    report: 2,
    configKey: "bucket",
    valuesKey: "bucket",
    describe: "the KFP bucket",
  },
  provider: {
    kind: "string",
    choices: PROVIDER_NAMES,
    group: "store",
    report: 4,
    alias: ["preset"],
    describe:
      "preset endpoint form, region, addressing and checksums for this store (each overridable); seaweedfs is upstream KFP's store since 2.15",
  },
  region: {
    kind: "string",
    defaultValue: "us-east-1",
    computedDefault: true,
    group: "store",
    report: 3,
    configKey: "region",
    valuesKey: "region",
    aws: ["AWS_REGION", "AWS_DEFAULT_REGION"],
    describe: "signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the provider's, else detected or us-east-1)",
  },
  "path-style": {
    kind: "boolean",
    group: "store",
    report: 5,
    configKey: "pathStyle",
    describe: "path-style addressing (default: on, off for AWS and OSS)",
  },
  checksums: {
    kind: "string",
    choices: ["when-required", "when-supported"],
    group: "store",
    report: 6,
    describe: "SDK checksums on requests (default when-required; when-supported on AWS)",
  },
  "ca-bundle": {
    kind: "string",
    group: "store",
    report: 8,
    aws: ["AWS_CA_BUNDLE"],
    describe: "PEM file of a private CA, trusted in addition to the public roots (default: AWS_CA_BUNDLE)",
  },
  "insecure-skip-tls-verify": {
    kind: "boolean",
    defaultValue: false,
    group: "store",
    report: 9,
    describe: "accept any TLS certificate (diagnosis only; said in the report)",
  },
  multipart: {
    kind: "boolean",
    defaultValue: true,
    group: "run",
    report: 10,
    describe: "multipart upload checks (one 64 KiB part); --no-multipart skips them",
  },
  layout: {
    kind: "string",
    choices: LAYOUT_NAMES,
    defaultValue: "deploykf",
    group: "run",
    report: 7,
    configKey: "layout",
    describe: "KFP key layout: deploykf, or kubeflow for upstream KFP (private-artifacts/<profile>/, private/<profile>/)",
  },
  "kfp-version": {
    kind: "string",
    defaultValue: NEWEST_KFP_RELEASE,
    group: "run",
    report: 31,
    configKey: "kfpVersion",
    describe: `X.Y: the KFP release whose components' requests are sent in their own shapes and judged per component (${KFP_RELEASES[0]} to ${NEWEST_KFP_RELEASE}; docs/components.md)`,
  },
  "launcher-config": {
    kind: "string",
    group: "run",
    report: 32,
    configKey: "launcherConfig",
    describe:
      "YAML file of KFP's kfp-launcher ConfigMaps (kubectl get configmap -A --field-selector metadata.name=kfp-launcher -o yaml): each namespace's defaultPipelineRoot and providers set where its v2 launcher sends and how; a profile with none there fails, as KFP falls back to minio://mlpipeline/v2/artifacts (default: the layout's installer's)",
  },
  "read-only": { kind: "boolean", defaultValue: false, group: "run", report: 11, describe: "only checks that write nothing (no Put, no Delete)" },
  strict: {
    kind: "boolean",
    defaultValue: false,
    group: "run",
    report: 12,
    describe: "count listable key names (ListBucket beyond the own prefixes) as a LEAK",
  },
  matrix: {
    kind: "string",
    choices: MATRIX_MODES,
    defaultValue: "pairs",
    group: "run",
    report: 13,
    describe:
      "how other profiles' prefixes are tried: pairs (a read of an object that exists and a conditional write per pair of profiles) or full (every operation)",
  },
  shard: {
    kind: "string",
    group: "run",
    report: 14,
    describe:
      "I/N: probe slice I of N of the identities (0-based), every other profile still tried from each; combine the reports with kfp-s3-probe merge",
  },
  "policy-dir": {
    kind: "string",
    group: "run",
    report: 15,
    describe:
      "DIR with a policy file per identity (NAME.json; anonymous.json for the bucket policy): decides for all keys what each may reach, tries every key it finds beyond KFP's grant on the store, and says every cell where the store does not do what the policy says",
  },
  "policy-reader": {
    kind: "string",
    group: "run",
    report: 28,
    describe:
      "NAME=DIR: keys (a secret directory) allowed to read IAM; each identity's user or role policies and the bucket policy are read from the store, as --policy-dir reads files (IAM at AWS_ENDPOINT_URL_IAM, else the store's endpoint)",
  },
  "require-proof": {
    kind: "boolean",
    defaultValue: false,
    group: "run",
    report: 27,
    describe: "exit 6 when nothing is found but the answer is not proven for all keys (the report's assurance says what is open)",
  },
  "exit-code": {
    kind: "number",
    defaultValue: 1,
    group: "run",
    report: 29,
    describe:
      "the exit code for findings (a LEAK, a MISSING, a failed check), as trivy's --exit-code: 0 lets a Job or CI step pass and leaves the verdict to the report; other codes stay as they are",
  },
  output: {
    kind: "string",
    choices: STDOUT_FORMATS,
    defaultValue: "text",
    alias: ["o"],
    group: "output",
    report: 16,
    describe: `report format on stdout: ${STDOUT_FORMATS.slice(0, -1).join(", ")} or ${STDOUT_FORMATS.at(-1)}`,
  },
  ...FILE_FORMAT_FIELDS,
  pushgateway: {
    kind: "string",
    group: "output",
    describe: "also push the metrics to this Prometheus Pushgateway URL (grouped by job kfp-s3-probe and bucket)",
  },
  "other-profile": {
    kind: "strings",
    group: "run",
    report: 19,
    describe: "NAME, repeatable: a profile to try the identities against, beyond those found in the bucket",
  },
  "max-profiles": {
    kind: "number",
    defaultValue: 500,
    group: "run",
    report: 20,
    bounds: { max: 100_000, whole: true },
    describe: "at most this many profiles beyond the run are tried (found in the bucket or named); the report says when it cut",
  },
  discover: {
    kind: "boolean",
    defaultValue: true,
    group: "run",
    report: 21,
    describe: "list artifacts/ and v2/artifacts/ for the bucket's profiles and try each identity against them; --no-discover skips it",
  },
  anonymous: {
    kind: "boolean",
    defaultValue: true,
    group: "run",
    report: 22,
    describe: "also try the anonymous caller (unsigned requests) under every prefix; --no-anonymous skips it",
  },
  color: {
    kind: "boolean",
    group: "output",
    describe: "colour in the text report, which it has only on a terminal; --no-color (or NO_COLOR=1) turns it off",
  },
  debug: {
    kind: "boolean",
    defaultValue: false,
    group: "output",
    describe: "print every setting with where it came from, and every request with its answer and time, on stderr (redacted)",
  },
  quiet: {
    kind: "boolean",
    defaultValue: false,
    group: "output",
    describe: "text report: the findings, cleanup and summary only, without the matrices",
  },
  wide: {
    kind: "boolean",
    defaultValue: false,
    group: "output",
    describe: "text report: every row of every matrix (other profiles' prefixes that are as expected too)",
  },
  severity: {
    kind: "string",
    group: "output",
    report: 29,
    describe:
      "as trivy's: the finding severities shown and counted toward the exit code, comma-separated, of failure (LEAK, MISSING), error (ERROR), warning (EXPOSED, DEGRADED), undecided (AMBIGUOUS), skipped (NOT-RUN) (default: all); the others are listed as muted, except a LEAK, which only --ignore-file mutes, by its exact name; a run that cannot connect still exits 3",
  },
  "ignore-file": {
    kind: "string",
    group: "output",
    report: 30,
    describe:
      "as .trivyignore: a file of known findings to mute, a line each, CAUSE [IDENTITY [PREFIX [OPERATION]]] (* or left out: any; # comments); muted findings are listed as muted and not counted toward the exit code; a LEAK is muted only by its exact name, all four fields",
  },
  concurrency: {
    kind: "number",
    defaultValue: 32,
    group: "run",
    report: 23,
    bounds: { max: 64, whole: true },
    describe: "requests in flight at most, over all identities",
  },
  "request-timeout": {
    kind: "number",
    defaultValue: DEFAULT_REQUEST_TIMEOUT_MS / 1000,
    group: "store",
    report: 24,
    bounds: { max: 600 },
    describe: "seconds to wait for one answer",
  },
  timeout: {
    kind: "number",
    defaultValue: 120,
    group: "run",
    report: 25,
    bounds: { max: 3600 },
    describe: "seconds for the whole run; then it stops and cleans up",
  },
  "credentials-timeout": {
    kind: "number",
    defaultValue: 5,
    group: "run",
    report: 26,
    bounds: { max: 120 },
    describe: "seconds the credential chain may take",
  },
} as const satisfies Record<string, Field>;

export type FieldName = keyof typeof FIELDS;
export type RawValue = string | number | boolean | string[];
/** One layer of the resolution: the values one source gives. */
export type Layer = Partial<Record<FieldName, RawValue>>;
export interface Sourced {
  value: RawValue;
  source: SettingSource;
}
export type ResolvedSettings = Partial<Record<FieldName, Sourced>>;

const ENV_PREFIX = "KFP_S3_PROBE_";

export function envName(field: FieldName): string {
  return `${ENV_PREFIX}${field.toUpperCase().replaceAll("-", "_")}`;
}

function parseEnvValue(field: FieldName, raw: string): RawValue {
  const spec: Field = FIELDS[field];
  const variable = envName(field);
  switch (spec.kind) {
    case "boolean":
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      throw new UsageError(`${variable} must be true or false`);
    case "number":
      return Number(raw);
    case "strings":
      return raw.split(",").filter((part) => part !== "");
    default:
      if (spec.choices && !spec.choices.includes(raw)) throw new UsageError(`${variable} must be one of: ${spec.choices.join(", ")}`);
      return raw;
  }
}

/** The KFP_S3_PROBE_* variables that are set, as a layer. */
export function environmentLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const field of Object.keys(FIELDS) as FieldName[]) {
    const raw = env[envName(field)];
    if (raw !== undefined && raw !== "") layer[field] = parseEnvValue(field, raw);
  }
  return layer;
}

export function defaultsLayer(): Layer {
  const layer: Layer = {};
  for (const [field, spec] of Object.entries(FIELDS) as [FieldName, Field][]) if (spec.defaultValue !== undefined) layer[field] = spec.defaultValue;
  return layer;
}

/** Each field from the highest layer that gives it; layers are listed lowest first. */
export function resolveSettings(layers: [SettingSource, Layer][]): ResolvedSettings {
  const resolved: ResolvedSettings = {};
  for (const [source, layer] of layers) {
    for (const [field, value] of Object.entries(layer) as [FieldName, RawValue | undefined][]) {
      if (value !== undefined) resolved[field] = { value, source };
    }
  }
  return resolved;
}

/** Drops undefined entries, so that a layer lists only what its source gives. */
export function layerOf(values: Partial<Record<FieldName, RawValue | undefined>>): Layer {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Layer;
}

type Fields = typeof FIELDS;

/** A setting's value, typed from its row: its kind, narrowed to its choices. */
export type ValueOf<F extends FieldName> = Fields[F] extends { kind: "boolean" }
  ? boolean
  : Fields[F] extends { kind: "number" }
    ? number
    : Fields[F] extends { kind: "strings" }
      ? string[]
      : Fields[F] extends { choices: readonly (infer C)[] }
        ? C
        : string;

/** A resolved setting: always there where its row has a default. */
export type Resolved<F extends FieldName> = Fields[F] extends { defaultValue: unknown } ? ValueOf<F> : ValueOf<F> | undefined;

/** A setting's resolved value, of its row's type: every layer holds values of the field's kind (parsed by it). */
export function settingValue<F extends FieldName>(resolved: ResolvedSettings, field: F): Resolved<F> {
  return resolved[field]?.value as Resolved<F>;
}

/** What one layer gives a setting, of its row's type (a layer holds values of the field's kind). */
export function layerValue<F extends FieldName>(layer: Layer, field: F): ValueOf<F> | undefined {
  return layer[field] as ValueOf<F> | undefined;
}

/** The fields the report lists, in its order. */
export function reportedFields(): FieldName[] {
  const reported = (Object.entries(FIELDS) as [FieldName, Field][]).filter(([, spec]) => spec.report !== undefined);
  return reported.sort(([, a], [, b]) => (a.report ?? 0) - (b.report ?? 0)).map(([field]) => field);
}

/** The layer a file gives through the table's keys: a config file's (configKey), deployKF values' (valuesKey). */
export function keyedLayer(source: Partial<Record<KeyInFile, RawValue>> | undefined, column: "configKey" | "valuesKey"): Layer {
  const layer: Layer = {};
  for (const [field, spec] of Object.entries(FIELDS) as [FieldName, Field][]) {
    const key = spec[column];
    const value = source && key !== undefined ? source[key] : undefined;
    if (value !== undefined) layer[field] = value;
  }
  return layer;
}

/** The AWS variables' layer: for each field, the first of its variables that is set. */
export function awsEnvironmentLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const [field, spec] of Object.entries(FIELDS) as [FieldName, Field][]) {
    const value = spec.aws?.map((name) => env[name]).find((given) => given);
    if (value) layer[field] = value;
  }
  return layer;
}
