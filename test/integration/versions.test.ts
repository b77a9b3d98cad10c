// Versioned buckets on the local RGW (issue 22): what a run leaves is exactly what it reports, as
// an admin's ListObjectVersions sees it, under the reference policies (no s3:DeleteObjectVersion),
// with s3:DeleteObjectVersion (nothing left, a killed run swept), under the fault proxy (where
// versions may be listed, and where they may not), and under object lock with a default retention;
// wrong policies get the verdicts they get on an unversioned bucket. Few identities and no
// discovery: the store is small.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import { type Fault, startFaultProxy } from "../support/fault-proxy.js";
import {
  type CliResult,
  clearProbeVersions,
  expectNoSecretIn,
  openUploads,
  parseReport,
  probeVersionsIn,
  runCli,
  secretsDirOf,
  settings,
  spawnCli,
  versionedBuckets,
  witnessRunArgs,
} from "./local-s3.js";

const [REFERENCE, CLEAN, LOCKED] = versionedBuckets as [string, string, string];
const outputs: CliResult[] = [];

afterAll(async () => {
  for (const bucket of versionedBuckets) await clearProbeVersions(bucket);
});

/** The backend and team-1 under their own policies (no identity with s3:*). */
function backendAndTeam1(): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-versions-")), "probe.yaml");
  const identity = (role: string, name: string) => `  - { ${role}, credentials: { dir: ${secretsDirOf(name)} } }`;
  writeFileSync(file, ["identities:", identity("backend: true", "backend"), identity("profile: team-1", "team-1"), ""].join("\n"));
  return ["--config", file];
}

async function probe(bucket: string, args: string[], endpoint = settings.endpoint): Promise<{ result: CliResult; report: Report }> {
  const result = await runCli([...args, "--endpoint", endpoint, "--bucket", bucket, "--no-discover", "--output", "json", "--request-timeout", "5"], {
    timeoutMs: 150_000,
  });
  outputs.push(result);
  return { result, report: parseReport(result) };
}

const named = (l: { key: string; versionId?: string }) => `${l.key} ${l.versionId ?? "null"}`;
/** The versions and markers reported left (an open upload is no version: it is held to the open uploads). */
const reported = (report: Report) =>
  report.cleanup.leftovers
    .filter((l) => !l.uploadId)
    .map(named)
    .sort();
const reportedUploads = (report: Report) => report.cleanup.leftovers.flatMap((l) => l.uploadId ?? []).sort();
const actual = async (bucket: string) => (await probeVersionsIn(bucket)).map(named).sort();

describe("a versioned bucket, the reference policies (no s3:DeleteObjectVersion)", () => {
  it("reports exactly the versions and markers it leaves, each naming s3:DeleteObjectVersion; no probe object current; KFP's versions kept", async () => {
    const { result, report } = await probe(REFERENCE, backendAndTeam1());
    expect(result.stderr).toMatch(/warning: this bucket keeps versions and the run's keys may not remove them \(s3:DeleteObjectVersion\)/);
    expect(result.code).toBe(5);
    const left = await probeVersionsIn(REFERENCE);
    expect(left.length).toBeGreaterThan(20);
    // Fewer keys where nothing can be removed: the multipart upload on the CRC32 canary's key, the first write a seed.
    expect(result.stderr).toMatch(/it writes on fewer keys/);
    expect(left.filter((v) => v.key.endsWith("-multipart"))).toEqual([]);
    expect(report.checks.filter((c) => c.operation === "multipart").every((c) => c.verdict === "ok")).toBe(true);
    const readsTheFirstWrite = (c: Report["checks"][number]) =>
      c.operation === "get" && c.evidence.some((e) => e.request === "PutObject (the first write)");
    expect(report.checks.some(readsTheFirstWrite)).toBe(true);
    expect(reported(report)).toEqual(left.map(named).sort());
    for (const leftover of report.cleanup.leftovers) {
      expect(leftover).toMatchObject({ cause: "delete-version-denied", remedy: { actions: ["s3:DeleteObjectVersion"] } });
      expect(leftover.hint).toMatch(/s3:DeleteObjectVersion on arn:aws:s3:::kubeflow-pipelines-versioned\/\*\.kfp-s3-probe\/\*/);
    }
    expect(left.filter((v) => v.isLatest && !v.deleteMarker)).toEqual([]);
    expect(report.bucket?.findings.map((f) => f.cause)).toEqual(["versions-kept"]);
    expect(report.bucket?.versioning).toEqual({ status: "read", value: "enabled", source: "the run's first write had a version id" });
    expect(report.cleanup.versions).toBe("unverified");
    await clearProbeVersions(REFERENCE);
  }, 150_000);
});

describe("a versioned bucket, wrong policies among the right ones", () => {
  it("every cell's verdict is the one the unversioned bucket gets: versions and markers change what is left, never a verdict", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-versions-")), "probe.yaml");
    const people: [string, string][] = [
      ["backend: true", "backend"],
      ["profile: team-1", "team-1"],
      ["name: wrong-artifacts-wildcard, profile: team-3", "wrong-artifacts-wildcard"],
      ["name: wrong-bucket-admin, profile: team-5", "wrong-bucket-admin"],
      ["name: wrong-no-delete, profile: team-4", "wrong-no-delete"],
    ];
    const lines = people.map(([role, name]) => `  - { ${role}, credentials: { dir: ${secretsDirOf(name)} } }`);
    writeFileSync(file, ["identities:", ...lines, ""].join("\n"));
    const verdicts = async (bucket: string) => {
      const { report } = await probe(bucket, ["--config", file]);
      const cell = (c: Report["checks"][number]) =>
        `${c.identity} ${(c.prefix ?? "").replace(/kfp-s3-probe-nobody-[0-9a-f]+/, "nobody")} ${c.operation}`;
      return Object.fromEntries(report.checks.map((c) => [cell(c), c.verdict]));
    };
    const unversioned = await verdicts(settings.bucket);
    expect(Object.values(unversioned)).toContain("leak");
    expect(await verdicts(REFERENCE)).toEqual(unversioned);
    await clearProbeVersions(REFERENCE);
  }, 150_000);
});

