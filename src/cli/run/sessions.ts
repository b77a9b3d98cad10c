// One record per identity, built once from the settings (IdentitySpec) and enriched by each step:
// its keys loaded (LoadedIdentity), then its session (SessionIdentity: its S3 client on the
// store's settings, the port the engine sends through, the caller's ARN on AWS). The bucket's
// region is detected here where none was given.
import type { S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { getProxyForUrl } from "proxy-from-env";
import type { CredentialFailure } from "../../core/credential-failure.js";
import type { CheckResult } from "../../core/verdict.js";
import { CredentialChainError, CredentialError, type LoadedCredentials, loadCredentials } from "../../credentials/load.js";
import type { StsRequest } from "../../credentials/sts-watch.js";
import type { ProbeIdentity } from "../../probe/engine.js";
import { bounded } from "../../probe/run-state.js";
import { ADDRESSING_SUSPECTS, addressingNote, type OtherAddressing, otherAddressing } from "../../s3/addressing.js";
import { callerArn } from "../../s3/caller.js";
import { ANONYMOUS, createS3Client, type StoreSettings } from "../../s3/client.js";
import { isAwsEndpoint } from "../../s3/providers.js";
import type { RequestMeter } from "../../s3/request-meter.js";
import { SdkS3Port } from "../../s3/s3-port.js";
import type { StoreConfig } from "../settings/config.js";
import type { IdentitySpec } from "../settings/config-file.js";

/**
 * Keys the credential chain could not get (STS refused or was not reached, the token file
 * unreadable): the identity stays in the run, and each of its requests fails with that, unsent.
 */
interface RefusedKeys {
  failure: CredentialFailure;
  sourceDescription: string;
  accessKeyIdHint: "";
  secrets: string[];
}

/** An identity of the run with its keys, or what kept them from it. */
export interface LoadedIdentity extends IdentitySpec {
  keys: LoadedCredentials | RefusedKeys;
}

/** The identity's keys, where it has them. */
function credentialsOf(identity: LoadedIdentity): AwsCredentialIdentity | undefined {
  return "credentials" in identity.keys ? identity.keys.credentials : undefined;
}

/** What the identity signs with: its keys, or, where it has none, a provider that fails each request before it is sent. */
function signingWith(identity: LoadedIdentity): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  const { keys } = identity;
  if ("credentials" in keys) return keys.credentials;
  return () => Promise.reject(new CredentialChainError(keys.failure, []));
}

/** An identity of the run with its keys and its session. */
interface SessionIdentity extends LoadedIdentity, ProbeIdentity {
  client: S3Client;
  /** Who the keys belong to (AWS only). */
  caller?: string;
}

export interface Sessions {
  store: StoreSettings;
  /** The region the bucket named, where none was given and it differs from the default. */
  detectedRegion?: string;
  /** The identities whose keys the run was given, in the order of the settings. */
  signed: SessionIdentity[];
  /** The anonymous caller, where it is tried (its name is "anonymous" unless an identity has that name). */
  anonymous?: ProbeIdentity & { client: S3Client };
  /** Clients made with a KFP component's settings (portFor), closed with the rest. */
  componentClients: S3Client[];
}

/** What a session needs beyond the store: whether the anonymous caller is tried, the run's signal (Ctrl-C, deadline), the request meter. */
interface SessionOptions {
  anonymous: boolean;
  signal: AbortSignal;
  meter?: RequestMeter;
}

/** Every caller the engine probes: the signed identities, then the anonymous caller. */
export function probers(sessions: Sessions): ProbeIdentity[] {
  return [...sessions.signed, ...(sessions.anonymous ? [sessions.anonymous] : [])];
}

/** Where the proxy is, without any user-info it carries (a password must never be printed). */
function proxyShown(proxy: string): string {
  const url = new URL(proxy);
  return `${url.protocol}//${url.host}`;
}

/** The S3 client's settings: the store's, the proxy HTTPS_PROXY / HTTP_PROXY names for it (unless NO_PROXY exempts it), the meter. */
function storeSettingsOf(store: StoreConfig, meter: RequestMeter | undefined): StoreSettings {
  const proxy = getProxyForUrl(store.endpoint) || undefined;
  return { ...store, maxAttempts: 3, ...(proxy ? { proxy } : {}), ...(meter ? { meter } : {}) };
}

/** No region given: ask the bucket (x-amz-bucket-region, sent even to callers without rights). */
async function detectRegion(
  config: StoreConfig,
  store: StoreSettings,
  first: LoadedIdentity | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  const credentials = first && credentialsOf(first);
  if (config.regionSource !== "default" || !first || !credentials) return undefined;
  const client = createS3Client(store, credentials, first.name);
  try {
    const port = new SdkS3Port(client, config.bucket);
    const answer = await bounded((s) => port.headBucket(s), signal, store.requestTimeoutMs);
    const detected = "bucketRegion" in answer ? answer.bucketRegion : undefined;
    return detected && detected !== store.region ? detected : undefined;
  } finally {
    client.destroy();
  }
}

/** On AWS, each identity's caller ARN; where STS does not name it, a note says why. */
async function lookUpCallers(config: StoreConfig, store: StoreSettings, signed: SessionIdentity[], notes: string[]): Promise<void> {
  if (config.provider !== "aws" && !isAwsEndpoint(config.endpoint)) return;
  await Promise.all(
    signed.map(async (identity) => {
      const credentials = credentialsOf(identity);
      if (!credentials) return;
      const caller = await callerArn(credentials, store.region, store.requestTimeoutMs);
      if (caller.arn) identity.caller = caller.arn;
      else notes.push(`${identity.name}: sts:GetCallerIdentity did not name the caller (${caller.problem})`);
    }),
  );
}

