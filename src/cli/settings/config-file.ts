// --config FILE: the store and any number of identities, each with its own credential source.
// Every problem is one UsageError naming the YAML path to fix. Secrets are never read from the
// file: it names directories and environment variables only.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { isValidProfileName, LAYOUT_NAMES, type LayoutName } from "../../core/layout.js";
import type { Role } from "../../core/plan.js";
import { UsageError, yamlError } from "../../core/usage-error.js";
import type { CredentialRequest } from "../../credentials/load.js";
import { isKeyFileName } from "./validate.js";

export type CredentialSpec = Omit<CredentialRequest, "env" | "timeoutMs">;

export interface IdentitySpec {
  name: string;
  role: Role;
  credentials: CredentialSpec;
}

export interface ConfigFile {
  endpoint?: string;
  bucket?: string;
  region?: string;
  pathStyle?: boolean;
  layout?: LayoutName;
  /** The KFP release whose components are judged (X.Y). */
  kfpVersion?: string;
  /** KFP's kfp-launcher ConfigMap(s), as YAML. */
  launcherConfig?: string;
  identities: IdentitySpec[];
  /** Profiles to try the identities against, beyond those found in the bucket. */
  profiles: string[];
}

const TOP_LEVEL = ["endpoint", "bucket", "region", "pathStyle", "layout", "kfpVersion", "launcherConfig", "identities", "profiles"];
const IDENTITY_KEYS = ["name", "backend", "profile", "credentials"];
const SOURCE_KEYS = ["dir", "env", "chain", "gcsHmac"];
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(file: string, path: string, message: string): never {
  throw new UsageError(`${file}: ${path}: ${message}`);
}

function onlyKeys(file: string, path: string, node: Node, allowed: string[]): void {
  const unknown = Object.keys(node).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) fail(file, path, `unknown key ${unknown[0]} (allowed: ${allowed.join(", ")})`);
}

function optionalString(file: string, path: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") fail(file, path, "must be a non-empty string");
  return value;
}

function variables(file: string, path: string, value: unknown): CredentialSpec["variables"] {
  if (!isNode(value)) fail(file, path, "must map accessKeyId and secretAccessKey to environment variable names");
  onlyKeys(file, path, value, ["accessKeyId", "secretAccessKey", "sessionToken"]);
  const name = (key: string, required: boolean): string | undefined => {
    const raw = value[key];
    if (raw === undefined && !required) return undefined;
    // Never echo the value: a secret pasted here by mistake must not reach a terminal.
    if (typeof raw !== "string" || !VARIABLE_NAME.test(raw))
      fail(file, `${path}.${key}`, "must name an environment variable (letters, digits, _), not hold a value");
    return raw;
  };
  const sessionToken = name("sessionToken", false);
  return {
    accessKeyId: name("accessKeyId", true) as string,
    secretAccessKey: name("secretAccessKey", true) as string,
    ...(sessionToken ? { sessionToken } : {}),
  };
}

/**
 * A Secret mounted as a directory: a path, or `{ path, accessKeyKey, secretKeyKey }` where the
 * Secret's keys have other names than AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (deployKF's
 * existingSecretAccessKeyKey and existingSecretSecretKeyKey).
 */
function secretDirectory(file: string, path: string, value: unknown): CredentialSpec {
  if (!isNode(value)) return { source: "dir", directory: optionalString(file, path, value) ?? fail(file, path, "must be a directory path") };
  onlyKeys(file, path, value, ["path", "accessKeyKey", "secretKeyKey"]);
  const directory = optionalString(file, `${path}.path`, value.path) ?? fail(file, `${path}.path`, "must be a directory path");
  const keyName = (key: "accessKeyKey" | "secretKeyKey"): string => {
    const raw = value[key];
    // Never echo the value: a secret pasted here by mistake must not reach a terminal.
    if (typeof raw !== "string" || !isKeyFileName(raw)) fail(file, `${path}.${key}`, "must name a key of the Secret (a file name), not hold a value");
    return raw;
  };
  return { source: "dir", directory, variables: { accessKeyId: keyName("accessKeyKey"), secretAccessKey: keyName("secretKeyKey") } };
}

