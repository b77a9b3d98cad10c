// HTTPS_PROXY / HTTP_PROXY and NO_PROXY, as operators behind a proxy have them: the probe's
// requests go through a forward proxy of the test's own on 127.0.0.1, unless NO_PROXY exempts the
// store.
import { createServer } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import { serveOnLoopback } from "../support/fault-proxy.js";
import { runCli, secretsDirOf, storeArgs } from "./local-s3.js";

let through = 0;
let proxy: { endpoint: string; close: () => Promise<void> };

beforeAll(async () => {
  // A proxy that opens CONNECT tunnels, as corporate proxies do: each tunnel is counted.
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req, client, head) => {
    through += 1;
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  proxy = await serveOnLoopback(server);
});
afterAll(() => proxy.close());

const args = () => ["--backend", "--credentials-dir", secretsDirOf("backend"), ...storeArgs(), "--output", "json", "--no-discover"];

describe("a proxy from the environment", () => {
  it("HTTP_PROXY: the requests go through it (CONNECT tunnels), the report says so without its password, and the run passes", async () => {
    through = 0;
    const result = await runCli(args(), { env: { HTTP_PROXY: `http://user:proxy-password@${new URL(proxy.endpoint).host}` } });
    expect(result.code).toBe(0);
    expect(through).toBeGreaterThan(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.notes.join(" ")).toContain(`requests go through the proxy ${proxy.endpoint}`);
    expect(result.stdout + result.stderr).not.toContain("proxy-password");
  });

  it("NO_PROXY exempts the store", async () => {
    through = 0;
    const result = await runCli(args(), { env: { HTTP_PROXY: proxy.endpoint, NO_PROXY: "127.0.0.1" } });
    expect(result.code).toBe(0);
    expect(through).toBe(0);
  });
});
