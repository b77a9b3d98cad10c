import { afterEach, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import { FAULTS, type Fault, startFaultProxy, startSilentListener } from "../support/fault-proxy.js";
import {
  bucketKeys,
  type CliResult,
  clearProbeDebris,
  expectNoSecretIn,
  openUploads,
  probeConfigWithUploadLister,
  probeKeysInBucket,
  runCli,
  secretsDirOf,
  seeded,
  settings,
  spawnCli,
  witnessRunArgs,
} from "./local-s3.js";

// Bounded: npm test runs 2 per fault; KFP_S3_PROBE_FAULT_RUNS raises it for a longer soak.
const RUNS_PER_FAULT = Number(process.env.KFP_S3_PROBE_FAULT_RUNS ?? 2);
const DEADLINE_S = 60;
const outputs: CliResult[] = [];

afterEach(async () => {
  await clearProbeDebris();
  expect(await bucketKeys()).toEqual(seeded);
});

async function runThrough(fault: Fault, seed: number): Promise<{ result: CliResult; report: Report; seconds: number }> {
  const proxy = await startFaultProxy(settings.endpoint, fault, fault === "delay" ? 0.3 : 0.2, seed, 1200);
  const started = Date.now();
  try {
    const result = await runCli(
      [
        "--config",
        probeConfigWithUploadLister(),
        "--endpoint",
        proxy.endpoint,
        "--bucket",
        settings.bucket,
        "--no-discover",
        "--output",
        "json",
        "--timeout",
        String(DEADLINE_S),
        "--request-timeout",
        "5",
      ],
      { timeoutMs: 150_000 },
    );
    outputs.push(result);
    return { result, report: JSON.parse(result.stdout) as Report, seconds: (Date.now() - started) / 1000 };
  } finally {
    await proxy.close();
  }
}

describe("the report counts its cost", () => {
  it.each([
    ["no fault", 0],
    ["503 SlowDown on a fifth of the requests", 0.2],
  ] as const)("%s: requests.sent is every request the store was sent, the SDK's retries and cleanup's included", async (_, rate) => {
    const proxy = await startFaultProxy(settings.endpoint, "slowdown", rate, 7);
    try {
      const args = ["--config", probeConfigWithUploadLister(), "--endpoint", proxy.endpoint, "--bucket", settings.bucket, "--no-discover"];
      const result = await runCli([...args, "--output", "json", "--debug"], { timeoutMs: 120_000 });
      const report = JSON.parse(result.stdout) as Report;
      expect(report.requests?.sent).toBe(proxy.seen());
      expect(report.requests?.sent).toBeGreaterThan(50);
      const wireLines = result.stderr.split("\n").filter((line) => /^kfp-s3-probe: debug: \S+ \w+ [A-Z]+ \//.test(line));
      expect(wireLines).toHaveLength(proxy.seen());
      // Cleanup's own requests are among them.
      expect(wireLines.some((line) => / DeleteObject DELETE /.test(line))).toBe(true);
      // Each 503 is tried again, but where it answered the last of the 3 attempts.
      if (rate > 0) expect(report.requests?.retries).toBeGreaterThan(0);
      expect(report.requests?.retries).toBeLessThanOrEqual(proxy.injected());
    } finally {
      await proxy.close();
    }
  });
});

describe("injected faults: what a run reports as left is exactly what is left", () => {
  it.each(FAULTS.flatMap((fault) => Array.from({ length: RUNS_PER_FAULT }, (_, i) => [fault, 1000 + i] as const)))(
    "%s, seed %i",
    async (fault, seed) => {
      const { result, report, seconds } = await runThrough(fault, seed);
      const keysLeft = await probeKeysInBucket();
      const uploadsLeft = await openUploads();
      const reportedKeys = report.cleanup.leftovers.filter((l) => !l.uploadId && !l.versionId).map((l) => l.key);
      const reportedUploads = report.cleanup.leftovers.filter((l) => l.uploadId).map((l) => l.uploadId);
      expect(reportedKeys.sort(), "probe keys left vs reported").toEqual(keysLeft.sort());
      // An open upload is reported by id, or, where a create's answer was lost and none may list uploads, by key as one that may be open.
      const mayBeOpen = (report.cleanup.unverifiedUploads ?? []).map((u) => u.key);
      for (const upload of uploadsLeft) expect(reportedUploads.includes(upload.uploadId) || mayBeOpen.includes(upload.key), upload.key).toBe(true);
      for (const uploadId of reportedUploads) expect(uploadsLeft.map((u) => u.uploadId)).toContain(uploadId);
      // The admin-like identity leaks (exit 1); a fault may also cut an identity off (3) or leave debris (5).
      expect([1, 3, 5]).toContain(result.code);
      if (report.cleanup.leftovers.length > 0) expect(result.code).not.toBe(0);
      expect(seconds).toBeLessThan(DEADLINE_S + 30);
    },
    150_000,
  );
});

describe("witnesses under injected faults: what a run reports as left is exactly what is left", () => {
  it.each(["reset", "drop"] as const)(
    "%s",
    async (fault) => {
      const proxy = await startFaultProxy(settings.endpoint, fault, 0.2, 2000, 1200);
      try {
        const args = [...witnessRunArgs(), "--endpoint", proxy.endpoint, "--bucket", settings.bucket, "--no-discover", "--output", "json"];
        const result = await runCli([...args, "--timeout", String(DEADLINE_S), "--request-timeout", "5"], { timeoutMs: 150_000 });
        outputs.push(result);
        const report = JSON.parse(result.stdout) as Report;
        expect(report.checks.some((c) => c.prefix === "artifacts/team-1/metrics/")).toBe(true);
        const reportedKeys = report.cleanup.leftovers.filter((l) => !l.uploadId && !l.versionId).map((l) => l.key);
        expect(reportedKeys.sort(), "probe keys left vs reported").toEqual((await probeKeysInBucket()).sort());
      } finally {
        await proxy.close();
      }
    },
    150_000,
  );
});

describe("a store that never answers", () => {
  it("ends in exit 3 with a timeout diagnosis within 30 s at the default settings, and prints nothing of the SDK's", async () => {
    const silent = await startSilentListener();
    const started = Date.now();
    try {
      const result = await runCli(
        ["--backend", "--credentials-dir", secretsDirOf("backend"), "--endpoint", silent.endpoint, "--bucket", settings.bucket, "--output", "json"],
        {
          timeoutMs: 60_000,
        },
      );
      outputs.push(result);
      const seconds = (Date.now() - started) / 1000;
      expect(result.code).toBe(3);
      expect(seconds).toBeLessThan(30);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.checks.find((c) => c.identity === "backend" && c.operation === "list-bucket")).toMatchObject({
        errorKind: "timeout",
        cause: "timeout",
      });
      expect(result.stderr).not.toMatch(/WARN|@smithy|requestTimeout/);
    } finally {
      await silent.close();
    }
  }, 60_000);

  it("Ctrl-C against it ends the run at once", async () => {
    const silent = await startSilentListener();
    try {
      const child = spawnCli(["--backend", "--credentials-dir", secretsDirOf("backend"), "--endpoint", silent.endpoint, "--bucket", settings.bucket]);
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      while (silent.connections() === 0) await new Promise((r) => setTimeout(r, 50));
      const signalled = Date.now();
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(Date.now() - signalled).toBeLessThan(5000);
    } finally {
      await silent.close();
    }
  }, 30_000);
});

describe("what these runs must not print", () => {
  it("no secret of any identity", () => {
    expectNoSecretIn(outputs, FAULTS.length + 1);
  });
});