function credentials(file: string, path: string, value: unknown): CredentialSpec {
  if (!isNode(value)) fail(file, path, `must be one of: ${SOURCE_KEYS.join(", ")}`);
  onlyKeys(file, path, value, SOURCE_KEYS);
  const given = SOURCE_KEYS.filter((key) => value[key] !== undefined);
  if (given.length !== 1) fail(file, path, `needs exactly one of ${SOURCE_KEYS.join(", ")}`);
  const source = given[0] as string;
  const inner = value[source];
  switch (source) {
    case "dir":
      return secretDirectory(file, `${path}.dir`, inner);
    case "env":
      return { source: "env", ...(inner === true ? {} : { variables: variables(file, `${path}.env`, inner) }) };
    case "chain":
      if (inner !== true) fail(file, `${path}.chain`, "must be true");
      return { source: "chain" };
    default: {
      if (!isNode(inner)) fail(file, `${path}.gcsHmac`, "must have dir or env");
      onlyKeys(file, `${path}.gcsHmac`, inner, ["dir", "env"]);
      const directory = optionalString(file, `${path}.gcsHmac.dir`, inner.dir);
      if (directory) return { source: "gcs-hmac", directory };
      return {
        source: "gcs-hmac",
        ...(inner.env === undefined || inner.env === true ? {} : { variables: variables(file, `${path}.gcsHmac.env`, inner.env) }),
      };
    }
  }
}

function identity(file: string, path: string, value: unknown): IdentitySpec {
  if (!isNode(value)) fail(file, path, "must be a mapping with backend: true or profile: NAME, and credentials");
  onlyKeys(file, path, value, IDENTITY_KEYS);
  const profile = optionalString(file, `${path}.profile`, value.profile);
  if (value.backend !== undefined && value.backend !== true) fail(file, `${path}.backend`, "must be true");
  if ((value.backend === true) === (profile !== undefined)) fail(file, path, "needs either backend: true or profile: NAME");
  if (profile !== undefined && !isValidProfileName(profile))
    fail(file, `${path}.profile`, `${profile} is not a valid profile (Kubernetes namespace) name`);
  const role: Role = profile === undefined ? { kind: "backend" } : { kind: "profile", profile };
  if (value.credentials === undefined) fail(file, `${path}.credentials`, "is required (dir, env, chain or gcsHmac)");
  const name = optionalString(file, `${path}.name`, value.name);
  if (name !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    fail(file, `${path}.name`, "must be a name of lowercase letters, digits and '-', like team-1");
  return {
    name: name ?? profile ?? "backend",
    role,
    credentials: credentials(file, `${path}.credentials`, value.credentials),
  };
}

export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--config ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UsageError(yamlError(file, error));
  }
  if (!isNode(document)) fail(file, "(top)", "must be a mapping");
  onlyKeys(file, "(top)", document, TOP_LEVEL);
  if (document.pathStyle !== undefined && typeof document.pathStyle !== "boolean") fail(file, "pathStyle", "must be true or false");
  const layout = optionalString(file, "layout", document.layout);
  if (layout !== undefined && !(LAYOUT_NAMES as string[]).includes(layout)) fail(file, "layout", `must be one of ${LAYOUT_NAMES.join(", ")}`);
  const list = document.identities ?? [];
  if (!Array.isArray(list)) fail(file, "identities", "must be a list");
  const identities = list.map((item, i) => identity(file, `identities[${i}]`, item));
  const profiles = profileNames(file, document.profiles);
  const endpoint = optionalString(file, "endpoint", document.endpoint);
  const bucket = optionalString(file, "bucket", document.bucket);
  const region = optionalString(file, "region", document.region);
  // YAML reads 2.10 as the number 2.1: a release must be quoted.
  if (typeof document.kfpVersion === "number")
    fail(file, "kfpVersion", `must be quoted, e.g. kfpVersion: "${document.kfpVersion}" (YAML reads 2.10 as 2.1)`);
  const kfpVersion = optionalString(file, "kfpVersion", document.kfpVersion);
  const launcherConfig = optionalString(file, "launcherConfig", document.launcherConfig);
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(bucket ? { bucket } : {}),
    ...(region ? { region } : {}),
    ...(kfpVersion ? { kfpVersion } : {}),
    ...(launcherConfig ? { launcherConfig } : {}),
    ...(document.pathStyle !== undefined ? { pathStyle: document.pathStyle as boolean } : {}),
    ...(layout ? { layout: layout as LayoutName } : {}),
    identities,
    profiles,
  };
}

function profileNames(file: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(file, "profiles", "must be a list of profile names");
  return value.map((name, i) => {
    if (typeof name !== "string" || !isValidProfileName(name)) fail(file, `profiles[${i}]`, "must be a profile (Kubernetes namespace) name");
    return name;
  });
}
