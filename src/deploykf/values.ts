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
const MINIO = "deploykf_opt.deploykf_minio";
const PROFILE_AUTH = "tools.kubeflowPipelines.objectStoreAuth";

/**
 * deployKF's own defaults where the values file says nothing, as its generator has them
 * (generator/default_values.yaml, and the helpers that read it: kubeflow-pipelines--object-store.tpl,
 * the pipelines' profile-resources.yaml and pipelines-bucket-secret.yaml, deploykf-minio's values.yaml).
 */
const DEPLOYKF_DEFAULTS = {
  bucket: "kubeflow-pipelines",
  /** objectStore.host and useSSL, read only with useExternal: true (port: none). */
  externalHost: "s3.amazonaws.com",
  externalUseSsl: true,
  /** The namespace deployKF keeps the backend's Secret in, and the profiles' by default, with an external store. */
  kubeflowNamespace: "kubeflow",
  /** objectStore.auth without existingSecret: deployKF makes this Secret from auth.accessKey and auth.secretKey. */
  backendSecret: "kubeflow-pipelines--backend-object-store-auth",
  /** objectStore.auth.existingSecretAccessKeyKey and existingSecretSecretKeyKey, read where existingSecret is set. */
  existingSecretKeys: { accessKeyKey: "AWS_ACCESS_KEY_ID", secretKeyKey: "AWS_SECRET_ACCESS_KEY" },
  /** The key names of the Secrets deployKF makes (from auth.accessKey/secretKey, the embedded MinIO's) and of a profile's. */
  madeSecretKeys: { accessKeyKey: "access_key", secretKeyKey: "secret_key" },
  profileSecret: "kubeflow-pipelines--profile-object-store-auth--{profile_name}",
  /** The embedded MinIO (useExternal: false, the default): its namespace, its API Service and port (plain HTTP). */
  minioNamespace: "deploykf-minio",
  minioService: "deploykf-minio-api",
  minioPort: 9000,
  /** The prefix of the Secrets the embedded MinIO's job generates, one per service account. */
  generatedPrefix: "generated--",
};

/** The keys deployKF itself knows (and defaults) in each mapping the probe reads: any other is a typo. */
const KNOWN_KEYS = {
  pipelines: [
    "enabled",
    "extraManifests",
    "images",
    "serviceAccounts",
    "bucket",
    "objectStore",
    "mysql",
    "mysqlDatabases",
    "kfpV2",
    "cache",
    "profileResourceGeneration",
  ],
  bucket: ["name", "region"],
  objectStore: ["useExternal", "host", "port", "useSSL", "auth"],
  auth: ["fromEnv", "accessKey", "secretKey", "existingSecret", "existingSecretAccessKeyKey", "existingSecretSecretKeyKey"],
  generator: ["enabled", "valuesOverrides", "extraManifests", "profileDefaults", "users", "groups", "profiles"],
  profileDefaults: ["profileNamePrefix", "ownerEmail", "memberAccess", "plugins", "resourceQuotaSpec", "tools"],
  profileTools: ["kubeflowPipelines"],
  profileKubeflowPipelines: ["objectStoreAuth"],
  profileAuth: ["existingSecret", "existingSecretNamespace", "existingSecretAccessKeyKey", "existingSecretSecretKeyKey"],
  minio: ["enabled", "namespace", "valuesOverrides", "extraManifests", "images", "persistence", "rootUser", "identity", "buckets", "policies"],
};

