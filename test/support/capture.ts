// A transport that records what an S3Client would send and answers 200 with an empty body: for
// tests of how requests are formed (URL, headers, signature) without a server.
import { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import type { HttpRequest } from "@aws-sdk/types";
import { HttpResponse } from "@smithy/core/protocols";

export function captureRequests(client: S3Client): HttpRequest[] {
  const sent: HttpRequest[] = [];
  client.config.requestHandler = {
    handle: async (request: HttpRequest) => {
      sent.push(request);
      return { response: new HttpResponse({ statusCode: 200, headers: {}, body: Readable.from([]) }) };
    },
  };
  return sent;
}
