// The library API, as a program embedding the probe would use it, against the real RGW.
import { describe, expect, it } from "vitest";
import { createS3Client, LAYOUTS, loadCredentials, runProbe, SdkS3Port } from "../../src/index.js";
import { bucketKeys, secretsDirOf, seeded, settings } from "./local-s3.js";

describe("library API", () => {
  it("probes two identities in one run with their own keys, and leaves the bucket as it was", async () => {
    const identities = await Promise.all(
      (["backend", "team-2"] as const).map(async (name) => {
        const loaded = await loadCredentials({ source: "dir", directory: secretsDirOf(name), env: {}, timeoutMs: 1000 });
        const client = createS3Client(
          { endpoint: settings.endpoint, region: settings.region, forcePathStyle: true, requestTimeoutMs: 5000, maxAttempts: 2 },
          loaded.credentials,
        );
        const role = name === "backend" ? ({ kind: "backend" } as const) : ({ kind: "profile", profile: name } as const);
        return { name, role, port: new SdkS3Port(client, settings.bucket) };
      }),
    );
    const run = await runProbe(identities, {
      bucket: settings.bucket,
      layout: LAYOUTS.deploykf,
      runId: `library-${Date.now()}`,
      readOnly: false,
      strict: false,
      concurrency: 8,
      signal: new AbortController().signal,
      cleanupTimeoutMs: 10_000,
    });
    const notOk = run.results.filter((r) => r.verdict !== "ok").map((r) => `${r.identity} ${r.verdict} ${r.operation}`);
    // The reference profile policy: only listing beyond its own prefixes (a warning), nothing else.
    expect(new Set(notOk)).toEqual(
      new Set(["team-2 exposed list", "team-2 exposed list-bucket", "backend degraded abort-multipart", "team-2 degraded abort-multipart"]),
    );
    expect(run.results).toHaveLength(run.plans.reduce((n, plan) => n + plan.checks.length, 0));
    expect(run.cleanup.created).toBeGreaterThan(5);
    expect(run.cleanup.leftovers).toEqual([]);
    expect(await bucketKeys()).toEqual(seeded);
  });
});
