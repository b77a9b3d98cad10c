// The IRSA link of the credential chain against an STS on 127.0.0.1 (AWS_ENDPOINT_URL_STS): the
// keys STS gives, with the token among the secrets; STS's refusal, no answer, and a token file
// that cannot be read as a CredentialChainError that names the request; each STS request seen.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CredentialChainError, loadCredentials } from "../../src/credentials/load.js";
import type { StsRequest } from "../../src/credentials/sts-watch.js";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a2ZwOmJhY2tlbmQifQ.bm90LWEtcmVhbC1zaWduYXR1cmU";
const ROLE = "arn:aws:iam::123456789012:role/kfp";
const GRANTED = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
<Credentials><AccessKeyId>ASIAEXAMPLE123456789</AccessKeyId><SecretAccessKey>session-secret-0123456789abcdefghijklmno</SecretAccessKey>
<SessionToken>session-token-0123456789</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/kfp/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`;
const DENIED =
  '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found in your account for https://oidc.example</Message></Error><RequestId>r</RequestId></ErrorResponse>';

type Answer = (res: ServerResponse) => void;
const xml =
  (status: number, body: string): Answer =>
  (res) => {
    res.writeHead(status, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-sts-"));
  writeFileSync(join(dir, "token"), TOKEN);
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
    vi.stubEnv(name, undefined as unknown as string);
  }
  vi.stubEnv("AWS_CONFIG_FILE", join(dir, "config"));
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(dir, "credentials"));
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ROLE_ARN", ROLE);
  vi.stubEnv("AWS_WEB_IDENTITY_TOKEN_FILE", join(dir, "token"));
});
afterEach(() => vi.unstubAllEnvs());

/** An STS on 127.0.0.1 that answers every request with `answer` (or never, without one). */
async function withSts<T>(answer: Answer | undefined, run: (endpoint: string) => Promise<T>): Promise<T> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (answer) req.on("end", () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  vi.stubEnv("AWS_ENDPOINT_URL_STS", endpoint);
  try {
    return await run(endpoint);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function chainError(promise: Promise<unknown>): Promise<CredentialChainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialChainError);
  return error as CredentialChainError;
}

describe("the IRSA link against a loopback STS", () => {
  it("STS's keys, from the web identity token, the token kept among the secrets; the request seen", async () => {
    const seen: StsRequest[] = [];
    const loaded = await withSts(xml(200, GRANTED), () =>
      loadCredentials({ source: "chain", env: process.env, timeoutMs: 5000, onStsRequest: (r) => seen.push(r) }),
    );
    expect(loaded.sourceDescription).toBe("credential chain: web identity token (IRSA)");
    expect(loaded.credentials.accessKeyId).toBe("ASIAEXAMPLE123456789");
    expect(loaded.secrets).toEqual(expect.arrayContaining(["session-secret-0123456789abcdefghijklmno", "session-token-0123456789", TOKEN]));
    expect(seen).toEqual([expect.objectContaining({ operation: "AssumeRoleWithWebIdentity", method: "POST", status: 200, attempt: 1 })]);
    expect(JSON.stringify(seen)).not.toContain(TOKEN);
  });

  it("STS refuses the token: the call, where, the status, STS's code and message, the role", async () => {
    const error = await withSts(xml(400, DENIED), (endpoint) =>
      chainError(loadCredentials({ source: "chain", env: process.env, timeoutMs: 5000 })).then((e) => ({ e, endpoint })),
    );
    expect(error.e.credentialFailure).toEqual({
      step: "sts",
      call: "AssumeRoleWithWebIdentity",
      endpoint: error.endpoint,
      status: 400,
      errorName: "InvalidIdentityToken",
      message: "No OpenIDConnect provider found in your account for https://oidc.example",
      roleArn: ROLE,
    });
    expect(error.e.secrets).toEqual([TOKEN]);
    expect(error.e.message).not.toContain(TOKEN);
  });

  it("STS never answers: cut off by the chain's bound, the request named as the one waited on", async () => {
    const error = await withSts(undefined, () => chainError(loadCredentials({ source: "chain", env: process.env, timeoutMs: 800 })));
    expect(error.credentialFailure).toMatchObject({ step: "sts", call: "AssumeRoleWithWebIdentity", timeoutMs: 800 });
    expect(error.message).toMatch(
      /^the credential chain got no keys: sts:AssumeRoleWithWebIdentity at http:\/\/127\.0\.0\.1:\d+: no answer within 800 ms$/,
    );
  });

  it("a token file that cannot be read: its path and the error, and nothing sent", async () => {
    const missing = join(dir, "gone");
    vi.stubEnv("AWS_WEB_IDENTITY_TOKEN_FILE", missing);
    const seen: StsRequest[] = [];
    const error = await withSts(xml(200, GRANTED), () =>
      chainError(loadCredentials({ source: "chain", env: process.env, timeoutMs: 5000, onStsRequest: (r) => seen.push(r) })),
    );
    expect(error.credentialFailure).toEqual({ step: "token-file", file: missing, systemCode: "ENOENT", roleArn: ROLE });
    expect(seen).toEqual([]);
  });
});
