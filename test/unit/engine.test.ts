// The engine on a real S3Client whose transport is aws-sdk-client-mock: the edge cases a real
// server does not produce on demand (failures mid-run, aborts, versioned buckets, collisions).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import type { Role } from "../../src/core/plan.js";
import { type ProbeOptions, runProbe } from "../../src/probe/engine.js";
import { resultHint } from "../../src/report/hint.js";
import { createS3Client } from "../../src/s3/client.js";
import { SdkS3Port } from "../../src/s3/s3-port.js";
import { bodyOf, denied, mockStore } from "../support/sdk-store.js";

const s3 = mockClient(S3Client);
const BUCKET = "kubeflow-pipelines";
const RUN_ID = "20261124T120000Z-0123456789ab";

const TEAM1_OWN = ["artifacts/team-1/", "v2/artifacts/team-1/"];

/** A store that behaves where `mayTouch(key)` allows (the default: everywhere). */
function storeThatWorks(mayTouch: (key: string) => boolean = () => true): Map<string, Uint8Array> {
  return mockStore(s3, () => (_action, key) => mayTouch(key));
}

/** The reference profile policy for team-1: object rights under its own two prefixes only. */
const team1Policy = (key: string) => TEAM1_OWN.some((prefix) => key.startsWith(prefix));

function identity(role: Role = { kind: "profile", profile: "team-1" }) {
  const client = createS3Client(
    { endpoint: "http://127.0.0.1:9", region: "us-east-1", forcePathStyle: true, requestTimeoutMs: 1000, maxAttempts: 1 },
    { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "unit-test-secret" },
  );
  return { name: role.kind === "profile" ? role.profile : role.kind, role, port: new SdkS3Port(client, BUCKET) };
}

function options(overrides: Partial<ProbeOptions> = {}): ProbeOptions {
  return {
    bucket: BUCKET,
    layout: LAYOUTS.deploykf,
    runId: RUN_ID,
    readOnly: false,
    strict: false,
    concurrency: 4,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 2000,
    ...overrides,
  };
}

function keysOf(command: typeof PutObjectCommand | typeof DeleteObjectCommand | typeof HeadObjectCommand | typeof GetObjectCommand): string[] {
  return s3.commandCalls(command).map((call) => call.args[0].input.Key as string);
}

function verdictOf(run: Awaited<ReturnType<typeof runProbe>>, prefix: string | null, operation: string) {
  const result = run.results.find((r) => (r.target?.prefix ?? null) === prefix && r.operation === operation);
  if (!result) throw new Error(`no result for ${operation} ${prefix}`);
  return result;
}

beforeEach(() => s3.reset());
afterEach(() => s3.reset());

describe("engine against a store that behaves", () => {
  it("backend: every check ok; canaries are written with If-None-Match under the run's namespace and removed", async () => {
    const objects = storeThatWorks();
    const run = await runProbe([identity({ kind: "backend" })], options());
    expect(run.results.every((r) => r.verdict === "ok")).toBe(true);
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual(
      expect.arrayContaining([
        `pipelines/.kfp-s3-probe/${RUN_ID}/backend`,
        `artifacts/.kfp-s3-probe/${RUN_ID}/backend`,
        `v2/artifacts/.kfp-s3-probe/${RUN_ID}/backend`,
      ]),
    );
    expect(puts.every((p) => p.IfNoneMatch === "*")).toBe(true);
    expect(keysOf(DeleteObjectCommand).every((key) => key.includes(`.kfp-s3-probe/${RUN_ID}/`))).toBe(true);
    expect(objects.size).toBe(0);
    expect(run.cleanup.leftovers).toEqual([]);
    expect(run.cleanup.removed).toBe(run.cleanup.created);
  });

  it("read-only sends no PutObject and no DeleteObject, and reads an object KFP stored (first byte only)", async () => {
    storeThatWorks();
    s3.on(ListObjectsV2Command, { Prefix: "artifacts/team-1/" }).resolves({
      $metadata: { httpStatusCode: 200 },
      Contents: [{ Key: "artifacts/team-1/.kfp-s3-probe/old/x" }, { Key: "artifacts/team-1/run-1/main.log" }],
    });
    const run = await runProbe([identity()], options({ readOnly: true }));
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(keysOf(HeadObjectCommand)).toEqual(["artifacts/team-1/run-1/main.log"]);
    const get = s3.commandCalls(GetObjectCommand)[0]?.args[0].input;
    expect(get).toMatchObject({ Key: "artifacts/team-1/run-1/main.log", Range: "bytes=0-0" });
    expect(verdictOf(run, "artifacts/team-1/", "get").verdict).toBe("ok");
    expect(verdictOf(run, "artifacts/team-1/", "put").verdict).toBe("not-run");
    // Nothing to read under v2/artifacts/team-1/ and nothing written: undecided, not guessed.
    expect(verdictOf(run, "v2/artifacts/team-1/", "get").verdict).toBe("ambiguous");
    expect(run.cleanup.created).toBe(0);
  });
});