/** "anonymous", unless an identity of the run already has that name. */
function anonymousCaller(store: StoreSettings, bucket: string, signed: IdentitySpec[]): Sessions["anonymous"] {
  const name = signed.some((i) => i.name === "anonymous") ? "anonymous-caller" : "anonymous";
  const client = createS3Client(store, ANONYMOUS, name);
  return { name, role: { kind: "anonymous" }, client, port: new SdkS3Port(client, bucket) };
}

/** Opens every identity's session; what it learns on the way (a detected region, the proxy) goes into notes. */
export async function openSessions(config: StoreConfig, loaded: LoadedIdentity[], options: SessionOptions, notes: string[]): Promise<Sessions> {
  let store = storeSettingsOf(config, options.meter);
  if (store.proxy) notes.push(`requests go through the proxy ${proxyShown(store.proxy)} (HTTPS_PROXY / HTTP_PROXY; NO_PROXY exempts hosts)`);
  const detectedRegion = await detectRegion(config, store, loaded.find(credentialsOf), options.signal);
  if (detectedRegion) {
    store = { ...store, region: detectedRegion };
    notes.push(`region ${detectedRegion} detected from the bucket (x-amz-bucket-region); set --region to skip the detection`);
  }
  const componentClients: S3Client[] = [];
  const signed = loaded.map((identity): SessionIdentity => {
    const client = createS3Client(store, signingWith(identity), identity.name);
    const portFor = componentPorts(store, config.bucket, identity, componentClients);
    return { ...identity, client, port: new SdkS3Port(client, config.bucket), portFor };
  });
  await lookUpCallers(config, store, signed, notes);
  const anonymous = options.anonymous ? anonymousCaller(store, config.bucket, signed) : undefined;
  return { store, signed, componentClients, ...(detectedRegion ? { detectedRegion } : {}), ...(anonymous ? { anonymous } : {}) };
}

/**
 * The identity's port with a KFP component's client settings (its endpoint and addressing), made
 * once per settings: the store's own otherwise (its timeouts, CA, proxy, meter), one try per
 * request, as the component's failure is told by its first answer.
 */
function componentPorts(store: StoreSettings, bucket: string, identity: LoadedIdentity, clients: S3Client[]): ProbeIdentity["portFor"] {
  const ports = new Map<string, SdkS3Port>();
  return ({ endpoint, forcePathStyle }) => {
    const key = `${endpoint} ${forcePathStyle}`;
    let port = ports.get(key);
    if (!port) {
      const client = createS3Client({ ...store, endpoint, forcePathStyle, maxAttempts: 1 }, signingWith(identity), identity.name);
      clients.push(client);
      port = new SdkS3Port(client, bucket);
      ports.set(key, port);
    }
    return port;
  };
}

export function closeSessions(sessions: Sessions | undefined): void {
  const clients = [...(sessions?.signed ?? []), ...(sessions?.anonymous ? [sessions.anonymous] : [])].map(({ client }) => client);
  for (const client of [...clients, ...(sessions?.componentClients ?? [])]) client.destroy();
}

/** The other addressing style as the run tried it, and the report's note of it. */
export interface AddressingTried {
  tried: OtherAddressing;
  note: string;
}

/** For the first identity whose first request failed in a way the other addressing style may cure. */
export async function otherAddressingTried(results: CheckResult[], sessions: Sessions, bucket: string): Promise<AddressingTried | undefined> {
  for (const identity of sessions.signed) {
    const preflight = results.find((r) => r.identity === identity.name && r.operation === "list-bucket");
    const credentials = credentialsOf(identity);
    if (credentials && preflight?.observation.errorKind && ADDRESSING_SUSPECTS.has(preflight.observation.errorKind)) {
      // One identity tells it for all: the addressing is the store's, not the keys'.
      const tried = await otherAddressing(sessions.store, credentials, bucket);
      return { tried, note: `${identity.name}: ${addressingNote(tried)}` };
    }
  }
  return undefined;
}

/** A chain that is set up and failed: the identity is kept, with what kept its keys from it. */
function refusedKeys(error: CredentialChainError): RefusedKeys {
  return { failure: error.credentialFailure, sourceDescription: error.sourceDescription, accessKeyIdHint: "", secrets: error.secrets };
}

/**
 * Every identity's keys; an error names the identity when there are several. A credential chain
 * that is set up and failed (STS) is not an error here: the run reports it, as it does a store
 * that cannot be reached. `onStsRequest` sees each STS request the chains send (--debug).
 */
export async function loadIdentities(
  identities: IdentitySpec[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  onStsRequest?: (who: string, request: StsRequest) => void,
): Promise<LoadedIdentity[]> {
  return Promise.all(
    identities.map(async (identity) => {
      const sts = onStsRequest ? { onStsRequest: (request: StsRequest) => onStsRequest(identity.name, request) } : {};
      try {
        return { ...identity, keys: await loadCredentials({ ...identity.credentials, env, timeoutMs, ...sts }) };
      } catch (error) {
        if (error instanceof CredentialChainError) return { ...identity, keys: refusedKeys(error) };
        if (error instanceof CredentialError && identities.length > 1) throw new CredentialError(`${identity.name}: ${error.message}`);
        throw error;
      }
    }),
  );
}
