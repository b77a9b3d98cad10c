// The S3 client's middleware, cut down to what the probe's requests need. Kept from the SDK:
// serialization and error parsing, the retries, SigV4 signing, Content-Length, Host, the bucket
// name check and the 200-with-an-error check. What goes, and why that is safe, is listed below.
// Where the CPU went before (profiles of a 100-profile run): per request the SDK copied its whole
// configuration (a slow, dictionary-mode object of ~70 properties) four times, built a new signer,
// and resolved the endpoint parameters and the user agent anew.
import type { S3Client } from "@aws-sdk/client-s3";
import type { BuildMiddleware, MetadataBearer, MiddlewareStack, RequestSigner } from "@aws-sdk/types";
import { DefaultIdentityProviderConfig, getHttpAuthSchemeEndpointRuleSetPlugin, getHttpSigningPlugin } from "@smithy/core";
import { endpointMiddlewareOptions } from "@smithy/core/endpoints";
import { HttpRequest } from "@smithy/core/protocols";
import { getSchemaSerdePlugin } from "@smithy/core/schema";
import { toolVersion } from "../version.js";
import { payloadSha256 } from "./body-digests.js";
import { BucketEndpoints, bucketAuthParameters, resolvedEndpointMiddleware } from "./bucket-endpoint.js";

type ClientConfig = S3Client["config"];

/** The client's own middlewares that the probe's requests do without, and why that is safe. */
export const DROPPED_CLIENT_MIDDLEWARES: Readonly<Record<string, string>> = {
  loggerMiddleware: "the logger is silent, yet this filtered every input and output for it",
  getUserAgentMiddleware: "rebuilt the SDK's user agent on every request; a fixed one is set instead",
  recursionDetectionMiddleware: "adds X-Amzn-Trace-Id inside AWS Lambda only",
  s3ExpressMiddleware: "sessions for S3 Express directory buckets, which KFP's clients cannot use",
  addExpectContinueMiddleware: "Expect: 100-continue is for bodies of 2 MB and more; the probe sends 64 KiB at most",
  regionRedirectMiddleware: "followRegionRedirects is off: it only rethrew what it caught",
  regionRedirectEndpointMiddleware: "the other half of the region redirect",
  bucketEndpointMiddleware: "takes a URL given as the bucket name (bucketEndpoint), which is off",
};

/** Middlewares each command adds when it is sent, dropped from the stack it is sent through. */
export const DROPPED_COMMAND_MIDDLEWARES: Readonly<Record<string, string>> = {
  getCheckContentLengthHeaderPlugin: "warns about streams of unknown length; the probe's bodies are byte arrays",
  ssecMiddleware: "customer-provided encryption keys, which the probe never sends",
  s3ExpiresMiddleware: "parses the Expires header into ExpiresString, which the probe never reads",
};

/**
 * With checksums WHEN_REQUIRED, the flexible-checksum middlewares leave the probe's requests as
 * they are: none of its operations requires a checksum, it never asks for response validation,
 * and its CRC32 upload carries the checksum it computed itself (SdkS3Port).
 */
export const DROPPED_CHECKSUM_MIDDLEWARES: Readonly<Record<string, string>> = {
  flexibleChecksumsMiddleware: "adds a checksum only where one is required or asked for without a value",
  flexibleChecksumsInputMiddleware: "asks for response validation only WHEN_SUPPORTED",
  flexibleChecksumsResponseMiddleware: "validates only what was asked for",
};

/** Stores' logs name the caller; the SDK's user agent (rebuilt per request) said only "aws-sdk-js". */
export const USER_AGENT = `kfp-s3-probe/${toolVersion()}`;

function userAgentMiddleware<I extends object, O extends object>(): BuildMiddleware<I, O> {
  return (next) => (args) => {
    if (HttpRequest.isInstance(args.request)) args.request.headers["user-agent"] = USER_AGENT;
    return next(args);
  };
}

/**
 * The SDK builds a new signer for every request (a copy of the whole config, and a fresh signer
 * behind it): the first one is kept, one per client and so per identity. It takes the payload hash
 * of a byte-array body from the digests computed once per body instead of hashing it on every send.
 */
function signOnce(config: ClientConfig): void {
  const make = config.signer;
  let signer: Promise<RequestSigner> | undefined;
  config.signer = (authScheme) => {
    signer ??= make(authScheme).then(withKnownPayloads);
    return signer;
  };
}

const PAYLOAD_HASH = "x-amz-content-sha256";

function withKnownPayloads(signer: RequestSigner): RequestSigner {
  return {
    sign: (request, options) => {
      if (request.body instanceof Uint8Array && !(PAYLOAD_HASH in request.headers)) request.headers[PAYLOAD_HASH] = payloadSha256(request.body);
      return signer.sign(request, options);
    },
  };
}

function removeAll<I extends object, O extends MetadataBearer>(stack: MiddlewareStack<I, O>, names: Readonly<Record<string, string>>): void {
  for (const name of Object.keys(names)) stack.remove(name);
}

/** The client-level changes: drop, replace (signing, the auth scheme's parameters, serialization), add. */
function leanClientStack(client: S3Client, endpoints: BucketEndpoints): void {
  const stack = client.middlewareStack;
  removeAll(stack, DROPPED_CLIENT_MIDDLEWARES);
  // The SDK's own signing middleware, in place of S3's variant that first looks for an S3 Express session.
  stack.use(getHttpSigningPlugin(client.config));
  stack.use(
    getHttpAuthSchemeEndpointRuleSetPlugin(client.config, {
      httpAuthSchemeParametersProvider: bucketAuthParameters(endpoints),
      identityProviderConfigProvider: async (config) =>
        new DefaultIdentityProviderConfig({ "aws.auth#sigv4": config.credentials, "aws.auth#sigv4a": config.credentials }),
    }),
  );
  stack.add(userAgentMiddleware(), { step: "build", name: "kfpS3ProbeUserAgent" });
  // (De)serialization spreads its config into a new object for every request. The client's own
  // config is in V8's dictionary mode (properties added one by one, an accessor): spreading it takes
  // tens of microseconds. A copy made by object spread is a fast-mode object, spread in about one.
  // What serialization reads of it (the protocol, codecs, the stream collector) never changes.
  stack.use(getSchemaSerdePlugin({ ...client.config }));
}

/**
 * Applies the lean stack to a new client. Command-level middlewares are added to each command's
 * own stack when it is sent, then joined to the client's by `concat`: the client's stack is given a
 * `concat` that edits the command's stack first (a few entries, where the joined one has twenty).
 */
export function leanStack(client: S3Client, options: { checksumsWhenRequired: boolean }): void {
  signOnce(client.config);
  const endpoints = new BucketEndpoints(client.config);
  leanClientStack(client, endpoints);
  const base = client.middlewareStack;
  const dropped = { ...DROPPED_COMMAND_MIDDLEWARES, ...(options.checksumsWhenRequired ? DROPPED_CHECKSUM_MIDDLEWARES : {}) };
  client.middlewareStack = {
    ...base,
    concat: (from) => {
      removeAll(from, dropped);
      from.addRelativeTo(resolvedEndpointMiddleware(endpoints), endpointMiddlewareOptions);
      return base.concat(from);
    },
  };
}
