// Every request a run puts on the wire, counted where it is sent: one middleware inside the SDK's
// retry loop, so that each attempt is one request (retries, cleanup, region detection and the
// addressing retry included). The report's `requests` is this count, and --debug prints each one.
import type { S3Client, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-s3";
import type { FinalizeHandlerArguments, FinalizeRequestMiddleware, HandlerExecutionContext } from "@aws-sdk/types";
import { factsFromError } from "./s3-port.js";

/** One request on the wire and its answer: no header, no body, no query value that could carry a secret. */
export interface SentRequest {
  /** The identity that sent it ("anonymous" for unsigned requests). */
  who: string;
  /** The S3 operation, e.g. "PutObject". */
  operation: string;
  method: string;
  /** The request's path (the bucket and key, URL-encoded), without its query. */
  path: string;
  /** 1 for the first try, 2 and up for the SDK's retries. */
  attempt: number;
  status?: number;
  errorName?: string;
  systemCode?: string;
  durationMs: number;
}

interface WireRequest {
  method?: unknown;
  path?: unknown;
  headers?: Record<string, string | undefined>;
}

interface WireAnswer {
  response?: { statusCode?: unknown };
}

const MIDDLEWARE_NAME = "kfpS3ProbeRequestMeter";

/** The retry middleware numbers its attempts in this header ("attempt=2; max=3"). */
function attemptOf(request: WireRequest): number {
  const header = request.headers?.["amz-sdk-request"] ?? "";
  const match = /attempt=(\d+)/.exec(header);
  return match ? Number(match[1]) : 1;
}

function operationOf(context: HandlerExecutionContext): string {
  return typeof context.commandName === "string" ? context.commandName.replace(/Command$/, "") : "request";
}

function answerOf(outcome: { answer?: WireAnswer; error?: unknown }): Pick<SentRequest, "status" | "errorName" | "systemCode"> {
  if (outcome.answer) {
    const status = outcome.answer.response?.statusCode;
    return typeof status === "number" ? { status } : {};
  }
  // Read as the checks read an SDK error, so that --debug and the report name an answer alike.
  const { status, errorName, systemCode } = factsFromError(outcome.error);
  return { ...(status !== undefined ? { status } : {}), ...(errorName ? { errorName } : {}), ...(systemCode ? { systemCode } : {}) };
}

export class RequestMeter {
  /** Requests sent so far, every attempt counted. */
  sent = 0;
  /** Of those, the SDK's retries. */
  retries = 0;

  constructor(private readonly onAnswer?: (request: SentRequest) => void) {}

  /** Counts (and, with a listener, reports) every request `client` sends, as `who`. */
  attach(client: S3Client, who: string): void {
    client.middlewareStack.add(this.middleware(who), { step: "finalizeRequest", priority: "low", name: MIDDLEWARE_NAME });
  }

  private middleware(who: string): FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> {
    return (next, context) => async (args: FinalizeHandlerArguments<ServiceInputTypes>) => {
      const request = args.request as WireRequest;
      const attempt = attemptOf(request);
      this.sent += 1;
      if (attempt > 1) this.retries += 1;
      if (!this.onAnswer) return next(args);
      const started = performance.now();
      const report = (outcome: { answer?: WireAnswer; error?: unknown }) =>
        this.onAnswer?.({
          who,
          operation: operationOf(context),
          method: typeof request.method === "string" ? request.method : "?",
          path: typeof request.path === "string" ? request.path : "/",
          attempt,
          ...answerOf(outcome),
          durationMs: Math.round(performance.now() - started),
        });
      try {
        const answer = await next(args);
        report({ answer: answer as WireAnswer });
        return answer;
      } catch (error) {
        report({ error });
        throw error;
      }
    };
  }
}