describe("a versioned bucket where the identities may s3:DeleteObjectVersion", () => {
  it("exit 0 and nothing left, versions and markers alike; the settings read, no finding", async () => {
    const { result, report } = await probe(CLEAN, backendAndTeam1());
    expect(result.code).toBe(0);
    expect(report.cleanup).toMatchObject({ leftovers: [], versions: "verified" });
    expect(await actual(CLEAN)).toEqual([]);
    expect(report.bucket).toMatchObject({
      versioning: { status: "read", value: "enabled", source: "GetBucketVersioning by backend" },
      lifecycle: { status: "read", value: { rules: [{ id: "noncurrent", noncurrentExpiration: true }] } },
      versionsRemovable: true,
      findings: [],
    });
  }, 150_000);

  it("with witnesses in deeper namespaces: nothing left", async () => {
    const { report } = await probe(CLEAN, witnessRunArgs());
    expect(report.checks.some((c) => c.prefix === "artifacts/team-1/metrics/")).toBe(true);
    expect(report.cleanup.leftovers).toEqual([]);
    expect(await actual(CLEAN)).toEqual([]);
  }, 150_000);

  it("SIGKILL mid-run, then sweep --delete: nothing left", async () => {
    const [config, file, ...rest] = witnessRunArgs();
    const child = spawnCli([config as string, file as string, ...rest, "--endpoint", settings.endpoint, "--bucket", CLEAN, "--no-discover"]);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    for (let i = 0; i < 400 && (await probeVersionsIn(CLEAN)).filter((v) => v.deleteMarker).length < 3; i++)
      await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGKILL");
    await exited;
    const left = await probeVersionsIn(CLEAN);
    expect(left.some((v) => v.deleteMarker)).toBe(true);
    const sweep = (...extra: string[]) =>
      runCli(["sweep", "--older-than", "0", ...extra, ...backendAndTeam1(), "--endpoint", settings.endpoint, "--bucket", CLEAN]);
    const listed = await sweep();
    outputs.push(listed);
    for (const v of left) expect(listed.stdout).toContain(`${v.key} (${v.deleteMarker ? "delete marker" : "version"} ${v.versionId})`);
    const swept = await sweep("--delete");
    outputs.push(swept);
    expect(swept.code).toBe(0);
    expect(await actual(CLEAN)).toEqual([]);
    // An upload the killed run opened stays open where no identity may list uploads (sweep says so):
    // aborted here, so that the runs after this one see only their own.
    await clearProbeVersions(CLEAN);
  }, 150_000);
});

// Bounded: 5 runs per fault, the Done-when of issue 22; KFP_S3_PROBE_VERSION_FAULT_RUNS changes it.
const RUNS = Number(process.env.KFP_S3_PROBE_VERSION_FAULT_RUNS ?? 5);

