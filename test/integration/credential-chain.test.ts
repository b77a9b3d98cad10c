// An IRSA credential chain whose STS request fails is the run's connection failure, as an
// unreachable store is: exit 3, one line naming the STS error, the report on stdout with
// --output json, and the STS request in --debug (never the token). STS here is a small HTTP server
// on 127.0.0.1 that answers as STS does, or a closed loopback port; every connection the runs make
// is logged, and none goes anywhere but 127.0.0.1 (not to IMDS, nor to a real STS).
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConnectLog } from "../support/connect-log.js";
import { serveOnLoopback } from "../support/fault-proxy.js";
import { type CliResult, cell, parseReport, runCli, settings } from "./local-s3.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/kfp-backend";
// A token's shape (header.payload.signature); the run must send it to STS and print it nowhere.
const TOKEN =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a3ViZWZsb3c6bWwtcGlwZWxpbmUifQ.c2lnbmF0dXJlLW5vdC1hLXJlYWwtb25l";
// STS's answer to a role whose trust policy does not trust the token (the Query protocol's error body).
const ACCESS_DENIED = [
  '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
  "<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error>",
  "<RequestId>6b3a1b4e-2f0c-4c1e-9d0a-0123456789ab</RequestId>",
  "</ErrorResponse>",
].join("");

const connectHook = fileURLToPath(new URL("../support/connect-log.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-irsa-"));
const tokenFile = join(dir, "token");
writeFileSync(tokenFile, TOKEN);
const outputs: CliResult[] = [];
const connectLogs: string[] = [];
/** What the STS server was sent: each request's Action and whether it carried the token. */
const stsSeen: { action: string | null; token: boolean }[] = [];

function answerAsSts(req: IncomingMessage, res: ServerResponse): void {
  let body = "";
  req.on("data", (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on("end", () => {
    const form = new URLSearchParams(body);
    stsSeen.push({ action: form.get("Action"), token: form.get("WebIdentityToken") === TOKEN });
    res.writeHead(403, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(ACCESS_DENIED)) });
    res.end(ACCESS_DENIED);
  });
}

let sts: { endpoint: string; close: () => Promise<void> };
let closedPort: string;

beforeAll(async () => {
  sts = await serveOnLoopback(createServer(answerAsSts));
  const closed = await serveOnLoopback(createServer());
  await closed.close();
  closedPort = closed.endpoint;
});

afterAll(async () => {
  await sts.close();
  expect(outputs.length).toBeGreaterThanOrEqual(6);
  for (const output of outputs) expect(`${output.stdout}${output.stderr}`).not.toContain(TOKEN);
  // Every connection of every run: the local store and the loopback STS, nothing else.
  const destinations = connectLogs.flatMap(readConnectLog);
  expect(destinations.length).toBeGreaterThan(0);
  for (const destination of destinations) expect(destination).toMatch(/^127\.0\.0\.1:\d+$/);
});

/** The backend's run on the IRSA chain: the token file, the role, and STS at `stsEndpoint`. */
async function irsaRun(stsEndpoint: string, extra: string[] = [], token = tokenFile): Promise<CliResult> {
  const connectLog = join(dir, `connections-${connectLogs.length}.log`);
  connectLogs.push(connectLog);
  const env = {
    AWS_WEB_IDENTITY_TOKEN_FILE: token,
    AWS_ROLE_ARN: ROLE_ARN,
    AWS_ENDPOINT_URL_STS: stsEndpoint,
    AWS_REGION: "us-east-1",
    KFP_S3_PROBE_CONNECT_LOG: connectLog,
  };
  const args = ["--backend", "--name", "backend", "--credentials", "chain", "--endpoint", settings.endpoint, "--bucket", settings.bucket, ...extra];
  const result = await runCli(args, { env, nodeFlags: ["--import", connectHook] });
  outputs.push(result);
  return result;
}