describe("reads are decided on objects that exist", () => {
  it("with PutObject denied and an empty prefix, no read is sent and the read cells are undecided", async () => {
    storeThatWorks(() => false);
    const run = await runProbe([identity()], options());
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    // Only the two missing keys that ask how the store answers one: no read of a cell's key.
    expect(s3.commandCalls(GetObjectCommand).every((c) => c.args[0].input.Key?.endsWith("/missing-key"))).toBe(true);
    const head = verdictOf(run, "pipelines/", "head");
    expect(head.verdict).toBe("ambiguous");
    expect(head.observation.reason).toBe("no backend in this run to plant an object to read");
    expect(verdictOf(run, "artifacts/team-1/", "put").verdict).toBe("missing");
    expect(run.cleanup).toEqual({ created: 0, removed: 0, leftovers: [] });
  });

  it("a foreign read that succeeds on an existing object is a LEAK", async () => {
    storeThatWorks();
    s3.on(ListObjectsV2Command, { Prefix: "pipelines/" }).resolves({
      $metadata: { httpStatusCode: 200 },
      Contents: [{ Key: "pipelines/hello/pipeline.yaml" }],
    });
    s3.on(PutObjectCommand, { Key: `pipelines/.kfp-s3-probe/${RUN_ID}/team-1` }).rejects(denied());
    s3.on(GetObjectCommand, { Key: "pipelines/hello/pipeline.yaml" }).resolves({
      $metadata: { httpStatusCode: 206 },
      Body: bodyOf(new Uint8Array([35])),
    });
    const run = await runProbe([identity()], options());
    expect(verdictOf(run, "pipelines/", "get").verdict).toBe("leak");
    expect(resultHint(verdictOf(run, "pipelines/", "get"), { bucket: BUCKET, tls: false })).toContain("s3:GetObject");
    expect(verdictOf(run, "pipelines/", "put").verdict).toBe("ok");
  });

  it("bytes read back that differ from those written are an error", async () => {
    storeThatWorks();
    s3.on(GetObjectCommand).resolves({ $metadata: { httpStatusCode: 200 }, Body: bodyOf(new Uint8Array([1, 2, 3])) });
    const run = await runProbe([identity()], options());
    const get = verdictOf(run, "artifacts/team-1/", "get");
    expect(get.verdict).toBe("error");
    expect(get.observation.reason).toMatch(/other bytes/);
  });
});

