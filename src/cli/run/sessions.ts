// One session per identity: its S3 client, on the store's settings, with the bucket's region
// detected where none was given, and the caller's ARN on AWS.
import type { S3Client } from "@aws-sdk/client-s3";
import { getProxyForUrl } from "proxy-from-env";
import type { CheckResult } from "../../core/verdict.js";
import { CredentialError, type LoadedCredentials, loadCredentials } from "../../credentials/load.js";
import type { ProbeIdentity } from "../../probe/engine.js";
import { bounded } from "../../probe/run-state.js";
import { ADDRESSING_SUSPECTS, tryOtherAddressing } from "../../s3/addressing.js";
import { callerArn } from "../../s3/caller.js";
import { ANONYMOUS, createS3Client, type StoreSettings } from "../../s3/client.js";
import { isAwsEndpoint } from "../../s3/providers.js";
import type { RequestMeter } from "../../s3/request-meter.js";
import { SdkS3Port } from "../../s3/s3-port.js";
import type { ProbeConfig } from "../settings/resolve.js";

export interface Sessions {
  store: StoreSettings;
  identities: ProbeIdentity[];
  /** Caller ARNs by identity name (AWS only). */
  callers: Map<string, string>;
  clients: S3Client[];
  /** The anonymous caller's name in this run, where it is tried. */
  anonymous?: string;
}

/** "anonymous", unless an identity of the run already has that name. */
function anonymousName(config: ProbeConfig): string {
  return config.identities.some((i) => i.name === "anonymous") ? "anonymous-caller" : "anonymous";
}

/** The proxy HTTPS_PROXY / HTTP_PROXY name for the endpoint, unless NO_PROXY exempts it. */
function proxyFor(endpoint: string): string | undefined {
  return getProxyForUrl(endpoint) || undefined;
}

/** Where the proxy is, without any user-info it carries (a password must never be printed). */
function proxyShown(proxy: string): string {
  const url = new URL(proxy);
  return `${url.protocol}//${url.host}`;
}

function storeSettingsOf(config: ProbeConfig): StoreSettings {
  const proxy = proxyFor(config.endpoint);
  return {
    ...(proxy ? { proxy } : {}),
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    requestTimeoutMs: config.requestTimeoutMs,
    maxAttempts: 3,
    checksums: config.checksums,
    ...(config.caBundle ? { caBundle: config.caBundle } : {}),
    insecureSkipTlsVerify: config.insecureSkipTlsVerify,
  };
}

/** No region given: ask the bucket (x-amz-bucket-region, sent even to callers without rights). */
async function detectRegion(
  config: ProbeConfig,
  store: StoreSettings,
  first: LoadedCredentials | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (config.regionSource !== "default" || !first) return undefined;
  const client = createS3Client(store, first.credentials, config.identities[0]?.name);
  try {
    const port = new SdkS3Port(client, config.bucket);
    const answer = await bounded((s) => port.headBucket(s), signal, config.requestTimeoutMs);
    const detected = "bucketRegion" in answer ? answer.bucketRegion : undefined;
    return detected && detected !== store.region ? detected : undefined;
  } finally {
    client.destroy();
  }
}

async function lookUpCallers(config: ProbeConfig, store: StoreSettings, loaded: LoadedCredentials[], notes: string[]): Promise<Map<string, string>> {
  const callers = new Map<string, string>();
  if (config.provider !== "aws" && !isAwsEndpoint(config.endpoint)) return callers;
  await Promise.all(
    config.identities.map(async (spec, i) => {
      const caller = await callerArn((loaded[i] as LoadedCredentials).credentials, store.region, config.requestTimeoutMs);
      if (caller.arn) callers.set(spec.name, caller.arn);
      else notes.push(`${spec.name}: sts:GetCallerIdentity did not name the caller (${caller.problem})`);
    }),
  );
  return callers;
}

/** Opens every identity's session; what it learns on the way (a detected region) goes into notes. `signal` is the run's (Ctrl-C, deadline). */
export async function openSessions(
  config: ProbeConfig,
  loaded: LoadedCredentials[],
  notes: string[],
  signal: AbortSignal,
  meter?: RequestMeter,
): Promise<Sessions> {
  let store: StoreSettings = { ...storeSettingsOf(config), ...(meter ? { meter } : {}) };
  if (store.proxy) notes.push(`requests go through the proxy ${proxyShown(store.proxy)} (HTTPS_PROXY / HTTP_PROXY; NO_PROXY exempts hosts)`);
  const detected = await detectRegion(config, store, loaded[0], signal);
  if (detected) {
    store = { ...store, region: detected };
    notes.push(`region ${detected} detected from the bucket (x-amz-bucket-region); set --region to skip the detection`);
  }
  const clients = loaded.map((credentials, i) => createS3Client(store, credentials.credentials, config.identities[i]?.name));
  const identities: ProbeIdentity[] = config.identities.map((spec, i) => ({
    name: spec.name,
    role: spec.role,
    port: new SdkS3Port(clients[i] as S3Client, config.bucket),
  }));
  const callers = await lookUpCallers(config, store, loaded, notes);
  if (!config.anonymous) return { store, identities, clients, callers };
  const anonymous = anonymousName(config);
  const unsigned = createS3Client(store, ANONYMOUS, anonymous);
  identities.push({ name: anonymous, role: { kind: "anonymous" }, port: new SdkS3Port(unsigned, config.bucket) });
  return { store, identities, clients: [...clients, unsigned], callers, anonymous };
}

export function closeSessions(sessions: Sessions | undefined): void {
  for (const client of sessions?.clients ?? []) client.destroy();
}

/** For the first identity whose first request failed in a way the other addressing style may cure. */
export async function otherAddressingNotes(
  results: CheckResult[],
  config: ProbeConfig,
  store: StoreSettings,
  loaded: LoadedCredentials[],
): Promise<string[]> {
  for (const [i, spec] of config.identities.entries()) {
    const preflight = results.find((r) => r.identity === spec.name && r.operation === "list-bucket");
    if (preflight?.observation.errorKind && ADDRESSING_SUSPECTS.has(preflight.observation.errorKind)) {
      // One identity tells it for all: the addressing is the store's, not the keys'.
      return [`${spec.name}: ${await tryOtherAddressing(store, (loaded[i] as LoadedCredentials).credentials, config.bucket)}`];
    }
  }
  return [];
}

/** Every identity's keys; an error names the identity when there are several. */
export async function loadIdentities(config: ProbeConfig, env: NodeJS.ProcessEnv): Promise<LoadedCredentials[]> {
  return Promise.all(
    config.identities.map(async (spec) => {
      try {
        return await loadCredentials({ ...spec.credentials, env, timeoutMs: config.credentialsTimeoutMs });
      } catch (error) {
        if (error instanceof CredentialError && config.identities.length > 1) throw new CredentialError(`${spec.name}: ${error.message}`);
        throw error;
      }
    }),
  );
}