export interface SecretRef {
  /** The Kubernetes Secret's name. */
  name: string;
  /** Its namespace: where deployKF keeps it (existingSecretNamespace, kubeflow, the profile's, the embedded MinIO's). */
  namespace: string;
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

/** The Secret named in an objectStoreAuth mapping, with deployKF's defaults for what it leaves out. */
function secretIn(values: ValuesReader, auth: Node, path: string, defaults: Omit<SecretRef, "name">): SecretRef {
  return {
    name: values.string(auth, path, "existingSecret", true) as string,
    namespace: values.string(auth, path, "existingSecretNamespace", false) ?? defaults.namespace,
    accessKeyKey: values.string(auth, path, "existingSecretAccessKeyKey", false) ?? defaults.accessKeyKey,
    secretKeyKey: values.string(auth, path, "existingSecretSecretKeyKey", false) ?? defaults.secretKeyKey,
  };
}

/** The top-level sections of deployKF's values: anything else is not a deployKF values file. */
const TOP_LEVEL_KEYS = [
  "argocd",
  "kubernetes",
  "deploykf_dependencies",
  "deploykf_core",
  "deploykf_opt",
  "deploykf_tools",
  "kubeflow_dependencies",
  "kubeflow_tools",
];

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
  const unknown = Object.keys(document).find((key) => !TOP_LEVEL_KEYS.includes(key));
  if (unknown !== undefined) {
    throw new UsageError(`--values ${file}: ${unknown}: not a section of deployKF's values (known: ${TOP_LEVEL_KEYS.join(", ")})`);
  }
  return new ValuesReader(file, document);
}

/** An external store's host, port and useSSL as one endpoint URL (deployKF's defaults: AWS S3, https). */
function externalEndpoint(values: ValuesReader, store: Node | undefined, storePath: string): string {
  const host = values.string(store, storePath, "host", false) ?? DEPLOYKF_DEFAULTS.externalHost;
  if (!/^[A-Za-z0-9.-]+$/.test(host)) values.fail(`${storePath}.host`, `${host} is not a host name (no scheme, no port: those are useSSL and port)`);
  const rawPort = store?.port;
  let port = "";
  if (rawPort !== undefined && rawPort !== null && rawPort !== "") {
    const number = typeof rawPort === "number" ? rawPort : Number(rawPort);
    if (!Number.isInteger(number) || number < 1 || number > 65535) values.fail(`${storePath}.port`, `${String(rawPort)} is not a port (1-65535)`);
    port = `:${number}`;
  }
  const useSsl = values.boolean(store, storePath, "useSSL", DEPLOYKF_DEFAULTS.externalUseSsl);
  return `${useSsl ? "https" : "http"}://${host}${port}`;
}

/** Where KFP's objects are: the embedded MinIO (useExternal: false, deployKF's default) or the external store. */
interface StoreChoice {
  endpoint: string;
  /** The embedded MinIO's namespace; undefined for an external store. */
  minioNamespace: string | undefined;
  /** deploykf_opt.deploykf_minio.namespace as the values give it, for the Job's copy. */
  minioSubset: Node | undefined;
}

/** The embedded MinIO's API Service (plain HTTP on 9000), in deploykf_opt.deploykf_minio.namespace. */
function embeddedMinio(values: ValuesReader): StoreChoice {
  const minio = values.node(MINIO, false, KNOWN_KEYS.minio);
  if (!values.boolean(minio, MINIO, "enabled", true)) {
    values.fail(`${MINIO}.enabled`, `must be true where ${PIPELINES}.objectStore.useExternal is false (the embedded MinIO; deployKF refuses it too)`);
  }
  const given = values.string(minio, MINIO, "namespace", false);
  const namespace = given ?? DEPLOYKF_DEFAULTS.minioNamespace;
  if (!isValidProfileName(namespace)) values.fail(`${MINIO}.namespace`, `${namespace} is not a Kubernetes namespace name`);
  const { minioService, minioPort } = DEPLOYKF_DEFAULTS;
  return {
    endpoint: `http://${minioService}.${namespace}.svc.cluster.local:${minioPort}`,
    minioNamespace: namespace,
    minioSubset: given ? { namespace } : undefined,
  };
}

function storeChoice(values: ValuesReader, store: Node | undefined, storePath: string): StoreChoice {
  if (!values.boolean(store, storePath, "useExternal", false)) return embeddedMinio(values);
  return { endpoint: externalEndpoint(values, store, storePath), minioNamespace: undefined, minioSubset: undefined };
}

