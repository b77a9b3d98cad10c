// --values: the settings an operator already has in deployKF's values file. From it come the
// endpoint, bucket and region, the identities (the backend and every profile), and for each the
// Secret it would load and that Secret's key names. Errors name the YAML path to fix.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { isValidProfileName } from "../core/layout.js";
import type { Role } from "../core/plan.js";
import { UsageError, yamlError } from "../core/usage-error.js";

const PIPELINES = "kubeflow_tools.pipelines";
const GENERATOR = "deploykf_core.deploykf_profiles_generator";
const PROFILE_AUTH = "tools.kubeflowPipelines.objectStoreAuth";

/** deployKF's defaults where the values file says nothing. */
export const DEPLOYKF_DEFAULTS = {
  accessKeyKey: "AWS_ACCESS_KEY_ID",
  secretKeyKey: "AWS_SECRET_ACCESS_KEY",
  profileSecret: "kubeflow-pipelines--profile-object-store-auth--{profile_name}",
};

export interface SecretRef {
  /** The Kubernetes Secret's name. */
  name: string;
  /** Its namespace, where the values name one (existingSecretNamespace); else the Job's. */
  namespace?: string;
  accessKeyKey: string;
  secretKeyKey: string;
}

export interface DeploykfIdentity {
  name: string;
  role: Role;
  /** The Secret with the keys, or null where they come from the environment (IRSA). */
  secret: SecretRef | null;
}

