// The S3 client, set up for S3-compatible stores as well as AWS.
import { Agent as HttpAgent } from "node:http";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { HttpsProxyAgent } from "https-proxy-agent";
import { leanStack } from "./lean-stack.js";
import type { ChecksumMode } from "./providers.js";
import type { RequestMeter } from "./request-meter.js";

export interface StoreSettings {
  endpoint: string;
  region: string;
  /** Path-style addressing (bucket in the path), which MinIO, Ceph and most custom endpoints need. */
  forcePathStyle: boolean;
  requestTimeoutMs: number;
  /** Tries per request; throttling (SlowDown) and 5xx answers are retried with backoff. */
  maxAttempts: number;
  /** Default WHEN_REQUIRED: the SDK's CRC32-on-every-upload default breaks many stores. */
  checksums?: ChecksumMode;
  /** PEM certificates trusted in addition to the public roots (a private CA). */
  caBundle?: string;
  /** Accept any certificate: for diagnosis only, and said so in the report. */
  insecureSkipTlsVerify?: boolean;
  /** An HTTP(S) proxy to send requests through (from HTTPS_PROXY / HTTP_PROXY, less NO_PROXY). */
  proxy?: string;
  /** Counts every request sent on this store (the report's `requests`), and tells --debug of each. */
  meter?: RequestMeter;
}

type Agents = { httpAgent?: HttpAgent | HttpsProxyAgent<string>; httpsAgent?: Agent | HttpsProxyAgent<string> };

/**
 * One pool of connections per store, shared by every identity's client: a request's identity is in
 * its signature, not its connection. A run of hundreds of identities keeps a few dozen sockets open,
 * not a pool per identity, and opens fewer connections.
 */
const sharedAgents = new WeakMap<StoreSettings, Agents>();

function agentsFor(settings: StoreSettings): Agents {
  let agents = sharedAgents.get(settings);
  if (!agents) {
    agents = newAgents(settings);
    sharedAgents.set(settings, agents);
  }
  return agents;
}

/** The agent that carries the requests: through the proxy where there is one, with the private CA where there is one. */
function newAgents(settings: StoreSettings): Agents {
  const tls = {
    ...(settings.caBundle ? { ca: [...rootCertificates, settings.caBundle] } : {}),
    rejectUnauthorized: settings.insecureSkipTlsVerify !== true,
  };
  if (settings.proxy) {
    // A CONNECT tunnel through the proxy, for https:// and http:// stores alike: the request goes
    // through as it is (signed, with its body), which a rewriting forward proxy would not promise.
    const agent = new HttpsProxyAgent(settings.proxy, { keepAlive: true, ...tls });
    return settings.endpoint.startsWith("https://") ? { httpsAgent: agent } : { httpAgent: agent };
  }
  // An agent's `ca` replaces the public roots: keep them, and add the private CA.
  return { httpAgent: new HttpAgent({ keepAlive: true }), httpsAgent: new Agent({ keepAlive: true, ...tls }) };
}

/** The caller anyone on the network is: requests are sent without a signature (no Authorization header). */
export const ANONYMOUS = "anonymous";

const NO_AUTH = "smithy.api#noAuth";

const ignore = (): void => undefined;
const SILENT = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Unsigned requests: the SDK's "no auth" scheme, with a signer that leaves the request as it is. */
const unsigned: Pick<S3ClientConfig, "httpAuthSchemeProvider" | "httpAuthSchemes"> = {
  httpAuthSchemeProvider: () => [{ schemeId: NO_AUTH }],
  httpAuthSchemes: [{ schemeId: NO_AUTH, identityProvider: () => async () => ({}), signer: { sign: async (request) => request } }],
};

/** The SDK client's configuration for a store and an identity, as the SDK takes it. */
export function sdkConfig(
  settings: StoreSettings,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | typeof ANONYMOUS,
): S3ClientConfig {
  const checksums = settings.checksums ?? "WHEN_REQUIRED";
  return {
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(credentials === ANONYMOUS ? unsigned : { credentials }),
    maxAttempts: settings.maxAttempts,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    // Nothing from the SDK reaches the terminal: the probe reports every answer itself, redacted.
    logger: SILENT,
    requestHandler: {
      connectionTimeout: settings.requestTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Without it the SDK only warns when an answer takes longer, and waits on.
      throwOnRequestTimeout: true,
      logger: SILENT,
      ...agentsFor(settings),
    },
  };
}

/** The probe's client: the SDK's, with only the middleware the probe's requests need (lean-stack.ts). */
export function createS3Client(
  settings: StoreSettings,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | typeof ANONYMOUS,
  /** Who sends with this client, as --debug names it. */
  who: string = credentials === ANONYMOUS ? ANONYMOUS : "",
): S3Client {
  // The SDK warns on Node 20 at client construction; a user's report must not carry it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const client = new S3Client(sdkConfig(settings, credentials));
  leanStack(client, { checksumsWhenRequired: (settings.checksums ?? "WHEN_REQUIRED") === "WHEN_REQUIRED" });
  settings.meter?.attach(client, who);
  return client;
}
