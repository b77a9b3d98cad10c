// An independent SigV4 check (AWS's published algorithm, node:crypto only) for requests the SDK
// signed: recomputes the signature from what was sent and the secret, so that a change to the
// client's middleware that breaks signing fails here, not only against a real store.
import { createHash, createHmac } from "node:crypto";
import type { HttpRequest } from "@aws-sdk/types";

const uriEscape = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(query: HttpRequest["query"]): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (key.toLowerCase() === "x-amz-signature") continue;
    for (const one of Array.isArray(value) ? value : [value ?? ""]) pairs.push(`${uriEscape(key)}=${uriEscape(one)}`);
  }
  return pairs.sort().join("&");
}

export interface Authorization {
  accessKeyId: string;
  scope: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): Authorization {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\S+), SignedHeaders=(\S+), Signature=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) throw new Error(`not a SigV4 Authorization header: ${header}`);
  const [, accessKeyId, scope, signed, signature] = match as unknown as [string, string, string, string, string];
  return { accessKeyId, scope, signedHeaders: signed.split(";"), signature };
}

/** The signature the request should carry, for its own Authorization's scope and signed headers. */
export function expectedSignature(request: HttpRequest, secretAccessKey: string): string {
  const auth = parseAuthorization(request.headers.authorization);
  const header = (name: string) => (request.headers[name] ?? "").trim().replace(/\s+/g, " ");
  const canonical = [
    request.method,
    request.path,
    canonicalQuery(request.query),
    ...auth.signedHeaders.map((name) => `${name}:${header(name)}`),
    "",
    auth.signedHeaders.join(";"),
    header("x-amz-content-sha256"),
  ].join("\n");
  const date = header("x-amz-date");
  const toSign = ["AWS4-HMAC-SHA256", date, auth.scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  let key: Buffer | string = `AWS4${secretAccessKey}`;
  for (const part of auth.scope.split("/")) key = createHmac("sha256", key).update(part).digest();
  return createHmac("sha256", key).update(toSign).digest("hex");
}
