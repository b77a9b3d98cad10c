// The v2 launcher's session for a profile, as KFP reads it from the namespace's kfp-launcher
// ConfigMap (kubeflow/pipelines backend/src/v2/config/env.go and s3.go at 2.17.0, gocloud.dev
// blob/s3blob/s3blob.go at v0.40.0): the pipeline root decides where its keys lie and, with a query
// string, that gocloud's URL opener makes its client (whose uploads carry CRC32 in KFP 2.17); the
// providers' default (or the first override whose bucket and key prefix match) decides the endpoint,
// TLS and addressing. Without a ConfigMap, the layout's installer's is assumed (docs/components.md).
import { minorOf } from "./components.js";
import { type KeyLayout, kfpRoot } from "./layout.js";
import { UsageError } from "./usage-error.js";

export interface LauncherSession {
  /** The pipeline root's key part under the bucket, ending in "/". */
  root: string;
  bucket: string | null;
  /** The root has a query string: gocloud's URL opener makes the client (fromEnv), and KFP 2.17's uploads carry CRC32. */
  queryString: boolean;
  /** That query string as given (without "?"), where it is known: a ConfigMap's. */
  query?: string;
  /** Where its requests go, with scheme; null: the probe's endpoint. */
  endpoint: string | null;
  /** http where the probe's endpoint stands in for the session's (the default MinIO session speaks plain HTTP). */
  tls: boolean | null;
  forcePathStyle: boolean;
  /** Read from a ConfigMap (its field path for errors and the report), or the layout's installer's default. */
  source: string;
  /**
   * A ConfigMap's, the layout's installer's (no --launcher-config), or KFP's built-in default:
   * --launcher-config has none for the namespace, and the launcher silently falls back to it.
   */
  origin: "config-map" | "installer" | "kfp-default";
}

/** KFP's own default root where the ConfigMap names none, or there is none (backend/src/v2/config/env.go). */
const KFP_DEFAULT_ROOT = "minio://mlpipeline/v2/artifacts";

/** The default MinIO session's endpoint (plain HTTP): minio-service up to 2.14, seaweedfs from 2.15 (docs/components.md). */
function kfpDefaultEndpoint(release: string): string {
  return minorOf(release) >= 15 ? "http://seaweedfs.kubeflow:9000" : "http://minio-service.kubeflow:9000";
}

/** What the launcher of a namespace with no kfp-launcher ConfigMap uses: KFP's built-in root and MinIO session. */
export function kfpDefaultSession(release: string, namespace: string, file: string): LauncherSession {
  return {
    root: "v2/artifacts/",
    bucket: "mlpipeline",
    queryString: false,
    endpoint: kfpDefaultEndpoint(release),
    tls: false,
    forcePathStyle: true,
    source: `--launcher-config ${file} has no kfp-launcher ConfigMap for namespace ${namespace}: KFP's built-in ${KFP_DEFAULT_ROOT}`,
    origin: "kfp-default",
  };
}

/** The installer's ConfigMap for the layout: its root, through the probe's own endpoint. deployKF's root carries a query string (docs/components.md). */
export function defaultLauncherSession(layout: KeyLayout, profile: string): LauncherSession {
  return {
    root: kfpRoot(layout, "v2", profile),
    bucket: null,
    queryString: layout.name === "deploykf",
    endpoint: null,
    tls: null,
    forcePathStyle: true,
    source: `the ${layout.name} layout's kfp-launcher ConfigMap`,
    origin: "installer",
  };
}

const ROOT = /^(minio|s3|gs):\/\/([^/?]+)\/?([^?]*)(?:\?(.*))?$/;

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);

function optionalBoolean(fields: Fields, key: string, where: string): boolean | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new UsageError(`${where}.${key} must be true or false`);
}

/** host:port, or a URL: KFP prefixes http:// or https:// by disableSSL. */
function endpointOf(value: unknown, tls: boolean, where: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw new UsageError(`${where}.endpoint must be a host:port, e.g. seaweedfs.kubeflow:9000`);
  return /^https?:\/\//.test(value) ? value : `${tls ? "https" : "http"}://${value}`;
}

/** The provider's default, overridden by its first override for this bucket and key prefix (s3.go getOverrideByPrefix). */
function providerFields(providers: Fields, scheme: string, bucket: string, root: string, where: string): { fields: Fields; where: string } | null {
  const provider = providers[scheme];
  if (!isFields(provider) || !isFields(provider.default)) return null;
  const overrides = (provider.overrides ?? provider.Overrides ?? []) as unknown;
  const list = Array.isArray(overrides) ? overrides.filter(isFields) : [];
  const index = list.findIndex((o) => o.bucketName === bucket && typeof o.keyPrefix === "string" && root.startsWith(o.keyPrefix));
  const override = list[index];
  const defined = override ? Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined && v !== null && v !== "")) : {};
  return { fields: { ...provider.default, ...defined }, where: `${where}.providers.${scheme}.${override ? `overrides[${index}]` : "default"}` };
}

