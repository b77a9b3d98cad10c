// The run's config: the resolved settings in the groups of their rows (fields.ts), each group
// handed on whole to the part of the program that works with it: the store to the S3 client and
// the sessions, the run to the engine, the output to the report's writer, the identities to the
// sessions. A value is as its row types it (ValueOf) unless this file makes it something else
// (milliseconds from seconds, the PEM text of a file, a shard from I/N).
import { existsSync, readFileSync, statSync } from "node:fs";
import { KFP_RELEASES } from "../../core/components.js";
import { isValidProfileName, LAYOUTS } from "../../core/layout.js";
import { type FindingSeverity, type IgnoreRule, parseIgnoreRules, parseSeverities } from "../../core/mute.js";
import { parseShard, type Shard } from "../../core/shard.js";
import { UsageError, withoutSecrets } from "../../core/usage-error.js";
import type { ProbeSettings } from "../../probe/engine.js";
import { FILE_FORMATS, type FileOption, fileOptionOf } from "../../report/formats.js";
import type { StoreSettings } from "../../s3/client.js";
import { type ChecksumMode, isAwsEndpoint, PROVIDERS, type ProviderName } from "../../s3/providers.js";
import type { ConfigFile, IdentitySpec } from "./config-file.js";
import {
  FIELDS,
  type FieldName,
  type ResolvedSettings,
  reportedFields,
  type SettingSource,
  type Sourced,
  settingValue,
  type ValueOf,
} from "./fields.js";
import {
  findingsExitCode,
  parseEndpoint,
  positiveInteger,
  positiveNumber,
  pushgatewayUrl,
  readCaBundle,
  validBucket,
  validRegion,
  writableFile,
} from "./validate.js";

/** Where requests go and how: the S3 client's settings (StoreSettings) are made of it. */
export interface StoreConfig extends Pick<StoreSettings, "endpoint" | "region" | "forcePathStyle" | "requestTimeoutMs" | "caBundle"> {
  bucket: string;
  /** Where the region came from: "default" has the sessions ask the bucket. */
  regionSource: SettingSource;
  provider?: ProviderName;
  checksums: ChecksumMode;
  insecureSkipTlsVerify: ValueOf<"insecure-skip-tls-verify">;
  /** What the report must say about this store (provider limits). */
  notes: string[];
}

/** What is tried, how widely and for how long: the engine's settings (ProbeSettings) are made of it and the store's. */
export interface RunConfig extends Pick<ProbeSettings, "readOnly" | "strict" | "concurrency" | "shard"> {
  layout: ValueOf<"layout">;
  matrix: ValueOf<"matrix">;
  multipart: ValueOf<"multipart">;
  /** Profiles named beyond the run: the config file's profiles, then --other-profile. */
  namedProfiles: { name: string; source: "config" | "flag" }[];
  maxProfiles: number;
  discover: ValueOf<"discover">;
  /** A policy document per identity (NAME.json), to compare the store with (--policy-dir). */
  policyDir?: string;
  /** Keys allowed to read IAM: the identities' policies and the bucket's read from the store (--policy-reader). */
  policyReader?: { name: string; directory: string };
  /** Anything short of proven is exit 6 (--require-proof). */
  requireProof: ValueOf<"require-proof">;
  /** The exit code for findings (--exit-code; 1 unless given). */
  findingsExitCode: number;
  /** Try the anonymous caller too. */
  anonymous: ValueOf<"anonymous">;
  deadlineMs: number;
  credentialsTimeoutMs: number;
  /** The KFP release whose components are judged (X.Y, one of KFP_RELEASES). */
  kfpVersion: string;
  /** KFP's kfp-launcher ConfigMap(s), read before anything is sent (--launcher-config). */
  launcherConfig?: string;
}

/** Also write the report in each format FORMATS writes to a file here, by its flag (junit, sarif, html, metrics). */
type ReportFiles = Partial<Record<FileOption, string>>;

/** Where the report goes and how much of it. */
export interface OutputConfig extends ReportFiles {
  output: ValueOf<"output">;
  /** Also push the metrics to this Pushgateway. */
  pushgateway?: URL;
  /** The text report's view: findings only, the default, or every row. */
  view: "quiet" | "default" | "wide";
  /** Colour where there is any (a text report, the spinner, on a terminal); --no-color: none. */
  color: boolean;
  debug: ValueOf<"debug">;
  /** --severity: the finding severities shown and counted toward the exit code (absent: all). */
  severities?: FindingSeverity[];
  /** --ignore-file: known findings muted by name, read and parsed before anything is sent. */
  ignore?: { file: string; rules: IgnoreRule[] };
}