export interface DeploykfSettings {
  endpoint: string;
  bucket: string;
  region?: string;
  identities: DeploykfIdentity[];
  /** The part of the values file that was read: what a Job's ConfigMap needs, and nothing else. */
  subset: Record<string, unknown>;
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class ValuesReader {
  constructor(
    private readonly file: string,
    private readonly root: Node,
  ) {}

  fail(path: string, message: string): never {
    throw new UsageError(`${this.file}: ${path}: ${message}`);
  }

  node(path: string, required: boolean, allowed?: string[]): Node | undefined {
    let current: unknown = this.root;
    for (const part of path.split(".")) {
      if (current === undefined || current === null) break;
      if (!isNode(current)) this.fail(path, "must be a mapping");
      current = current[part];
    }
    if (current === undefined || current === null) {
      if (required) this.fail(path, "is missing");
      return undefined;
    }
    if (!isNode(current)) this.fail(path, "must be a mapping");
    if (allowed) this.onlyKeys(path, current, allowed);
    return current;
  }

  onlyKeys(path: string, node: Node, allowed: string[]): void {
    const unknown = Object.keys(node).find((key) => !allowed.includes(key));
    if (unknown !== undefined) this.fail(`${path}.${unknown}`, `unknown key (known here: ${allowed.join(", ")})`);
  }

  string(node: Node | undefined, path: string, key: string, required: boolean): string | undefined {
    const value = node?.[key];
    if (value === undefined || value === null || value === "") {
      if (required) this.fail(`${path}.${key}`, "is missing");
      return undefined;
    }
    if (typeof value !== "string") this.fail(`${path}.${key}`, "must be a string");
    return value;
  }

  boolean(node: Node | undefined, path: string, key: string, fallback: boolean): boolean {
    const value = node?.[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") this.fail(`${path}.${key}`, "must be true or false");
    return value;
  }
}

const OBJECT_STORE_KEYS = ["useExternal", "host", "port", "useSSL", "auth"];
const AUTH_KEYS = ["fromEnv", "existingSecret", "existingSecretKey", "existingSecretAccessKeyKey", "existingSecretSecretKeyKey"];
const PROFILE_AUTH_KEYS = ["existingSecret", "existingSecretNamespace", "existingSecretAccessKeyKey", "existingSecretSecretKeyKey"];

function secretRef(values: ValuesReader, auth: Node | undefined, path: string, fallback: SecretRef | undefined): SecretRef {
  const name = values.string(auth, path, "existingSecret", fallback === undefined) ?? (fallback?.name as string);
  const namespace = values.string(auth, path, "existingSecretNamespace", false) ?? fallback?.namespace;
  return {
    name,
    ...(namespace ? { namespace } : {}),
    accessKeyKey: values.string(auth, path, "existingSecretAccessKeyKey", false) ?? fallback?.accessKeyKey ?? DEPLOYKF_DEFAULTS.accessKeyKey,
    secretKeyKey: values.string(auth, path, "existingSecretSecretKeyKey", false) ?? fallback?.secretKeyKey ?? DEPLOYKF_DEFAULTS.secretKeyKey,
  };
}

function readDocument(file: string): ValuesReader {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--values ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UsageError(`--values ${yamlError(file, error)}`);
  }
  if (!isNode(document)) throw new UsageError(`--values ${file}: must be a YAML mapping (a deployKF values file)`);
  return new ValuesReader(file, document);
}

/** objectStore's host, port and useSSL as one endpoint URL. */
function endpointOf(values: ValuesReader, store: Node | undefined, storePath: string): string {
  const host = values.string(store, storePath, "host", true) as string;
  if (!/^[A-Za-z0-9.-]+$/.test(host)) values.fail(`${storePath}.host`, `${host} is not a host name (no scheme, no port: those are useSSL and port)`);
  const rawPort = store?.port;
  let port = "";
  if (rawPort !== undefined && rawPort !== null && rawPort !== "") {
    const number = typeof rawPort === "number" ? rawPort : Number(rawPort);
    if (!Number.isInteger(number) || number < 1 || number > 65535) values.fail(`${storePath}.port`, `${String(rawPort)} is not a port (1-65535)`);
    port = `:${number}`;
  }
  const useSsl = values.boolean(store, storePath, "useSSL", true);
  return `${useSsl ? "https" : "http"}://${host}${port}`;
}

interface Profiles {
  identities: DeploykfIdentity[];
  /** The profiles as the ConfigMap carries them: name and own objectStoreAuth. */
  subset: Node[];
  defaults: Node | undefined;
}

/** Every profile of the generator, each with its Secret (its own, or profileDefaults', with {profile_name}). */
function profilesOf(values: ValuesReader, fromEnv: boolean): Profiles {
  const defaultsPath = `${GENERATOR}.profileDefaults.${PROFILE_AUTH}`;
  const defaults = values.node(defaultsPath, false, PROFILE_AUTH_KEYS);
  const fallback = fromEnv ? undefined : secretRef(values, defaults, defaultsPath, { name: DEPLOYKF_DEFAULTS.profileSecret, ...DEPLOYKF_DEFAULTS });
  const profiles = values.node(GENERATOR, false)?.profiles ?? [];
  if (!Array.isArray(profiles)) values.fail(`${GENERATOR}.profiles`, "must be a list");
  const result: Profiles = { identities: [], subset: [], defaults };
  profiles.forEach((entry: unknown, i: number) => {
    const path = `${GENERATOR}.profiles[${i}]`;
    if (!isNode(entry)) values.fail(path, "must be a mapping with a name");
    const name = values.string(entry, path, "name", true) as string;
    if (!isValidProfileName(name)) values.fail(`${path}.name`, `${name} is not a valid profile (Kubernetes namespace) name`);
    const own = isNode(entry.tools) && isNode(entry.tools.kubeflowPipelines) ? entry.tools.kubeflowPipelines.objectStoreAuth : undefined;
    if (own !== undefined && !isNode(own)) values.fail(`${path}.${PROFILE_AUTH}`, "must be a mapping");
    if (own) values.onlyKeys(`${path}.${PROFILE_AUTH}`, own, PROFILE_AUTH_KEYS);
    result.subset.push({ name, ...(own ? { tools: { kubeflowPipelines: { objectStoreAuth: own } } } : {}) });
    const secret = fromEnv ? null : secretRef(values, own, `${path}.${PROFILE_AUTH}`, fallback);
    const named = secret ? { ...secret, name: secret.name.replaceAll("{profile_name}", name) } : null;
    result.identities.push({ name, role: { kind: "profile", profile: name }, secret: named });
  });
  return result;
}

export function readDeploykfValues(file: string): DeploykfSettings {
  const values = readDocument(file);
  const bucketNode = values.node(`${PIPELINES}.bucket`, true, ["name", "region"]);
  const bucket = values.string(bucketNode, `${PIPELINES}.bucket`, "name", true) as string;
  const region = values.string(bucketNode, `${PIPELINES}.bucket`, "region", false);
  const storePath = `${PIPELINES}.objectStore`;
  const store = values.node(storePath, true, OBJECT_STORE_KEYS);
  const endpoint = endpointOf(values, store, storePath);
  const authPath = `${storePath}.auth`;
  const auth = values.node(authPath, false, AUTH_KEYS);
  const fromEnv = values.boolean(auth, authPath, "fromEnv", false);
  const backend: DeploykfIdentity = {
    name: "backend",
    role: { kind: "backend" },
    secret: fromEnv ? null : secretRef(values, auth, authPath, undefined),
  };
  const profiles = profilesOf(values, fromEnv);
  const profileDefaults = profiles.defaults ? { profileDefaults: { tools: { kubeflowPipelines: { objectStoreAuth: profiles.defaults } } } } : {};
  const subset = {
    kubeflow_tools: { pipelines: { bucket: bucketNode, objectStore: store } },
    deploykf_core: { deploykf_profiles_generator: { ...profileDefaults, profiles: profiles.subset } },
  };
  return { endpoint, bucket, ...(region ? { region } : {}), identities: [backend, ...profiles.identities], subset };
}
