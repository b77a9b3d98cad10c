import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CredentialError, loadCredentials } from "../../src/credentials/load.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

function secretDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-creds-"));
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), value);
  return dir;
}

async function credentialError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialError);
  const message = (error as Error).message;
  expect(message).not.toContain(SECRET);
  expect(message).not.toContain("\n");
  return message;
}

afterEach(() => vi.unstubAllEnvs());

describe("credential sources", () => {
  it("env: the standard variables, with the session token", async () => {
    const loaded = await loadCredentials({
      source: "env",
      env: { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: "token-value" },
      timeoutMs: 1000,
    });
    expect(loaded.credentials).toEqual({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET, sessionToken: "token-value" });
    expect(loaded.accessKeyIdHint).toBe("…MPLE");
    expect(loaded.sourceDescription).not.toContain(SECRET);
    expect(loaded.secrets).toEqual([SECRET, "token-value"]);
  });

  it("dir: a mounted Secret, trailing newlines trimmed", async () => {
    const dir = secretDir({ AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE\n", AWS_SECRET_ACCESS_KEY: `${SECRET}\n` });
    const loaded = await loadCredentials({ source: "dir", directory: dir, env: {}, timeoutMs: 1000 });
    expect(loaded.credentials).toEqual({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET });
    expect(loaded.sourceDescription).toBe(`secret directory ${dir}`);
  });

  it("gcs-hmac: the same two values, named as HMAC keys", async () => {
    const loaded = await loadCredentials({
      source: "gcs-hmac",
      env: { AWS_ACCESS_KEY_ID: "GOOG1EXAMPLEEXAMPLE", AWS_SECRET_ACCESS_KEY: SECRET },
      timeoutMs: 1000,
    });
    expect(loaded.sourceDescription).toMatch(/GCS HMAC key/);
  });

  it("missing pieces name what to set", async () => {
    expect(await credentialError(loadCredentials({ source: "env", env: { AWS_ACCESS_KEY_ID: "AKIA" }, timeoutMs: 1000 }))).toMatch(
      /AWS_SECRET_ACCESS_KEY not set in the environment/,
    );
    const halfDir = secretDir({ AWS_SECRET_ACCESS_KEY: SECRET });
    expect(await credentialError(loadCredentials({ source: "dir", directory: halfDir, env: {}, timeoutMs: 1000 }))).toMatch(
      /has no file AWS_ACCESS_KEY_ID: it has AWS_SECRET_ACCESS_KEY \(a mounted Secret has a file per key/,
    );
    expect(await credentialError(loadCredentials({ source: "dir", directory: "/no/such/dir", env: {}, timeoutMs: 1000 }))).toMatch(/does not exist/);
  });

  it("dir: key files under other names are named with the --key-names that reads them; names given and not found list what is there", async () => {
    const load = (directory: string, variables?: { accessKeyId: string; secretAccessKey: string }) =>
      credentialError(loadCredentials({ source: "dir", directory, env: {}, timeoutMs: 1000, ...(variables ? { variables } : {}) }));
    const renamed = secretDir({ access_key: "AKIAIOSFODNN7EXAMPLE", secret_key: SECRET, "ca.crt": "pem" });
    expect(await load(renamed)).toBe(
      `${renamed} has no files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, but access_key and secret_key: name them with --key-names access_key,secret_key (in --config: dir: { path: ${renamed}, accessKeyKey: access_key, secretKeyKey: secret_key })`,
    );
    expect(await load(secretDir({ username: "minio", password: SECRET }))).toMatch(
      /but username and password: name them with --key-names username,password \(in --config: dir: \{ path: \S+, accessKeyKey: username, secretKeyKey: password \}\)$/,
    );
    const standard = secretDir({ AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: SECRET });
    expect(await load(standard, { accessKeyId: "access_key", secretAccessKey: "secret_key" })).toBe(
      `${standard} has no files access_key and secret_key (the key names given for it): it has AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY`,
    );
    const empty = secretDir({});
    expect(await load(empty)).toMatch(
      new RegExp(`^${empty} has no files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: it is empty \\(.*--key-names ACCESS,SECRET`),
    );
  });

  it("chain: names the link that supplied the keys", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", SECRET);
    vi.stubEnv("AWS_PROFILE", undefined as unknown as string);
    const loaded = await loadCredentials({ source: "chain", env: process.env, timeoutMs: 2000 });
    expect(loaded.sourceDescription).toBe("credential chain: environment variables");
    expect(loaded.credentials.accessKeyId).toBe("AKIAIOSFODNN7EXAMPLE");
  });

  it("chain: with nothing to find, fails within its bound and says what to set", async () => {
    const empty = mkdtempSync(join(tmpdir(), "kfp-s3-probe-home-"));
    for (const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_ROLE_ARN",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]) {
      vi.stubEnv(name, undefined as unknown as string);
    }
    vi.stubEnv("AWS_CONFIG_FILE", join(empty, "config"));
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(empty, "credentials"));
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    const message = await credentialError(loadCredentials({ source: "chain", env: process.env, timeoutMs: 3000 }));
    expect(message).toMatch(/credential chain found no credentials/);
  });

  it("chain: a link that never answers is cut off by the bound instead of hanging", async () => {
    const silent = createServer(() => {
      /* accept, never answer */
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE"]) {
        vi.stubEnv(name, undefined as unknown as string);
      }
      const empty = mkdtempSync(join(tmpdir(), "kfp-s3-probe-home-"));
      vi.stubEnv("AWS_CONFIG_FILE", join(empty, "config"));
      vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(empty, "credentials"));
      vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", `http://127.0.0.1:${port}/creds`);
      const message = await credentialError(loadCredentials({ source: "chain", env: process.env, timeoutMs: 500 }));
      expect(message).toMatch(/no credentials within 500 ms|found no credentials/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
