// A proxy between the probe and the store that re-encodes a "/" in a query value (a listing's
// prefix=artifacts%2F… goes on as artifacts%252F…): the store refuses the signature of those
// requests alone, and takes every other the same keys sign. That is one diagnosis (the keys are
// right, these requests are mangled on the way, and what they carry), not "the secret key does
// not match" in every cell; and cleanup, whose own listings are refused so, says its word is
// unverified. Through the project's fault proxy on 127.0.0.1, against the local RGW.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startRewritingProxy } from "../support/fault-proxy.js";
import { bucketKeys, type CliResult, clearProbeDebris, expectNoSecretIn, parseReport, runCli, secretsDirOf, seeded, settings } from "./local-s3.js";

const outputs: CliResult[] = [];

/** A "/" in a query value, percent-encoded once by the client, encoded again: %2F becomes %252F. */
function reencodeQuerySlashes(url: string): string {
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query) + url.slice(query).replaceAll("%2F", "%252F");
}

/** The backend and team-1, each with its own keys. */
function config(): string {
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-mangled-")), "probe.yaml");
  const identities = [
    "identities:",
    `  - { backend: true, credentials: { dir: ${secretsDirOf("backend")} } }`,
    `  - { profile: team-1, credentials: { dir: ${secretsDirOf("team-1")} } }`,
  ];
  writeFileSync(file, `${identities.join("\n")}\n`);
  return file;
}

/** The backend and team-1 through the re-encoding proxy. */
async function throughProxy(extra: string[]): Promise<{ result: CliResult; rewritten: number }> {
  const proxy = await startRewritingProxy(settings.endpoint, reencodeQuerySlashes);
  try {
    const args = ["--config", config(), "--endpoint", proxy.endpoint, "--bucket", settings.bucket, "--no-discover", ...extra];
    const result = await runCli(args, { timeoutMs: 120_000 });
    outputs.push(result);
    return { result, rewritten: proxy.rewritten() };
  } finally {
    await proxy.close();
  }
}

afterEach(async () => {
  await clearProbeDebris();
  expect(await bucketKeys()).toEqual(seeded);
});
afterAll(() => expectNoSecretIn(outputs, 2));

describe("a proxy that mangles the query of some requests: one diagnosis, the keys said right", () => {
  it("JSON: one mangled-requests diagnosis for both identities naming the requests' shape; the cells its cause, none wrong-secret", async () => {
    const { result, rewritten } = await throughProxy(["--output", "json"]);
    expect(rewritten).toBeGreaterThan(4);
    expect(result.code).toBe(3);
    const report = parseReport(result);
    const mangled = report.diagnoses.filter((d) => d.kind === "mangled-requests");
    expect(mangled).toHaveLength(1);
    expect(mangled[0]).toMatchObject({
      identities: ["backend", "team-1"],
      shape: { requests: ["ListObjectsV2"], parts: ["query"], characters: ["/"] },
    });
    expect(mangled[0]?.message).toMatch(
      /^the keys of backend, team-1 are right \(the store takes their other requests\), but the store or a proxy between mangles some requests, and refuses their signature: those with '\/' in a query value \(a listing's prefix\): ListObjectsV2 to /,
    );
    expect(mangled[0]?.fix).toMatch(/^check the proxy \/ the store's URL encoding/);
    const refused = report.checks.filter((c) => c.errorKind === "signature");
    // Every refused cell is a listing under a prefix; the same keys' other requests were taken.
    expect(refused.length).toBeGreaterThanOrEqual(4);
    for (const check of refused) expect(check).toMatchObject({ operation: "list", cause: "request-mangled" });
    expect(report.checks.some((c) => c.cause === "wrong-secret")).toBe(false);
    for (const name of ["backend", "team-1"]) {
      expect(report.checks.some((c) => c.identity === name && c.operation === "put" && c.verdict === "ok")).toBe(true);
    }
    // Cleanup's own listings of the run's namespaces were refused so: its word is unverified, and says why.
    expect(report.cleanup.leftovers).toEqual([]);
    expect(report.cleanup.unverifiedNamespaces?.length).toBeGreaterThan(0);
    for (const u of report.cleanup.unverifiedNamespaces ?? []) {
      expect(u.prefix).toContain(`.kfp-s3-probe/${report.runId}/`);
      expect(u.reason).toMatch(/: the store rejected the request signature$/);
    }
  });

  it("text: the diagnosis once, one ERROR block for both identities, never 'the secret key does not match', cleanup unverified", async () => {
    const { result } = await throughProxy([]);
    expect(result.code).toBe(3);
    const text = result.stdout;
    expect(text.match(/MANGLED/g)).toHaveLength(1);
    expect(text).not.toContain("the secret key does not match");
    const errorLines = text.split("\n").filter((line) => /^ {2}ERROR /.test(line));
    expect(errorLines).toEqual([expect.stringMatching(/^ {2}ERROR +backend, team-1 {2}list pipelines\/, /)]);
    expect(text.match(/\[request-mangled\]/g)).toHaveLength(1);
    expect(text).toMatch(/^Unverified: \d+ of the run's namespaces could not be listed \((backend|team-1): the store rejected the request/m);
  });
});
