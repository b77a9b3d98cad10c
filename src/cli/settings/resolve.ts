// From the command line, the environment, --config and --values to one ProbeConfig. Every problem
// is one line that says what to fix (UsageError → exit 2), raised before anything is sent.
import { UsageError } from "../../core/usage-error.js";
import { type SharedProfileSettings, sharedProfileSettings } from "../../credentials/aws-profile.js";
import type { DeploykfSettings } from "../../deploykf/values.js";
import { type ChecksumMode, PROVIDERS, type ProviderName } from "../../s3/providers.js";
import { canonicalFlags, type ParsedCommandLine, readCommandLine } from "./command-line.js";
import { configFrom, type ProbeConfig } from "./config.js";
import type { ConfigFile } from "./config-file.js";
import {
  awsEnvironmentLayer,
  defaultsLayer,
  environmentLayer,
  FIELDS,
  type FieldName,
  keyedLayer,
  type Layer,
  layerOf,
  layerValue,
  type ResolvedSettings,
  resolveSettings,
  type SettingSource,
  settingValue,
} from "./fields.js";
import type { HelpRow } from "./help.js";
import { identitiesFrom, refuseDuplicateNames } from "./identities.js";
import { parseEndpoint, refuseDuplicateFlags, refuseSecretFlags } from "./validate.js";

export type { ProbeConfig } from "./config.js";
export { UsageError };

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

/** Every layer, lowest first. */
function layersOf(sources: Sources): [SettingSource, Layer][] {
  const preset = sources.provider ? PROVIDERS[sources.provider] : undefined;
  return [
    ["default", defaultsLayer()],
    [
      "provider",
      layerOf({
        region: preset && "defaultRegion" in preset ? preset.defaultRegion : undefined,
        "path-style": preset?.forcePathStyle,
        checksums: preset ? checksumFlag(preset.checksums) : undefined,
      }),
    ],
    ["aws-config", layerOf({ region: sources.awsProfile?.region, endpoint: sources.awsProfile?.endpoint })],
    ["aws-environment", awsEnvironmentLayer(sources.env)],
    ["deploykf", keyedLayer(sources.deploykf, "valuesKey")],
    ["config", keyedLayer(sources.file, "configKey")],
    ["environment", sources.environment],
    ["flag", sources.flags],
  ];
}

/** No source names the endpoint: the provider preset's, for the region (which every layer has had its say on). */
function presetEndpoint(provider: ProviderName | undefined, resolved: ResolvedSettings): string {
  const preset = provider ? PROVIDERS[provider] : undefined;
  if (preset && "endpoint" in preset) {
    if (!("defaultRegion" in preset) && resolved.region?.source === "default") {
      throw new UsageError(`--provider ${provider} needs --region (or AWS_REGION): its endpoint is ${preset.endpointExample}`);
    }
    return preset.endpoint(settingValue(resolved, "region"));
  }
  const example = preset ? preset.endpointExample : "http://minio.kubeflow:9000 or https://s3.us-east-1.amazonaws.com";
  throw new UsageError(`--endpoint is required, e.g. --endpoint ${example}`);
}

/**
 * Every setting from its highest layer, in one resolution; then what depends on the endpoint where
 * no layer gave it: the preset's endpoint, and path-style and checksums as its defaults.
 */
function resolveAll(sources: Sources): ResolvedSettings {
  const resolved = resolveSettings(layersOf(sources));
  resolved.endpoint ??= { value: presetEndpoint(sources.provider, resolved), source: "provider" };
  const onAws = new URL(parseEndpoint(String(resolved.endpoint.value))).hostname.endsWith(".amazonaws.com");
  resolved["path-style"] ??= { value: !onAws, source: "default" };
  resolved.checksums ??= { value: onAws ? "when-supported" : "when-required", source: "default" };
  return resolved;
}

/** --config and --values, each read (and the YAML parser loaded) only when it is given. */
async function readInputFiles(given: Layer): Promise<{ file?: ConfigFile; deploykf?: DeploykfSettings }> {
  const config = layerValue(given, "config");
  const values = layerValue(given, "values");
  if (values && config) throw new UsageError("--values and --config exclude each other: use one");
  if (config) return { file: (await import("./config-file.js")).readConfigFile(config) };
  if (values) return { deploykf: (await import("../../deploykf/values.js")).readDeploykfValues(values) };
  return {};
}

/**
 * The command line's flags (a layer) and its other words; --help's text where it was asked for.
 * `ownFlags`: a command's flags beyond the run's (sweep's), which an unknown flag may have meant.
 */
export async function readFlags(
  argv: string[],
  commands: readonly HelpRow[] = [],
  ownFlags: readonly string[] = [],
): Promise<ParsedCommandLine & { help: string }> {
  refuseSecretFlags(argv);
  refuseDuplicateFlags(canonicalFlags(argv), (flag) => flag in FIELDS && FIELDS[flag as FieldName].kind === "strings");
  let help = "";
  // yargs (and with it the parser's 200 kB) only for --help and the forms command-line.ts leaves to it.
  const read =
    readCommandLine(argv, ownFlags) ?? (await (await import("./parser.js")).parseCommandLine(argv, (text) => (help += text), commands, ownFlags));
  return { ...read, help };
}

/** Every setting from the flags, the environment, --config and --values, resolved once. */
export async function resolveConfig(flags: Layer, positional: string[], env: NodeJS.ProcessEnv): Promise<ProbeConfig> {
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}: every setting is a --flag (see --help)`);
  const environment = environmentLayer(env);
  // What chooses the other sources (files, identities, provider) is given on the command line or by KFP_S3_PROBE_* alone.
  const given: Layer = { ...environment, ...flags };
  const inputs = await readInputFiles(given);
  const identities = identitiesFrom(given, inputs.file, inputs.deploykf);
  refuseDuplicateNames(identities);
  const allGcs = identities.every((i) => i.credentials.source === "gcs-hmac");
  const provider = layerValue(given, "provider") ?? (allGcs ? "gcs" : undefined);
  const awsProfile = await sharedProfileSettings(env);
  const resolved = resolveAll({ env, environment, flags, ...inputs, ...(provider ? { provider } : {}), ...(awsProfile ? { awsProfile } : {}) });
  return configFrom(resolved, identities, provider, inputs.file);
}

/** The command line and the environment to a ProbeConfig; null when --help was shown (and written to stdout). */
export async function parseArgs(argv: string[], env: NodeJS.ProcessEnv, commands: readonly HelpRow[] = []): Promise<ProbeConfig | null> {
  const { flags, positional, helpShown, help } = await readFlags(argv, commands);
  if (helpShown) {
    process.stdout.write(help);
    return null;
  }
  return resolveConfig(flags, positional, env);
}