/** Exit 3, nothing on stdout, one line on stderr. */
function oneLine(result: CliResult): string {
  expect(result.code, result.stderr).toBe(3);
  expect(result.stdout).toBe("");
  const lines = result.stderr.split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

const SOURCE = "backend (credential chain: web identity token (IRSA))";

describe("an IRSA chain whose STS request fails: exit 3, the STS error in one line", () => {
  it("STS refuses the role (403 AccessDenied)", async () => {
    const line = oneLine(await irsaRun(sts.endpoint));
    expect(line).toBe(
      `kfp-s3-probe: ${SOURCE}: sts:AssumeRoleWithWebIdentity at ${sts.endpoint} refused (403 AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity): check the trust policy of ${ROLE_ARN}: it must trust this cluster's OIDC provider and this service account (its namespace and name)`,
    );
    // The token went to STS (and so had to be kept out of every output).
    expect(stsSeen.at(-1)).toEqual({ action: "AssumeRoleWithWebIdentity", token: true });
  });

  it("STS is not reachable (a closed loopback port)", async () => {
    const line = oneLine(await irsaRun(closedPort));
    expect(line).toBe(
      `kfp-s3-probe: ${SOURCE}: sts:AssumeRoleWithWebIdentity at ${closedPort}: no answer (ECONNREFUSED): check that STS is reachable from here (AWS_ENDPOINT_URL_STS, AWS_REGION for its regional endpoint, a proxy)`,
    );
  });

  it("the token file does not exist: nothing is sent to STS", async () => {
    const before = stsSeen.length;
    const missing = join(dir, "no-such-token");
    const line = oneLine(await irsaRun(sts.endpoint, [], missing));
    expect(line).toBe(
      `kfp-s3-probe: ${SOURCE}: the web identity token file ${missing} cannot be read (ENOENT): check AWS_WEB_IDENTITY_TOKEN_FILE: the service account's projected token (on EKS, the role-arn annotation mounts it)`,
    );
    expect(stsSeen.length).toBe(before);
  });
});

describe("the report still comes: JSON with --output json, and --debug shows the STS request", () => {
  it("--output json: the identity's first cell names the STS error, the line on stderr beside it", async () => {
    const before = stsSeen.length;
    const result = await irsaRun(sts.endpoint, ["--output", "json"]);
    expect(result.code).toBe(3);
    const report = parseReport(result);
    expect(report.identities[0]).toMatchObject({ name: "backend", credentialSource: "credential chain: web identity token (IRSA)", accessKeyId: "" });
    expect(cell(report, null, "list-bucket")).toMatchObject({
      verdict: "error",
      errorKind: "credentials",
      cause: "credential-chain",
      reason: `sts:AssumeRoleWithWebIdentity at ${sts.endpoint} refused (403 AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity)`,
    });
    // Nothing else of the backend was sent: its other cells were not run.
    expect(report.checks.filter((c) => c.identity === "backend" && c.operation !== "list-bucket").every((c) => c.verdict === "not-run")).toBe(true);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^kfp-s3-probe: backend .* refused \(403 AccessDenied/)]);
    // The chain's STS requests are counted beside the S3 requests: as many as the STS on 127.0.0.1 saw.
    expect(stsSeen.length - before).toBeGreaterThanOrEqual(1);
    expect(report.requests?.sts).toBe(stsSeen.length - before);
  });

  it("--output json for a missing token file too", async () => {
    const result = await irsaRun(sts.endpoint, ["--output", "json"], join(dir, "no-such-token"));
    expect(result.code).toBe(3);
    expect(cell(parseReport(result), null, "list-bucket")).toMatchObject({ errorKind: "credentials", cause: "credential-chain" });
    // Nothing went to STS: none counted.
    expect(parseReport(result).requests?.sts).toBeUndefined();
  });

  it("--debug: each STS attempt with its URL and answer, never the token", async () => {
    const refused = await irsaRun(sts.endpoint, ["--debug"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      new RegExp(`^kfp-s3-probe: debug: backend AssumeRoleWithWebIdentity POST ${sts.endpoint}/ → 403 AccessDenied \\(\\d+ ms\\)$`, "m"),
    );
    const unreachable = await irsaRun(closedPort, ["--debug"]);
    const attempts = unreachable.stderr.split("\n").filter((line) => line.includes("AssumeRoleWithWebIdentity POST"));
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    for (const line of attempts) expect(line).toMatch(/→ no answer ECONNREFUSED \(\d+ ms\)$/);
    expect(refused.stdout).toMatch(/^Summary: .* exit 3$/m);
    expect(refused.stdout).toMatch(/^\d+ requests? sent \(and [1-9]\d* to STS for the credentials\), in /m);
  });
});