/** The backend's Secret: the embedded MinIO's generated one, existingSecret, or the one deployKF makes from accessKey/secretKey. */
function backendSecret(values: ValuesReader, auth: Node | undefined, authPath: string, minioNamespace: string | undefined): SecretRef | null {
  const fromEnv = values.boolean(auth, authPath, "fromEnv", false);
  if (fromEnv && minioNamespace) {
    values.fail(
      `${authPath}.fromEnv`,
      `must be false where ${PIPELINES}.objectStore.useExternal is false (the embedded MinIO; deployKF refuses it too)`,
    );
  }
  if (fromEnv) return null;
  const { madeSecretKeys, backendSecret: made, generatedPrefix, kubeflowNamespace } = DEPLOYKF_DEFAULTS;
  if (minioNamespace) return { name: `${generatedPrefix}${made}`, namespace: minioNamespace, ...madeSecretKeys };
  if (!auth || !values.string(auth, authPath, "existingSecret", false)) return { name: made, namespace: kubeflowNamespace, ...madeSecretKeys };
  // The backend's auth has no existingSecretNamespace (onlyKeys refuses it): its Secret is in kubeflow.
  return secretIn(values, auth, authPath, { ...DEPLOYKF_DEFAULTS.existingSecretKeys, namespace: kubeflowNamespace });
}

interface Profiles {
  identities: DeploykfIdentity[];
  /** The profiles as the ConfigMap carries them: name and own objectStoreAuth. */
  subset: Node[];
  defaults: Node | undefined;
}

/** profileDefaults' objectStoreAuth, each mapping on the way checked for deployKF's keys. */
function profileDefaultsAuth(values: ValuesReader): { defaults: Node | undefined; path: string } {
  values.node(GENERATOR, false, KNOWN_KEYS.generator);
  const profileDefaults = `${GENERATOR}.profileDefaults`;
  values.node(profileDefaults, false, KNOWN_KEYS.profileDefaults);
  values.node(`${profileDefaults}.tools`, false, KNOWN_KEYS.profileTools);
  values.node(`${profileDefaults}.tools.kubeflowPipelines`, false, KNOWN_KEYS.profileKubeflowPipelines);
  const path = `${profileDefaults}.${PROFILE_AUTH}`;
  return { defaults: values.node(path, false, KNOWN_KEYS.profileAuth), path };
}

/**
 * The Secret of a profile without objectStoreAuth of its own, with {profile_name} still in its name:
 * the embedded MinIO's generated one (in its namespace), or profileDefaults' (in kubeflow by default).
 */
function defaultProfileSecret(values: ValuesReader, defaults: Node | undefined, path: string, minioNamespace: string | undefined): SecretRef {
  if (defaults?.existingSecret === "") values.fail(`${path}.existingSecret`, "is empty: name the profiles' Secret, with {profile_name} in it");
  const template = values.string(defaults, path, "existingSecret", false) ?? DEPLOYKF_DEFAULTS.profileSecret;
  const keys = {
    accessKeyKey: values.string(defaults, path, "existingSecretAccessKeyKey", false) ?? DEPLOYKF_DEFAULTS.madeSecretKeys.accessKeyKey,
    secretKeyKey: values.string(defaults, path, "existingSecretSecretKeyKey", false) ?? DEPLOYKF_DEFAULTS.madeSecretKeys.secretKeyKey,
  };
  if (!minioNamespace) {
    const namespace = values.string(defaults, path, "existingSecretNamespace", false) ?? DEPLOYKF_DEFAULTS.kubeflowNamespace;
    return { name: template, namespace, ...keys };
  }
  if (!template.includes("{profile_name}")) {
    values.fail(
      `${path}.existingSecret`,
      `${template} lacks {profile_name}: the embedded MinIO makes one Secret per profile (deployKF refuses it too)`,
    );
  }
  return { name: `${DEPLOYKF_DEFAULTS.generatedPrefix}${template}`, namespace: minioNamespace, ...keys };
}

/** A profile's own objectStoreAuth, where it has one (a mapping with something in it, as deployKF reads it). */
function ownAuthOf(values: ValuesReader, entry: Node, path: string): Node | undefined {
  const own = isNode(entry.tools) && isNode(entry.tools.kubeflowPipelines) ? entry.tools.kubeflowPipelines.objectStoreAuth : undefined;
  if (own !== undefined && own !== null && !isNode(own)) values.fail(`${path}.${PROFILE_AUTH}`, "must be a mapping");
  if (!own || Object.keys(own).length === 0) return undefined;
  values.onlyKeys(`${path}.${PROFILE_AUTH}`, own, KNOWN_KEYS.profileAuth);
  return own;
}

