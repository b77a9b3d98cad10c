// Ctrl-C and SIGTERM at points spread over a run, and a run killed outright followed by `sweep
// --delete` (issue 12): the bucket ends with no probe key and no open upload, and what a run
// reports as left is what is left.
import { afterEach, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import {
  bucketKeys,
  type CliResult,
  clearProbeDebris,
  expectNoSecretIn,
  openUploads,
  parseReport,
  probeConfigWithUploadLister,
  probeKeysInBucket,
  putAsAdmin,
  removeAsAdmin,
  runCli,
  seeded,
  spawnCli,
  storeArgs,
  witnessRunArgs,
} from "./local-s3.js";

const outputs: CliResult[] = [];

afterEach(async () => {
  await clearProbeDebris();
  expect(await bucketKeys()).toEqual(seeded);
});

/** kfp-s3-probe sweep of every run, with the backend's keys and keys that may list uploads. */
function sweep(...extra: string[]): Promise<CliResult> {
  return runCli(["sweep", "--older-than", "0", ...extra, "--config", probeConfigWithUploadLister(), ...storeArgs()]);
}

function spawnRun(): { child: ReturnType<typeof spawnCli>; done: Promise<CliResult> } {
  const child = spawnCli(["--config", probeConfigWithUploadLister(), ...storeArgs(), "--output", "json"]);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

// Points from the first requests to the cleanup of a run of about 1.5 s.
const POINTS: [NodeJS.Signals, number][] = [
  ["SIGINT", 150],
  ["SIGTERM", 400],
  ["SIGINT", 700],
  ["SIGTERM", 1000],
  ["SIGINT", 1300],
  ["SIGTERM", 1700],
];

describe("interrupted runs", () => {
  it.each(POINTS)(
    "%s after %i ms: exit 130 (or done), and what it reports as left is what is left",
    async (signal, afterMs) => {
      const { child, done } = spawnRun();
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      child.kill(signal);
      const result = await done;
      outputs.push(result);
      // On a loaded machine the signal can land while Node itself still starts, before the tool has
      // run a line: Node's default action ends it. Then it printed nothing and sent nothing.
      if (result.code === null) {
        expect(child.signalCode).toBe(signal);
        expect(result.stdout + result.stderr).toBe("");
        return expect(await probeKeysInBucket()).toEqual([]);
      }
      expect([130, 1]).toContain(result.code);
      // Stopped before the run began (while modules or keys loaded): nothing was sent, nothing is left.
      if (result.stdout === "") return expect(await probeKeysInBucket()).toEqual([]);
      const report = JSON.parse(result.stdout) as Report;
      if (result.code === 130) expect(report.interruptedBy).toBe(signal);
      const reported = report.cleanup.leftovers.filter((l) => !l.uploadId).map((l) => l.key);
      expect(reported.sort()).toEqual((await probeKeysInBucket()).sort());
      expect(
        report.cleanup.leftovers
          .filter((l) => l.uploadId)
          .map((l) => l.uploadId)
          .sort(),
      ).toEqual((await openUploads()).map((u) => u.uploadId).sort());
    },
    60_000,
  );

  it("SIGKILL mid-run, then sweep --delete: no probe key and no open upload is left", async () => {
    const { child, done } = spawnRun();
    // Kill once the run has written something of its own.
    for (let i = 0; i < 100 && (await probeKeysInBucket()).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGKILL");
    await done;
    const left = await probeKeysInBucket();
    expect(left.length).toBeGreaterThan(0);
    const listed = await sweep();
    outputs.push(listed);
    expect(listed.code).toBe(0);
    for (const key of left) expect(listed.stdout).toContain(key);
    expect(await probeKeysInBucket()).toEqual(left);
    const swept = await sweep("--delete");
    outputs.push(swept);
    expect(swept.code).toBe(0);
    expect(await probeKeysInBucket()).toEqual([]);
    expect(await openUploads()).toEqual([]);
  }, 60_000);

  it("sweep --delete removes a run's key and leaves every look-alike outside a probe namespace", async () => {
    const runKey = "artifacts/team-1/.kfp-s3-probe/20260101T000000Z-0123456789ab/canary";
    const lookAlikes = [
      "artifacts/team-1/.kfp-s3-probe/not-a-run-id/canary",
      "artifacts/team-1/.kfp-s3-probe/20260101T000000Z-0123456789ab/deeper/canary",
      "artifacts/team-1/kfp-s3-probe/20260101T000000Z-0123456789ab/canary",
      "pipelines/.kfp-s3-probe-old/20260101T000000Z-0123456789ab/canary",
      "v2/artifacts/team-1/.kfp-s3-probe/20260101T000000Z-0123456789ab",
    ];
    await putAsAdmin([runKey, ...lookAlikes]);
    try {
      const result = await sweep("--delete");
      outputs.push(result);
      expect(result.code).toBe(0);
      expect(await bucketKeys()).toEqual([...seeded, ...lookAlikes].sort());
    } finally {
      await removeAsAdmin([runKey, ...lookAlikes]);
    }
  }, 60_000);

  it("witnesses planted under other teams' metrics/: SIGINT mid-run reports what is left; SIGKILL, then sweep --delete, leaves nothing", async () => {
    const args = [...witnessRunArgs(), ...storeArgs(), "--output", "json"];
    // A whole run first: the witness under team-1's metrics/ (where nothing exists) is planted, read and removed.
    const whole = await runCli(args);
    outputs.push(whole);
    const witness = parseReport(whole).checks.find((c) => c.identity === "wrong-metrics-read" && c.prefix === "artifacts/team-1/metrics/");
    expect(witness?.evidence.map((e) => e.request)).toEqual(["PutObject (witness, as team-1)", "GetObject"]);
    expect(await probeKeysInBucket()).toEqual([]);
    // Interrupted once its deeper namespace holds something: what it reports as left is what is left.
    const interrupted = spawnCli(args);
    let stdout = "";
    interrupted.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const done = new Promise<number | null>((resolve) => interrupted.on("exit", resolve));
    for (let i = 0; i < 200 && !(await probeKeysInBucket()).some((k) => k.includes("/metrics/.kfp-s3-probe/")); i++)
      await new Promise((r) => setTimeout(r, 10));
    interrupted.kill("SIGINT");
    expect([130, 0, 1]).toContain(await done);
    const reported = (JSON.parse(stdout) as Report).cleanup.leftovers.map((l) => l.key).sort();
    expect(reported).toEqual((await probeKeysInBucket()).sort());
    await clearProbeDebris();
    // Killed outright: sweep finds the deeper namespace from its marker, and removes all of it.
    const killed = spawnCli(args);
    for (let i = 0; i < 200 && !(await probeKeysInBucket()).some((k) => k.includes("/metrics/.kfp-s3-probe/")); i++)
      await new Promise((r) => setTimeout(r, 10));
    killed.kill("SIGKILL");
    await new Promise((resolve) => killed.on("exit", resolve));
    const left = await probeKeysInBucket();
    const swept = await sweep("--delete");
    outputs.push(swept);
    expect(swept.code).toBe(0);
    if (left.some((k) => k.includes("/metrics/.kfp-s3-probe/"))) expect(swept.stdout).toMatch(/metrics\/\.kfp-s3-probe\//);
    expect(await probeKeysInBucket()).toEqual([]);
  }, 120_000);

  it("prints no secret", () => {
    expectNoSecretIn(outputs, 4);
  });
});