export interface ProbeConfig {
  store: StoreConfig;
  run: RunConfig;
  output: OutputConfig;
  identities: IdentitySpec[];
  /** The engine's settings, made once of the run's and the store's. */
  probe: ProbeSettings;
  /** Each setting the report lists, with where it came from (--debug, and the JSON report). */
  settings: Partial<Record<FieldName, Sourced>>;
}

function storeFrom(resolved: ResolvedSettings, provider: ProviderName | undefined): StoreConfig {
  const endpoint = parseEndpoint(String(resolved.endpoint?.value));
  const region = validRegion(settingValue(resolved, "region"));
  const bucket = validBucket(settingValue(resolved, "bucket"));
  const insecureSkipTlsVerify = settingValue(resolved, "insecure-skip-tls-verify");
  const caBundle = readCaBundle(settingValue(resolved, "ca-bundle"), insecureSkipTlsVerify);
  return {
    endpoint,
    bucket,
    region,
    regionSource: resolved.region?.source ?? "default",
    forcePathStyle: settingValue(resolved, "path-style") === true,
    ...(provider ? { provider } : {}),
    checksums: settingValue(resolved, "checksums") === "when-supported" ? "WHEN_SUPPORTED" : "WHEN_REQUIRED",
    ...(caBundle ? { caBundle } : {}),
    insecureSkipTlsVerify,
    notes: [...(provider ? PROVIDERS[provider].notes : [])],
    requestTimeoutMs: seconds(resolved, "request-timeout"),
  };
}

/** A number of the row's bounds: whole, or seconds made milliseconds. */
function wholeNumber(resolved: ResolvedSettings, field: "max-profiles" | "concurrency"): number {
  return positiveInteger(field, settingValue(resolved, field), FIELDS[field].bounds.max);
}

function seconds(resolved: ResolvedSettings, field: "request-timeout" | "timeout" | "credentials-timeout"): number {
  return positiveNumber(field, settingValue(resolved, field), FIELDS[field].bounds.max) * 1000;
}

function runFrom(resolved: ResolvedSettings, file: ConfigFile | undefined): RunConfig {
  const policyDir = policyDirOf(settingValue(resolved, "policy-dir"));
  const shard = shardOf(settingValue(resolved, "shard"));
  return {
    layout: settingValue(resolved, "layout"),
    readOnly: settingValue(resolved, "read-only"),
    strict: settingValue(resolved, "strict"),
    matrix: settingValue(resolved, "matrix"),
    multipart: settingValue(resolved, "multipart"),
    ...(shard ? { shard } : {}),
    ...(policyDir ? { policyDir } : {}),
    requireProof: settingValue(resolved, "require-proof"),
    findingsExitCode: findingsExitCode(settingValue(resolved, "exit-code")),
    ...policyReaderOf(settingValue(resolved, "policy-reader"), policyDir),
    namedProfiles: namedProfiles(resolved, file),
    maxProfiles: wholeNumber(resolved, "max-profiles"),
    discover: settingValue(resolved, "discover"),
    anonymous: settingValue(resolved, "anonymous"),
    concurrency: wholeNumber(resolved, "concurrency"),
    deadlineMs: seconds(resolved, "timeout"),
    credentialsTimeoutMs: seconds(resolved, "credentials-timeout"),
    kfpVersion: kfpVersionOf(settingValue(resolved, "kfp-version")),
    ...launcherConfigOf(settingValue(resolved, "launcher-config")),
  };
}

/** X.Y or X.Y.Z of a release the components table was read for. */
function kfpVersionOf(given: string): string {
  const release = /^(\d+\.\d+)(\.\d+)?$/.exec(given)?.[1];
  if (release && KFP_RELEASES.includes(release)) return release;
  throw new UsageError(
    `--kfp-version ${JSON.stringify(withoutSecrets(given))}: not a KFP release the components table was read for; use X.Y, one of ${KFP_RELEASES.join(", ")}`,
  );
}

function launcherConfigOf(file: string | undefined): Pick<RunConfig, "launcherConfig"> {
  if (file === undefined) return {};
  if (!existsSync(file) || !statSync(file).isFile())
    throw new UsageError(
      `--launcher-config ${file}: not a file (the kfp-launcher ConfigMap as YAML: kubectl get configmap kfp-launcher -n PROFILE -o yaml)`,
    );
  return { launcherConfig: file };
}

function outputFrom(resolved: ResolvedSettings): OutputConfig {
  const pushgateway = settingValue(resolved, "pushgateway");
  return {
    output: settingValue(resolved, "output"),
    ...reportFiles(resolved),
    ...(pushgateway ? { pushgateway: pushgatewayUrl(pushgateway) } : {}),
    debug: settingValue(resolved, "debug"),
    view: viewOf(resolved),
    ...mutingOf(settingValue(resolved, "severity"), settingValue(resolved, "ignore-file")),
    color: settingValue(resolved, "color") !== false,
  };
}