/** Every profile of the generator, each with its Secret: its own (in its namespace by default), or the default one. */
function profilesOf(values: ValuesReader, fromEnv: boolean, minioNamespace: string | undefined): Profiles {
  const { defaults, path: defaultsPath } = profileDefaultsAuth(values);
  let fallback: SecretRef | undefined;
  const defaultFor = () => (fallback ??= defaultProfileSecret(values, defaults, defaultsPath, minioNamespace));
  if (minioNamespace) defaultFor();
  const profiles = values.node(GENERATOR, false)?.profiles ?? [];
  if (!Array.isArray(profiles)) values.fail(`${GENERATOR}.profiles`, "must be a list");
  const result: Profiles = { identities: [], subset: [], defaults };
  profiles.forEach((entry: unknown, i: number) => {
    const path = `${GENERATOR}.profiles[${i}]`;
    if (!isNode(entry)) values.fail(path, "must be a mapping with a name");
    const name = values.string(entry, path, "name", true) as string;
    if (!isValidProfileName(name)) values.fail(`${path}.name`, `${name} is not a valid profile (Kubernetes namespace) name`);
    const own = ownAuthOf(values, entry, path);
    result.subset.push({ name, ...(own ? { tools: { kubeflowPipelines: { objectStoreAuth: own } } } : {}) });
    const ownDefaults = { namespace: name, ...DEPLOYKF_DEFAULTS.madeSecretKeys };
    const secret = own ? secretIn(values, own, `${path}.${PROFILE_AUTH}`, ownDefaults) : fromEnv ? null : defaultFor();
    const named = secret ? { ...secret, name: secret.name.replaceAll("{profile_name}", name) } : null;
    result.identities.push({ name, role: { kind: "profile", profile: name }, secret: named });
  });
  return result;
}

/** objectStore as the Job's copy carries it: never auth.accessKey or auth.secretKey, which are keys. */
function storeSubset(store: Node | undefined): Node | undefined {
  if (!store || !isNode(store.auth)) return store;
  const { accessKey: _accessKey, secretKey: _secretKey, ...auth } = store.auth;
  return { ...store, auth };
}

export function readDeploykfValues(file: string): DeploykfSettings {
  const values = readDocument(file);
  values.node(PIPELINES, false, KNOWN_KEYS.pipelines);
  const bucketNode = values.node(`${PIPELINES}.bucket`, false, KNOWN_KEYS.bucket);
  const bucket = values.string(bucketNode, `${PIPELINES}.bucket`, "name", false) ?? DEPLOYKF_DEFAULTS.bucket;
  const region = values.string(bucketNode, `${PIPELINES}.bucket`, "region", false);
  const storePath = `${PIPELINES}.objectStore`;
  const store = values.node(storePath, false, KNOWN_KEYS.objectStore);
  const choice = storeChoice(values, store, storePath);
  const authPath = `${storePath}.auth`;
  const auth = values.node(authPath, false, KNOWN_KEYS.auth);
  const secret = backendSecret(values, auth, authPath, choice.minioNamespace);
  const backend: DeploykfIdentity = { name: "backend", role: { kind: "backend" }, secret };
  const profiles = profilesOf(values, secret === null, choice.minioNamespace);
  const profileDefaults = profiles.defaults ? { profileDefaults: { tools: { kubeflowPipelines: { objectStoreAuth: profiles.defaults } } } } : {};
  const objectStore = storeSubset(store);
  const subset = {
    kubeflow_tools: { pipelines: { ...(bucketNode ? { bucket: bucketNode } : {}), ...(objectStore ? { objectStore } : {}) } },
    deploykf_core: { deploykf_profiles_generator: { ...profileDefaults, profiles: profiles.subset } },
    ...(choice.minioSubset ? { deploykf_opt: { deploykf_minio: choice.minioSubset } } : {}),
  };
  return { endpoint: choice.endpoint, bucket, ...(region ? { region } : {}), identities: [backend, ...profiles.identities], subset };
}
