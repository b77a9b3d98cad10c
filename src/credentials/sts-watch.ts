// The credential chain's requests to STS, watched from inside its STS client (a plugin the chain
// hands to the client it makes): --debug prints each as it is answered, and a chain that fails
// after one is a failure of that request, named as such. The request's body (it carries the web
// identity token) and headers are never read; the answer's keys never leave the SDK.
import type { FinalizeHandlerArguments, FinalizeRequestMiddleware, Pluggable } from "@aws-sdk/types";
import type { SentRequest } from "../s3/request-meter.js";

/** An STS request on the wire, as --debug prints it: its URL stands in the path (STS's own host is the point). */
export type StsRequest = Omit<SentRequest, "who">;

interface WireRequest {
  method?: unknown;
  protocol?: unknown;
  hostname?: unknown;
  port?: unknown;
  path?: unknown;
  headers?: Record<string, string | undefined>;
}

/** scheme://host:port of a request, never its query (STS's Query protocol sends all in the body). */
function endpointOf(request: WireRequest): string {
  const protocol = typeof request.protocol === "string" ? request.protocol.replace(/:?$/, ":") : "https:";
  const host = typeof request.hostname === "string" ? request.hostname : "?";
  const port = typeof request.port === "number" ? `:${request.port}` : "";
  return `${protocol}//${host}${port}`;
}

interface SdkErrorShape {
  /** STS's own error code (InvalidIdentityToken), where the SDK names the error after its model (InvalidIdentityTokenException). */
  Code?: unknown;
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: { code?: unknown };
}

/**
 * What an STS error says: the status, STS's error code (or the SDK's error name), Node's system
 * error code. Read here, not with the S3 port's reader, so that loading the credential sources
 * (which a usage error does) loads nothing of the S3 client.
 */
export function stsErrorFacts(error: unknown): Pick<StsRequest, "status" | "errorName" | "systemCode"> {
  const shape: SdkErrorShape = typeof error === "object" && error !== null ? error : {};
  const status = shape.$metadata?.httpStatusCode;
  const named = typeof shape.Code === "string" ? shape.Code : shape.name;
  const name = typeof named === "string" && named !== "Error" ? named : undefined;
  const code = typeof shape.code === "string" ? shape.code : typeof shape.cause?.code === "string" ? shape.cause.code : undefined;
  return { ...(typeof status === "number" ? { status } : {}), ...(name ? { errorName: name } : {}), ...(code ? { systemCode: code } : {}) };
}

function answerFacts(outcome: { status?: number; error?: unknown }): Pick<StsRequest, "status" | "errorName" | "systemCode"> {
  if (outcome.error === undefined) return outcome.status !== undefined ? { status: outcome.status } : {};
  return stsErrorFacts(outcome.error);
}

export class StsWatch {
  /** The last STS request sent, and where it went; what a failed chain failed on. */
  last: { call: string; endpoint: string; settled: boolean } | undefined;

  constructor(private readonly onAnswer?: (request: StsRequest) => void) {}

  /** For the chain's clientPlugins: one middleware inside the STS client's retry loop, each attempt seen. */
  plugin(): Pluggable<object, object> {
    return { applyToStack: (stack) => stack.add(this.middleware(), { step: "finalizeRequest", priority: "low", name: "kfpS3ProbeStsWatch" }) };
  }

  private middleware(): FinalizeRequestMiddleware<object, object> {
    return (next, context) => async (args: FinalizeHandlerArguments<object>) => {
      const request = args.request as WireRequest;
      const call = typeof context.commandName === "string" ? context.commandName.replace(/Command$/, "") : "request";
      const endpoint = endpointOf(request);
      this.last = { call, endpoint, settled: false };
      const started = performance.now();
      const attempt = Number(/attempt=(\d+)/.exec(request.headers?.["amz-sdk-request"] ?? "")?.[1] ?? 1);
      const report = (outcome: { status?: number; error?: unknown }) => {
        if (this.last) this.last.settled = true;
        const path = typeof request.path === "string" ? request.path : "/";
        const method = typeof request.method === "string" ? request.method : "?";
        const durationMs = Math.round(performance.now() - started);
        this.onAnswer?.({ operation: call, method, path: `${endpoint}${path}`, attempt, ...answerFacts(outcome), durationMs });
      };
      try {
        const answer = await next(args);
        const status = (answer.response as { statusCode?: unknown } | undefined)?.statusCode;
        report(typeof status === "number" ? { status } : {});
        return answer;
      } catch (error) {
        report({ error });
        throw error;
      }
    };
  }
}