// Both verified by ListObjectVersions: nothing left where versions can be removed, exactly what
// object lock keeps where they cannot.
const FAULT_RUNS = [CLEAN, LOCKED].flatMap((bucket) =>
  (["reset", "drop"] as Fault[]).flatMap((fault) => Array.from({ length: RUNS }, (_, i) => [bucket, fault, 3000 + i] as const)),
);

describe("the fault proxy on the versioned buckets (resets, lost answers): reported = actual every time", () => {
  it.each(FAULT_RUNS)(
    "%s, %s, seed %i",
    async (bucket, fault, seed) => {
      const proxy = await startFaultProxy(settings.endpoint, fault, 0.2, seed, 1200);
      try {
        const { report } = await probe(bucket, [...backendAndTeam1(), "--timeout", "60"], proxy.endpoint);
        expect(reported(report), "versions and markers left vs reported").toEqual(await actual(bucket));
        // An open upload is reported by id, or, where a create's answer was lost and none may list uploads, by key as one that may be open.
        const open = (await openUploads(bucket)).filter((u) => u.key.includes(`.kfp-s3-probe/${report.runId}/`));
        const mayBeOpen = (report.cleanup.unverifiedUploads ?? []).map((u) => u.key);
        for (const upload of open) expect(reportedUploads(report).includes(upload.uploadId) || mayBeOpen.includes(upload.key), upload.key).toBe(true);
        for (const uploadId of reportedUploads(report)) expect(open.map((u) => u.uploadId)).toContain(uploadId);
        if (bucket === LOCKED) expect(report.cleanup.leftovers.length).toBeGreaterThan(10);
        expect(report.cleanup.versions).toBe("verified");
      } finally {
        await proxy.close();
        await clearProbeVersions(bucket);
      }
    },
    150_000,
  );
});

// The reference policies grant no s3:ListBucketVersions: a version or marker whose write lost its
// answer cannot be found (RGW takes the SDK's retried If-None-Match PUT as a second version, and
// its HeadObject of a marker names no version). What is reported left is there; what is there and
// not reported is at a key the cleanup names.
const UNLISTABLE_RUNS = (["reset", "drop"] as Fault[]).flatMap((fault) => Array.from({ length: RUNS }, (_, i) => [fault, 3000 + i] as const));

describe("the fault proxy on the versioned bucket whose versions may not be listed: every one left is reported, or its key named", () => {
  it.each(UNLISTABLE_RUNS)(
    "%s, seed %i",
    async (fault, seed) => {
      const proxy = await startFaultProxy(settings.endpoint, fault, 0.2, seed, 1200);
      try {
        const { report } = await probe(REFERENCE, [...backendAndTeam1(), "--timeout", "60"], proxy.endpoint);
        const held = await actual(REFERENCE);
        const named = reported(report);
        for (const leftover of named) expect(held, "reported left but not there").toContain(leftover);
        const unseen = (report.cleanup.unverifiedVersions ?? []).map((u) => u.key);
        for (const version of held.filter((v) => !named.includes(v))) expect(unseen, version).toContain(version.split(" ")[0]);
        expect(report.cleanup.versions).toBe("unverified");
        expect(report.exitCode).toBe(5);
      } finally {
        await proxy.close();
        await clearProbeVersions(REFERENCE);
      }
    },
    150_000,
  );
});

describe("object lock with a default retention", () => {
  it("says so, and what it could not remove, exactly", async () => {
    const { result, report } = await probe(LOCKED, backendAndTeam1());
    expect(result.stderr).toMatch(/warning: this bucket keeps every version under object lock \(GOVERNANCE retention by default\)/);
    expect(result.code).toBe(5);
    expect(report.bucket?.objectLock).toMatchObject({ status: "read", value: { enabled: true, defaultRetention: { mode: "GOVERNANCE", days: 1 } } });
    expect(report.bucket?.findings.map((f) => f.cause)).toContain("default-retention");
    expect(reported(report)).toEqual(await actual(LOCKED));
    const versions = report.cleanup.leftovers.filter((l) => !l.deleteMarker);
    expect(versions.length).toBeGreaterThan(10);
    for (const leftover of versions) expect(leftover.cause).toBe("object-lock-retention");
    expect((await probeVersionsIn(LOCKED)).filter((v) => v.isLatest && !v.deleteMarker)).toEqual([]);
  }, 150_000);
});

describe("what these runs must not print", () => {
  it("no secret of any identity", () => {
    expectNoSecretIn(outputs, 5);
  });
});