describe("safety: nothing lost, nothing left", () => {
  it("a 412 on a run-scoped key is a retry whose first attempt wrote it: the key is ours, and removed", async () => {
    const objects = storeThatWorks();
    const taken = `artifacts/team-1/.kfp-s3-probe/${RUN_ID}/team-1`;
    // As a retried conditional PUT sees it: the first attempt stored the key, its answer was lost.
    s3.on(PutObjectCommand, { Key: taken }).callsFake(() => {
      objects.set(taken, new Uint8Array([1]));
      throw denied("PreconditionFailed", 412);
    });
    const run = await runProbe([identity()], options());
    expect(verdictOf(run, "artifacts/team-1/", "put").observation).toMatchObject({
      outcome: "allowed",
      reason: expect.stringMatching(/earlier attempt/),
    });
    expect(keysOf(DeleteObjectCommand)).toContain(taken);
    expect(objects.has(taken)).toBe(false);
    expect(run.cleanup.leftovers).toEqual([]);
  });

  it("an exception in the middle of the run still removes every canary written", async () => {
    const objects = storeThatWorks();
    let checksDone = 0;
    const failing = options({
      onCheckDone: () => {
        checksDone += 1;
        if (objects.size > 0 && checksDone > 6) throw new Error("reporter crashed");
      },
    });
    await expect(runProbe([identity({ kind: "backend" })], failing)).rejects.toThrow("reporter crashed");
    expect(s3.commandCalls(PutObjectCommand).length).toBeGreaterThan(0);
    expect(objects.size).toBe(0);
  });

  it("an abort mid-run stops the checks, then removes what was created", async () => {
    const objects = storeThatWorks();
    const checks = new AbortController();
    // Like the SDK: a pending request rejects with AbortError when its signal fires.
    // Once the run is cut, the store answers again: cleanup looks up the writes the abort cut off.
    s3.on(HeadObjectCommand).callsFake(() =>
      checks.signal.aborted
        ? { $metadata: { httpStatusCode: 200 } }
        : new Promise((_, reject) => {
            checks.signal.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" })));
            if (objects.size >= 3) checks.abort();
          }),
    );
    const run = await runProbe([identity({ kind: "backend" })], options({ signal: checks.signal }));
    expect(checks.signal.aborted).toBe(true);
    expect(run.results.some((r) => r.observation.errorKind === "aborted")).toBe(true);
    expect(objects.size).toBe(0);
    expect(run.cleanup.leftovers).toEqual([]);
    expect(run.cleanup.created).toBeGreaterThanOrEqual(3);
  });

  it("an upload cut short where AbortMultipartUpload is denied is finished with one byte and deleted", async () => {
    const objects = storeThatWorks(team1Policy);
    const checks = new AbortController();
    const open = new Set<string>();
    s3.on(CreateMultipartUploadCommand).callsFake((input: { Key?: string }) => {
      if (!team1Policy(input.Key ?? "")) throw denied();
      open.add(`upload-${input.Key}`);
      return { $metadata: { httpStatusCode: 200 }, UploadId: `upload-${input.Key}` };
    });
    // The run is interrupted during the part; the cleanup's one-byte part goes through.
    s3.on(UploadPartCommand).callsFake((input: { Body?: Uint8Array }) => {
      if ((input.Body?.length ?? 0) > 1) {
        checks.abort();
        throw Object.assign(new Error("aborted"), { name: "AbortError" });
      }
      return { $metadata: { httpStatusCode: 200 }, ETag: '"tiny"' };
    });
    s3.on(CompleteMultipartUploadCommand).callsFake((input: { Key?: string; UploadId?: string }) => {
      open.delete(input.UploadId ?? "");
      objects.set(input.Key ?? "", new Uint8Array(1));
      return { $metadata: { httpStatusCode: 200 } };
    });
    s3.on(AbortMultipartUploadCommand).rejects(denied());
    const run = await runProbe([identity()], options({ signal: checks.signal }));
    expect(open.size).toBe(0);
    expect(objects.size).toBe(0);
    expect(run.cleanup.leftovers).toEqual([]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand).length).toBeGreaterThan(0);
  });

  it("a DeleteObject that fails during the run is retried in cleanup", async () => {
    const objects = storeThatWorks();
    s3.on(DeleteObjectCommand)
      .rejectsOnce(denied("InternalError", 500))
      .callsFake((input: { Key: string }) => {
        objects.delete(input.Key);
        return { $metadata: { httpStatusCode: 204 } };
      });
    const run = await runProbe([identity({ kind: "profile", profile: "team-1" })], options({ concurrency: 1 }));
    expect(objects.size).toBe(0);
    expect(run.cleanup.leftovers).toEqual([]);
  });

  it("a canary that cannot be deleted is reported with its full key", async () => {
    const objects = storeThatWorks(team1Policy);
    s3.on(DeleteObjectCommand).rejects(denied());
    const run = await runProbe([identity()], options());
    // Canary, CRC32 canary and multipart object under each own prefix, and the first write: all still there, all listed.
    expect(objects.size).toBe(7);
    expect(run.cleanup.leftovers).toHaveLength(7);
    expect(run.cleanup.leftovers.map((l) => l.key).sort()).toEqual([...objects.keys()].sort());
    expect(run.cleanup.leftovers.map((l) => l.key)).toContain(`artifacts/team-1/.kfp-s3-probe/${RUN_ID}/team-1`);
    expect(run.cleanup.leftovers.every((l) => /DeleteObject denied to team-1/.test(l.reason))).toBe(true);
  });

  /** A versioned bucket under team-1's policy: puts return a version, plain deletes leave a marker. */
  function versionedStore(mayDeleteCanaryVersion: boolean): void {
    storeThatWorks(team1Policy);
    const deniedOutsideOwn = (key: string | undefined) => {
      if (!team1Policy(key ?? "")) throw denied();
    };
    s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      deniedOutsideOwn(input.Key);
      return { $metadata: { httpStatusCode: 200 }, VersionId: "v-canary" };
    });
    s3.on(GetObjectCommand).callsFake((input: { Key?: string }) => {
      deniedOutsideOwn(input.Key);
      return { $metadata: { httpStatusCode: 200 }, Body: bodyOf(new Uint8Array()) };
    });
    s3.on(DeleteObjectCommand).callsFake((input: { Key?: string; VersionId?: string }) => {
      deniedOutsideOwn(input.Key);
      if (input.VersionId === "v-canary" && !mayDeleteCanaryVersion) throw denied();
      if (input.VersionId) return { $metadata: { httpStatusCode: 204 } };
      return { $metadata: { httpStatusCode: 204 }, DeleteMarker: true, VersionId: "v-marker" };
    });
  }

  it("on a versioned bucket, the canary's version and the delete marker are removed by version id", async () => {
    versionedStore(true);
    const run = await runProbe([identity({ kind: "profile", profile: "team-1" })], options({ multipart: false }));
    const puts = s3.commandCalls(PutObjectCommand).filter((c) => team1Policy(c.args[0].input.Key ?? "")).length;
    const versions = s3
      .commandCalls(DeleteObjectCommand)
      .map((c) => c.args[0].input.VersionId)
      .filter(Boolean);
    expect(puts).toBe(5); // the first write, and the canary and CRC32 canary under each own prefix
    expect(versions.filter((v) => v === "v-canary")).toHaveLength(puts);
    expect(versions.filter((v) => v === "v-marker")).toHaveLength(2);
    expect(run.cleanup.leftovers).toEqual([]);
  });

  it("a version the identity may not delete is reported with its version id", async () => {
    versionedStore(false);
    const run = await runProbe([identity()], options({ multipart: false }));
    // The first write and the canary and CRC32 canary under each own prefix: each version, with why and the grant it lacks.
    expect(run.cleanup.leftovers.map((l) => l.versionId)).toEqual(["v-canary", "v-canary", "v-canary", "v-canary", "v-canary"]);
    for (const leftover of run.cleanup.leftovers) {
      expect(leftover).toMatchObject({ cause: "delete-version-denied", remedy: { actions: ["s3:DeleteObjectVersion"] } });
    }
  });
});

describe("a wrong key, endpoint or bucket stops the identity after one request", () => {
  it.each([
    ["SignatureDoesNotMatch", 403, "signature"],
    ["InvalidAccessKeyId", 403, "unknown-key"],
    ["NoSuchBucket", 404, "no-such-bucket"],
    ["ExpiredToken", 400, "expired-token"],
    ["RequestTimeTooSkewed", 403, "clock-skew"],
  ])("%s", async (name, status, kind) => {
    storeThatWorks();
    s3.on(ListObjectsV2Command).rejects(denied(name, status));
    const run = await runProbe([identity()], options());
    expect(s3.calls()).toHaveLength(1);
    expect(verdictOf(run, null, "list-bucket").observation.errorKind).toBe(kind);
    expect(run.results.filter((r) => r.verdict === "not-run")).toHaveLength(run.results.length - 1);
  });
});
