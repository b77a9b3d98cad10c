// One settings resolution. Every setting is a row of FIELDS; resolveSettings merges, for each row,
//   defaults < provider preset < the AWS shared config of AWS_PROFILE < the AWS variables
//   (AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_CA_BUNDLE, ...) < deployKF values < config file
//   < KFP_S3_PROBE_* environment < flags
// and records where each value came from (--debug prints it, the JSON report carries it).
// A flag counts as given only when it is on the command line, whatever its value.
import { LAYOUT_NAMES } from "../../core/layout.js";
import { MATRIX_MODES } from "../../core/plan.js";
import { UsageError } from "../../core/usage-error.js";
import { CREDENTIAL_SOURCES } from "../../credentials/load.js";
import { STDOUT_FORMATS } from "../../report/stdout-formats.js";
import { PROVIDER_NAMES } from "../../s3/providers.js";

export type SettingSource = "default" | "provider" | "aws-config" | "aws-environment" | "deploykf" | "config" | "environment" | "flag" | "detected";

type Kind = "string" | "boolean" | "number" | "strings";

export interface Field {
  kind: Kind;
  choices?: readonly string[];
  /** Shown by --help; the default itself is a layer of the resolution. */
  defaultValue?: string | number | boolean;
}

/** Every flag, keyed by its name on the command line; its variable is KFP_S3_PROBE_<NAME>. */
export const FIELDS = {
  backend: { kind: "boolean" },
  profile: { kind: "string" },
  name: { kind: "string" },
  identity: { kind: "strings" },
  config: { kind: "string" },
  values: { kind: "string" },
  "secrets-root": { kind: "string" },
  credentials: { kind: "string", choices: CREDENTIAL_SOURCES },
  "credentials-dir": { kind: "string" },
  "key-names": { kind: "string" },
  endpoint: { kind: "string" },
  // KFP's and deployKF's default bucket name.
  bucket: { kind: "string", defaultValue: "kubeflow-pipelines" },
  provider: { kind: "string", choices: PROVIDER_NAMES },
  region: { kind: "string", defaultValue: "us-east-1" },
  "path-style": { kind: "boolean" },
  checksums: { kind: "string", choices: ["when-required", "when-supported"] },
  "ca-bundle": { kind: "string" },
  "insecure-skip-tls-verify": { kind: "boolean", defaultValue: false },
  multipart: { kind: "boolean", defaultValue: true },
  layout: { kind: "string", choices: LAYOUT_NAMES, defaultValue: "deploykf" },
  "read-only": { kind: "boolean", defaultValue: false },
  strict: { kind: "boolean", defaultValue: false },
  matrix: { kind: "string", choices: MATRIX_MODES, defaultValue: "pairs" },
  shard: { kind: "string" },
  "policy-dir": { kind: "string" },
  output: { kind: "string", choices: STDOUT_FORMATS, defaultValue: "text" },
  junit: { kind: "string" },
  sarif: { kind: "string" },
  "other-profile": { kind: "strings" },
  "max-profiles": { kind: "number", defaultValue: 500 },
  discover: { kind: "boolean", defaultValue: true },
  anonymous: { kind: "boolean", defaultValue: true },
  debug: { kind: "boolean", defaultValue: false },
  quiet: { kind: "boolean", defaultValue: false },
  wide: { kind: "boolean", defaultValue: false },
  concurrency: { kind: "number", defaultValue: 32 },
  "request-timeout": { kind: "number", defaultValue: 10 },
  timeout: { kind: "number", defaultValue: 120 },
  "credentials-timeout": { kind: "number", defaultValue: 5 },
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

/** A resolved setting's value, typed by the caller who knows the field's kind. */
export function settingOf<T = RawValue>(resolved: ResolvedSettings, field: FieldName): T | undefined {
  return resolved[field]?.value as T | undefined;
}