/** A root with a query string: gocloud reads endpoint (a URL) and use_path_style (default false: virtual-hosted). */
function queryStringSession(query: string, root: string, bucket: string, where: string): LauncherSession {
  const params = new URLSearchParams(query);
  const endpoint = params.get("endpoint");
  const pathStyle = params.get("use_path_style");
  return {
    root,
    bucket,
    queryString: true,
    query,
    endpoint: endpoint ? endpointOf(endpoint, params.get("disable_https") !== "true", `${where}.defaultPipelineRoot`) : null,
    tls: null,
    forcePathStyle: pathStyle === null ? false : pathStyle === "true",
    source: `${where}.defaultPipelineRoot`,
    origin: "config-map",
  };
}

/**
 * The session a ConfigMap's data gives (its `providers` already parsed from the YAML it holds). KFP's
 * own default root, minio://mlpipeline/v2/artifacts, where it names none; the default MinIO session
 * (plain HTTP, path-style) where no provider matches its scheme.
 */
export function launcherSessionOf(data: { defaultPipelineRoot?: unknown; providers?: unknown }, where: string): LauncherSession {
  const given = data.defaultPipelineRoot ?? KFP_DEFAULT_ROOT;
  const match = typeof given === "string" ? ROOT.exec(given) : null;
  if (!match) throw new UsageError(`${where}.defaultPipelineRoot must be minio://, s3:// or gs://BUCKET/PATH, e.g. minio://mlpipeline/v2/artifacts`);
  const [, scheme = "", bucket = "", path = "", query] = match;
  const root = path === "" || path.endsWith("/") ? path : `${path}/`;
  if (query !== undefined && query !== "") return queryStringSession(query, root, bucket, where);
  const provider = isFields(data.providers) ? providerFields(data.providers, scheme, bucket, root, where) : null;
  if (!provider)
    return {
      root,
      bucket,
      queryString: false,
      endpoint: null,
      tls: false,
      forcePathStyle: true,
      source: `${where} (the default MinIO session)`,
      origin: "config-map",
    };
  const tls = !(optionalBoolean(provider.fields, "disableSSL", provider.where) ?? false);
  return {
    root,
    bucket,
    queryString: false,
    endpoint: endpointOf(provider.fields.endpoint, tls, provider.where),
    tls,
    forcePathStyle: optionalBoolean(provider.fields, "forcePathStyle", provider.where) ?? true,
    source: provider.where,
    origin: "config-map",
  };
}

/**
 * What gocloud.dev v0.40.0's s3blob URL opener takes with AWS SDK v2, its default: its own
 * parameters, then aws.V2ConfigFromURLParams's (blob.OpenBucket strips prefix and key first). Any
 * other is "unknown query parameter" and the bucket does not open (blob/s3blob/s3blob.go 107-108,
 * 156-157, 211-228 and aws/aws.go 171-178, 213-251 at v0.40.0; go-cloud#3472).
 */
const GOCLOUD_V040_PARAMETERS: ReadonlySet<string> = new Set([
  ...["ssetype", "kmskeyid", "accelerate", "disable_https", "use_path_style"],
  ...["hostname_immutable", "region", "endpoint", "profile", "dualstack", "fips", "rate_limiter_capacity", "awssdk"],
  ...["prefix", "key"],
]);

/** aws-sdk-go v1's names, which gocloud's SDK v2 path refuses, and what it reads instead. */
const V2_NAMES: Readonly<Record<string, string>> = {
  disableSSL: "disable_https",
  disable_ssl: "disable_https",
  s3ForcePathStyle: "use_path_style",
  s3_force_path_style: "use_path_style",
};

/**
 * The launcher opens a root with a query string with gocloud.dev v0.40.0: KFP's go.mod from 2.4.1
 * (#11716) to 2.17.0; 2.0.0 to 2.4.0 pin v0.22.0 and v0.23.0 (SDK v1 only, which takes disableSSL
 * and s3ForcePathStyle). A release X.Y is its last patch, so 2.4 is 2.4.1.
 */
const opensWithGocloudV040 = (release: string): boolean => minorOf(release) >= 4;

/**
 * The parameters of a ConfigMap's root that the launcher's URL opener refuses in this release, and
 * the query string it would take (v1 names renamed, the others left out); null where it takes them
 * all, the query is not known, or awssdk=v1 picks the SDK v1 path (not read here).
 */
export function refusedRootParameters(release: string, session: LauncherSession): { refused: string[]; fixed: string } | null {
  if (session.query === undefined || !opensWithGocloudV040(release)) return null;
  const params = new URLSearchParams(session.query);
  if (params.get("awssdk")?.toLowerCase() === "v1") return null;
  const refused = [...params.keys()].filter((name) => !GOCLOUD_V040_PARAMETERS.has(name));
  if (refused.length === 0) return null;
  const fixed = new URLSearchParams();
  for (const [name, value] of params) {
    const renamed = GOCLOUD_V040_PARAMETERS.has(name) ? name : V2_NAMES[name];
    if (renamed && !fixed.has(renamed)) fixed.append(renamed, value);
  }
  return { refused, fixed: fixed.toString() };
}
