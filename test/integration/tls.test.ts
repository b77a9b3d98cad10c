// TLS in front of the real RGW: an HTTPS proxy on 127.0.0.1 with a throwaway self-signed
// certificate (openssl), to check --ca-bundle, --insecure-skip-tls-verify and the mismatches.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cell, parseReport, probeArgs, runCli, settings } from "./local-s3.js";

let server: Server;
let httpsEndpoint: string;
let caFile: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-tls-"));
  caFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      caFile,
    ],
    { stdio: "ignore" },
  );
  const target = new URL(settings.endpoint);
  server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  httpsEndpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

const through = (endpoint: string, extra: string[] = []) =>
  probeArgs("team-1", ["--profile", "team-1"], ["--output", "json", "--no-multipart", ...extra]).map((a) => (a === settings.endpoint ? endpoint : a));

describe("TLS", () => {
  it("an untrusted certificate: exit 3, and the fix is --ca-bundle", async () => {
    const result = await runCli(through(httpsEndpoint));
    expect(result.code).toBe(3);
    const preflight = cell(parseReport(result), null, "list-bucket");
    expect(preflight).toMatchObject({ verdict: "error", errorKind: "tls" });
    expect(preflight.hint).toMatch(/--ca-bundle FILE/);
  });

  it("--ca-bundle: the private CA is trusted (beside the public roots) and the run passes", async () => {
    const result = await runCli(through(httpsEndpoint, ["--ca-bundle", caFile]));
    expect(result.code).toBe(0);
    expect(parseReport(result).notes).toEqual([]);
  });

  it("--insecure-skip-tls-verify: the run passes, with a warning on stderr and in the report", async () => {
    const result = await runCli(through(httpsEndpoint, ["--insecure-skip-tls-verify"]));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: TLS certificates are not verified/);
    expect(parseReport(result).notes.join(" ")).toMatch(/not verified/);
  });

  it("plain http:// to the TLS port: exit 3, and the fix mentions https://", async () => {
    const result = await runCli(through(httpsEndpoint.replace("https://", "http://")));
    expect(result.code).toBe(3);
    expect(cell(parseReport(result), null, "list-bucket").hint).toMatch(/https:\/\//);
  });
});
