// The probe's requests all go to one bucket of one store: its endpoint (URL, path-style or
// virtual-hosted, and how to sign for it) is decided by the SDK's own S3 rules once per bucket,
// not again for every request. The SDK's endpoint middleware copies the whole client configuration
// and resolves a dozen parameters on each request; the rules' answer never changes for a client.
import { HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import type { EndpointParameters, EndpointV2, HandlerExecutionContext, SerializeMiddleware } from "@aws-sdk/types";
import { getSmithyContext } from "@smithy/core";
import { resolveParams } from "@smithy/core/endpoints";

type ClientConfig = S3Client["config"];

export interface BucketEndpoint {
  /** The endpoint rules' parameters (Bucket, Region, Endpoint, ForcePathStyle, …). */
  params: EndpointParameters;
  endpoint: EndpointV2;
}

function bucketOf(input: object): string {
  const bucket = (input as { Bucket?: unknown }).Bucket;
  return typeof bucket === "string" ? bucket : "";
}

/**
 * Endpoints by bucket, each resolved on first use. The parameters are those of a bucket-level
 * request (HeadBucket's): the object key and the list prefix are no input of the S3 rules (the
 * SDK's own endpoint cache leaves them out too), and the per-operation switches (the S3 Express
 * control endpoint, S3 Express session auth) only matter for directory buckets, which KFP cannot use.
 */
export class BucketEndpoints {
  private readonly byBucket = new Map<string, Promise<BucketEndpoint>>();

  constructor(private readonly config: ClientConfig) {}

  of(input: object): Promise<BucketEndpoint> {
    const bucket = bucketOf(input);
    let resolved = this.byBucket.get(bucket);
    if (!resolved) {
      resolved = this.resolve(bucket);
      this.byBucket.set(bucket, resolved);
      // A bucket the rules refuse (an ARN with path-style, say) is refused again on the next try, as the SDK would.
      resolved.catch(() => this.byBucket.delete(bucket));
    }
    return resolved;
  }

  private async resolve(bucket: string): Promise<BucketEndpoint> {
    const params = await resolveParams({ Bucket: bucket }, HeadBucketCommand, this.config);
    return { params, endpoint: this.config.endpointProvider(params, { logger: this.config.logger }) };
  }
}

/** What the SDK's endpoint middleware leaves in the request's context for the signer and the serializer. */
function setEndpoint(context: HandlerExecutionContext, endpoint: EndpointV2): void {
  context.endpointV2 = endpoint;
  context.authSchemes = endpoint.properties?.authSchemes;
  const authScheme = context.authSchemes?.[0];
  if (!authScheme) return;
  context.signing_region = authScheme.signingRegion;
  context.signing_service = authScheme.signingName;
  const selected = getSmithyContext(context).selectedHttpAuthScheme as
    | { httpAuthOption?: { signingProperties?: Record<string, unknown> } }
    | undefined;
  const option = selected?.httpAuthOption;
  if (!option) return;
  option.signingProperties = Object.assign(
    option.signingProperties ?? {},
    {
      signing_region: authScheme.signingRegion,
      signingRegion: authScheme.signingRegion,
      signing_service: authScheme.signingName,
      signingName: authScheme.signingName,
      signingRegionSet: authScheme.signingRegionSet,
    },
    authScheme.properties,
  );
}

/** In place of the SDK's endpointV2Middleware (same name, same place in the stack). */
export function resolvedEndpointMiddleware<I extends object, O extends object>(endpoints: BucketEndpoints): SerializeMiddleware<I, O> {
  return (next, context) => async (args) => {
    setEndpoint(context, (await endpoints.of(args.input)).endpoint);
    return next(args);
  };
}

/** The auth scheme's parameters (what the SDK's S3 provider asks for), from the same resolved endpoint. */
export function bucketAuthParameters(endpoints: BucketEndpoints) {
  return async (config: ClientConfig, context: HandlerExecutionContext, input: object) => {
    const operation = getSmithyContext(context).operation;
    return {
      ...(await endpoints.of(input)).params,
      operation: typeof operation === "string" ? operation : "",
      region: await config.region(),
    };
  };
}
