// No region given: the sessions ask the bucket (x-amz-bucket-region), sign with the region it
// names, and the report says where that region came from: detected, not the default.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../support/run-main.js";

let server: Server;
let endpoint: string;
const regionsSigned = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    // The signing region is the fourth part of the credential scope: KEY/DATE/REGION/s3/aws4_request.
    const scope = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? "");
    if (scope?.[1]) regionsSigned.add(scope[1]);
    req.resume();
    req.on("end", () => {
      if (req.method === "HEAD") res.writeHead(200, { "x-amz-bucket-region": "eu-west-1" }).end();
      else res.writeHead(403, { "content-type": "application/xml" }).end("<Error><Code>AccessDenied</Code><Message>no</Message></Error>");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("a region detected from the bucket", () => {
  const keys = { AWS_ACCESS_KEY_ID: "AKIADETECTEDREGION01", AWS_SECRET_ACCESS_KEY: "detected-region-secret-0123456789abcdef" };
  const run = (flags: string[]) =>
    runMain(
      ["--backend", "--endpoint", endpoint, "--bucket", "kfp", "--no-anonymous", "--no-discover", "--read-only", "--output", "json", ...flags],
      keys,
    );

  it("is signed with and reported as detected, with a note", async () => {
    const { stdout } = await run([]);
    const report = JSON.parse(stdout);
    expect(report.store.region).toBe("eu-west-1");
    expect(report.settings.region).toEqual({ value: "eu-west-1", source: "detected" });
    expect(report.notes.join(" ")).toMatch(/region eu-west-1 detected from the bucket/);
    expect([...regionsSigned]).toContain("eu-west-1");
  });

  it("is not asked for when --region is given: the flag's region stays, from the flag", async () => {
    const { stdout } = await run(["--region", "us-west-2"]);
    const report = JSON.parse(stdout);
    expect(report.store.region).toBe("us-west-2");
    expect(report.settings.region).toEqual({ value: "us-west-2", source: "flag" });
  });
});