/** Each report file a flag names (--junit, --sarif, --html, --metrics), checked writable. */
function reportFiles(resolved: ResolvedSettings): ReportFiles {
  const files: ReportFiles = {};
  for (const option of FILE_FORMATS.map(fileOptionOf)) {
    const file = settingValue(resolved, option);
    if (file) files[option] = writableFile(option, file);
  }
  return files;
}

/** --severity and --ignore-file, parsed: a bad value or line is a usage error naming it. */
export function mutingOf(severity: string | undefined, file: string | undefined): Pick<OutputConfig, "severities" | "ignore"> {
  const severities = severity === undefined ? undefined : parseSeverities(severity);
  if (file === undefined) return severities ? { severities } : {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--ignore-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  return { ...(severities ? { severities } : {}), ignore: { file, rules: parseIgnoreRules(text, `--ignore-file ${file}`) } };
}

function namedProfiles(resolved: ResolvedSettings, file: ConfigFile | undefined): RunConfig["namedProfiles"] {
  const flagged = settingValue(resolved, "other-profile") ?? [];
  for (const name of flagged) {
    if (!isValidProfileName(name))
      throw new UsageError("--other-profile takes a profile (Kubernetes namespace) name: lowercase letters, digits and '-'");
  }
  return [
    ...(file?.profiles ?? []).map((name) => ({ name, source: "config" as const })),
    ...flagged.map((name) => ({ name, source: "flag" as const })),
  ];
}

function viewOf(resolved: ResolvedSettings): OutputConfig["view"] {
  const quiet = settingValue(resolved, "quiet");
  const wide = settingValue(resolved, "wide");
  if (quiet && wide) throw new UsageError("--quiet and --wide exclude each other: keep one");
  return quiet ? "quiet" : wide ? "wide" : "default";
}

/** --policy-reader NAME=DIR: whose keys read IAM, from a secret directory. */
function policyReaderOf(spec: string | undefined, policyDir: string | undefined): Pick<RunConfig, "policyReader"> {
  if (spec === undefined) return {};
  if (policyDir) throw new UsageError("--policy-reader and --policy-dir: give the policies one way");
  const at = spec.indexOf("=");
  const [name, directory] = [spec.slice(0, at), spec.slice(at + 1)];
  if (at <= 0 || !directory) throw new UsageError(`--policy-reader ${spec}: write NAME=DIR, e.g. --policy-reader iam-reader=/secrets/iam-reader`);
  if (!existsSync(directory) || !statSync(directory).isDirectory())
    throw new UsageError(`--policy-reader ${spec}: ${directory} is not a directory (the reader's secret: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)`);
  return { policyReader: { name, directory } };
}

function policyDirOf(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--policy-dir ${dir}: not a directory (one policy file per identity, NAME.json)`);
  return dir;
}

function shardOf(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const shard = parseShard(text);
  if (!shard) throw new UsageError(`--shard must be I/N with 0 ≤ I < N ≤ 1000, e.g. --shard 0/4 (got ${JSON.stringify(withoutSecrets(text))})`);
  return shard;
}

/** What the engine is set to: the run's settings whole, and the store's bucket and request bound. */
function probeSettingsOf(store: StoreConfig, run: RunConfig): ProbeSettings {
  return {
    ...run,
    bucket: store.bucket,
    layout: LAYOUTS[run.layout],
    cleanupTimeoutMs: Math.max(store.requestTimeoutMs * 2, 15_000),
    tls: store.endpoint.startsWith("https://"),
    requestTimeoutMs: store.requestTimeoutMs,
    // Only where the store is known to answer so: RGW and MinIO answer 404 for a missing key when denied.
    ...(store.provider === "aws" || isAwsEndpoint(store.endpoint) ? { missingKeyDecides: true } : {}),
  };
}

export function configFrom(
  resolved: ResolvedSettings,
  identities: IdentitySpec[],
  provider: ProviderName | undefined,
  file?: ConfigFile,
): ProbeConfig {
  const store = storeFrom(resolved, provider);
  const run = runFrom(resolved, file);
  const settings = Object.fromEntries(reportedFields().flatMap((field) => (resolved[field] ? [[field, resolved[field]]] : [])));
  return {
    store,
    run,
    output: outputFrom(resolved),
    identities,
    probe: probeSettingsOf(store, run),
    settings: { ...settings, endpoint: { value: store.endpoint, source: resolved.endpoint?.source ?? "provider" } },
  };
}
