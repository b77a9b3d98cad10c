// A run the store fails before it decides anything says why in one line, as aws-cli does: where
// (host and port), what, and the fix; exit 3, nothing on stdout (the report with --output json or
// --debug). Input mistakes are one line too, exit 2. Against the real local RGW on 127.0.0.1.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, cell, expectNoSecretIn, parseReport, probeArgs, runCli, secretsDirOf, settings, startHoldingProxy } from "./local-s3.js";

const outputs: CliResult[] = [];
const { host } = new URL(settings.endpoint);

/** The backend's run with one argument swapped (the endpoint, the bucket, the keys' directory). */
async function backendRun(swap: Record<string, string>, extra: string[] = []): Promise<CliResult> {
  const args = probeArgs("backend", ["--backend"], extra).map((arg) => swap[arg] ?? arg);
  const result = await runCli(args);
  outputs.push(result);
  return result;
}

/** One line on stderr, nothing on stdout, and the exit code. */
function expectOneLine(result: CliResult, code: number): string {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe("");
  const lines = result.stderr.split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^kfp-s3-probe: /);
  return lines[0] as string;
}

/** A directory with the backend's keys under other file names. */
function keysAs(accessName: string, secretName: string, keys = secretsDirOf("backend")): string {
  const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-keys-"));
  copyFileSync(join(keys, "AWS_ACCESS_KEY_ID"), join(dir, accessName));
  copyFileSync(join(keys, "AWS_SECRET_ACCESS_KEY"), join(dir, secretName));
  return dir;
}

afterAll(() => expectNoSecretIn(outputs, 6));

describe("a store the run cannot reach or authenticate to: one line naming host, port, cause and fix, exit 3", () => {
  it("a closed loopback port", async () => {
    const proxy = await startHoldingProxy(() => false);
    const closed = new URL(proxy.endpoint);
    await proxy.close();
    const line = expectOneLine(await backendRun({ [settings.endpoint]: proxy.endpoint }), 3);
    expect(line).toBe(
      `kfp-s3-probe: 127.0.0.1:${closed.port}: no connection to the endpoint (ECONNREFUSED): check --endpoint (host and port) and that the store is reachable from here`,
    );
  });

  it("https:// to the plain-HTTP store: it speaks plain HTTP there, use http:// (no certificate hint)", async () => {
    const https = settings.endpoint.replace("http://", "https://");
    const line = expectOneLine(await backendRun({ [settings.endpoint]: https }), 3);
    expect(line).toBe(
      `kfp-s3-probe: the store speaks plain HTTP at ${host} (it answered the TLS handshake in HTTP): use --endpoint ${settings.endpoint}`,
    );
    expect(line).not.toMatch(/ca-bundle|certificate/);
  });

  it("a bucket that does not exist: --bucket, and the other addressing style is said tried, not suggested", async () => {
    const line = expectOneLine(await backendRun({ [settings.bucket]: "no-such-kfp-bucket" }), 3);
    expect(line).toBe(
      `kfp-s3-probe: ${host}: bucket no-such-kfp-bucket does not exist, or is not visible with backend's keys (path-style and virtual-hosted addressing both tried): check --bucket`,
    );
  });

  it("a secret key that does not match (SignatureDoesNotMatch)", async () => {
    const dir = keysAs("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    writeFileSync(join(dir, "AWS_SECRET_ACCESS_KEY"), "not-the-secret-not-the-secret-not-the-sec");
    const line = expectOneLine(await backendRun({ [secretsDirOf("backend")]: dir }), 3);
    expect(line).toMatch(
      new RegExp(
        `^kfp-s3-probe: ${host}: the store rejected the signature of backend \\(…\\w{4} from secret directory ${dir}\\): the secret key does not match`,
      ),
    );
    expect(line).not.toContain("not-the-secret");
  });

  it("an access key id the store does not know (InvalidAccessKeyId)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-unknown-"));
    writeFileSync(join(dir, "AWS_ACCESS_KEY_ID"), "NOSUCHKEY0123456789A");
    writeFileSync(join(dir, "AWS_SECRET_ACCESS_KEY"), "not-a-secret-of-this-store-0123456789abc");
    const line = expectOneLine(await backendRun({ [secretsDirOf("backend")]: dir }), 3);
    expect(line).toBe(
      `kfp-s3-probe: ${host}: the store does not know the access key id of backend (…789A from secret directory ${dir}): check that these are this store's keys`,
    );
  });

  it("no answer in time (a proxy on 127.0.0.1 that holds every request)", async () => {
    const proxy = await startHoldingProxy(() => true);
    try {
      const line = expectOneLine(await backendRun({ [settings.endpoint]: proxy.endpoint }, ["--request-timeout", "1"]), 3);
      expect(line).toBe(
        `kfp-s3-probe: ${new URL(proxy.endpoint).host}: no answer within --request-timeout (1 s): check the endpoint and any proxy on the way, or raise --request-timeout`,
      );
    } finally {
      await proxy.close();
    }
  });

  it("the report still comes with --output json (the line on stderr beside it) and with --debug", async () => {
    const json = await backendRun({ [settings.bucket]: "no-such-kfp-bucket" }, ["--output", "json"]);
    expect(json.code).toBe(3);
    expect(cell(parseReport(json), null, "list-bucket")).toMatchObject({ errorKind: "no-such-bucket", cause: "no-such-bucket" });
    expect(json.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^kfp-s3-probe: .*check --bucket$/)]);
    const debug = await backendRun({ [settings.bucket]: "no-such-kfp-bucket" }, ["--debug"]);
    expect(debug.code).toBe(3);
    expect(debug.stdout).toMatch(/^Summary: .* exit 3$/m);
  });
});

describe("a keys directory with other file names: one line naming the files and --key-names, exit 2", () => {
  it("access_key and secret_key", async () => {
    const dir = keysAs("access_key", "secret_key");
    const line = expectOneLine(await backendRun({ [secretsDirOf("backend")]: dir }), 2);
    expect(line).toBe(
      `kfp-s3-probe: ${dir} has no files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, but access_key and secret_key: name them with --key-names access_key,secret_key (in --config: dir: { path: ${dir}, accessKeyKey: access_key, secretKeyKey: secret_key })`,
    );
    const named = await backendRun({ [secretsDirOf("backend")]: dir }, ["--key-names", "access_key,secret_key", "--output", "json"]);
    expect(named.code).toBe(0);
    // The line's other fix, as a config file writes it (--identity NAME=DIR takes no key names).
    const config = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-keynames-")), "probe.yaml");
    const credentials = `{ dir: { path: ${dir}, accessKeyKey: access_key, secretKeyKey: secret_key } }`;
    writeFileSync(config, `identities:\n  - { backend: true, credentials: ${credentials} }\n`);
    const configured = await runCli([
      "--config",
      config,
      "--endpoint",
      settings.endpoint,
      "--bucket",
      settings.bucket,
      "--no-discover",
      "--output",
      "json",
    ]);
    outputs.push(configured);
    expect(configured.code, configured.stderr).toBe(0);
  });

  it("as Kubernetes mounts a Secret: its ..data folder and symlinks, and nothing of the keys' contents", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-mounted-"));
    const data = join(dir, "..2026_12_01_00_00_00.000000001");
    mkdirSync(data);
    copyFileSync(join(secretsDirOf("backend"), "AWS_ACCESS_KEY_ID"), join(data, "accesskey"));
    copyFileSync(join(secretsDirOf("backend"), "AWS_SECRET_ACCESS_KEY"), join(data, "secretkey"));
    symlinkSync(data, join(dir, "..data"));
    symlinkSync(join("..data", "accesskey"), join(dir, "accesskey"));
    symlinkSync(join("..data", "secretkey"), join(dir, "secretkey"));
    const line = expectOneLine(await backendRun({ [secretsDirOf("backend")]: dir }), 2);
    expect(line).toMatch(
      /, but accesskey and secretkey: name them with --key-names accesskey,secretkey \(in --config: dir: \{ path: \S+, accessKeyKey: accesskey, secretKeyKey: secretkey \}\)$/,
    );
  });
});
