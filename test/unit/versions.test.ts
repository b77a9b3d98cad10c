// Versioned buckets on the in-memory store (issue 22): what the run learns of the bucket before it
// writes more than one object, the versions and delete markers it leaves (exactly what the store
// holds, each with its cause), what a lost answer leaves where versions can be listed, sweep, and
// the findings about KFP on the bucket: versions kept, default retention, KMS, a bucket-policy Deny.
import { describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import { type ProbeIdentity, type ProbeRun, runProbe } from "../../src/probe/engine.js";
import type { S3Port } from "../../src/probe/port.js";
import { sweep } from "../../src/probe/sweep.js";
import { buildReport } from "../../src/report/model.js";
import { renderText } from "../../src/report/text.js";
import { type MemoryBucket, MemoryStore, type StoreAction, within, withVersions } from "../../testkit/memory-store.js";
import { reportContext } from "../support/report-context.js";

const RUN_ID = "20261124T000000Z-000000000000";
const BACKEND = ["pipelines/", "artifacts/", "v2/artifacts/"];
const TEAM_1 = ["artifacts/team-1/", "v2/artifacts/team-1/"];
const VERSIONED: MemoryBucket = { versioning: "enabled" };
const isProbe = (key: string) => key.includes(".kfp-s3-probe/");

type Rights = (prefixes: string[]) => (action: StoreAction, key: string) => boolean;
const reference: Rights = within;
const withDeleteVersion: Rights = (prefixes) => withVersions(within(prefixes));

function identities(store: MemoryStore, rights: Rights, wrap: (port: S3Port) => S3Port = (p) => p): ProbeIdentity[] {
  return [
    { name: "backend", role: { kind: "backend" }, port: wrap(store.portFor(rights(BACKEND))) },
    { name: "team-1", role: { kind: "profile", profile: "team-1" }, port: wrap(store.portFor(rights(TEAM_1))) },
  ];
}

function probe(people: ProbeIdentity[], extra: { onBucketKnown?: () => void; tls?: boolean } = {}): Promise<ProbeRun> {
  return runProbe(people, {
    bucket: "kfp",
    layout: LAYOUTS.deploykf,
    runId: RUN_ID,
    readOnly: false,
    strict: false,
    discover: false,
    concurrency: 8,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 1000,
    ...extra,
  });
}

/** "key versionId" of every probe version and marker the store holds. */
function probeVersions(store: MemoryStore): string[] {
  return store
    .listVersions("")
    .filter((v) => isProbe(v.key))
    .map((v) => `${v.key} ${v.versionId}`)
    .sort();
}

const reported = (run: ProbeRun) => run.cleanup.leftovers.map((l) => `${l.key} ${l.versionId}`).sort();

function report(run: ProbeRun) {
  return buildReport(run, reportContext({ run: { runId: RUN_ID }, identities: [] }));
}

describe("a versioned bucket under the reference policies (no s3:DeleteObjectVersion)", () => {
  it("leaves exactly what it reports, each version and marker with its cause and remedy; no probe object current", async () => {
    const store = new MemoryStore("rgw", VERSIONED);
    const run = await probe(identities(store, reference));
    expect(probeVersions(store).length).toBeGreaterThan(20);
    expect(reported(run)).toEqual(probeVersions(store));
    expect([...store.objects.keys()].filter(isProbe)).toEqual([]);
    for (const leftover of run.cleanup.leftovers) {
      expect(leftover).toMatchObject({
        cause: "delete-version-denied",
        remedy: { where: "identity-policy", change: "grant", actions: ["s3:DeleteObjectVersion"], resource: "arn:aws:s3:::kfp/*.kfp-s3-probe/*" },
      });
    }
    expect(run.cleanup.leftovers.some((l) => l.deleteMarker)).toBe(true);
    // Nobody may list versions here: the leftovers are the ledger's word.
    expect(run.cleanup.versions).toBe("unverified");
  });

  it("knows it from the first write, says so before the checks write more, and finds KFP's versions kept", async () => {
    const store = new MemoryStore("aws", VERSIONED);
    let writesWhenTold = -1;
    const run = await probe(identities(store, reference), { onBucketKnown: () => (writesWhenTold = store.listVersions("").length) });
    expect(writesWhenTold).toBe(1);
    expect(run.bucket).toMatchObject({
      versioning: { status: "read", value: "enabled", source: "the run's first write had a version id" },
      objectLock: { status: "unread", problem: "GetObjectLockConfiguration: 403 AccessDenied for backend" },
      versionsRemovable: false,
    });
    const built = report(run);
    expect(built.bucket?.findings.map((f) => f.cause)).toEqual(["versions-kept"]);
    const text = renderText(built, false);
    expect(text).toMatch(/bucket settings not read: object lock \(GetObjectLockConfiguration: 403 AccessDenied for backend\)/);
    expect(text).toMatch(/versions: the run cannot remove what it writes/);
    expect(text).toMatch(/\(delete marker m\d+\) {2}backend: /);
    // On AWS every plain delete adds a marker: still exactly what the store holds.
    expect(reported(run)).toEqual(probeVersions(store));
  });
});

describe("a versioned bucket where the run may remove versions", () => {
  it("removes every version and marker it made, verified by ListObjectVersions", async () => {
    const store = new MemoryStore("aws", {
      ...VERSIONED,
      lifecycle: { rules: [{ noncurrentExpiration: true, abortIncompleteUploads: false, expiration: false }] },
    });
    const run = await probe(identities(store, withDeleteVersion));
    expect(run.cleanup.leftovers).toEqual([]);
    expect(probeVersions(store)).toEqual([]);
    expect(run.cleanup.versions).toBe("verified");
    expect(run.bucket).toMatchObject({
      versioning: { status: "read", value: "enabled", source: "GetBucketVersioning by backend" },
      versionsRemovable: true,
    });
    expect(report(run).bucket?.findings).toEqual([]);
  });

  it("a write whose answer was lost: its version is found by ListObjectVersions and removed", async () => {
    const store = new MemoryStore("aws", VERSIONED);
    const lose = (port: S3Port): S3Port => ({
      ...port,
      putObjectIfAbsent: async (key, body, signal, options) => {
        const answer = await port.putObjectIfAbsent(key, body, signal, options);
        return key.endsWith("/team-1-crc32") ? { systemCode: "ECONNRESET" } : answer;
      },
      deleteObject: async (key, versionId, signal) => {
        const answer = await port.deleteObject(key, versionId, signal);
        // The delete check's marker, its answer lost.
        return key.endsWith("/seed") && !versionId ? { systemCode: "ECONNRESET" } : answer;
      },
    });
    const run = await probe(identities(store, withDeleteVersion, lose));
    expect(run.cleanup.leftovers).toEqual([]);
    expect(probeVersions(store)).toEqual([]);
  });
});

/** A PUT to a key ending so, acted twice: the SDK's second attempt answered, the first's answer was lost. */
const sentTwice =
  (ending: string) =>
  (port: S3Port): S3Port => ({
    ...port,
    putObjectIfAbsent: async (key, body, signal, options) => {
      if (!key.endsWith(ending)) return port.putObjectIfAbsent(key, body, signal, options);
      await port.putObjectIfAbsent(key, body, signal, options);
      return { ...(await port.putObjectIfAbsent(key, body, signal, options)), attempts: 2 };
    },
  });

/**
 * Lost answers: the crc32 canaries' PUTs sent twice (two versions, one heard of, as on RGW, which
 * takes a retried If-None-Match PUT on a versioned bucket), and any DeleteObject of a seed reset
 * once the store acted (its marker never heard of).
 */
function losingAnswers(port: S3Port): S3Port {
  const twice = sentTwice("-crc32")(port);
  return {
    ...twice,
    deleteObject: async (key, versionId, signal) => {
      const answer = await port.deleteObject(key, versionId, signal);
      return key.endsWith("/seed") && !versionId ? { systemCode: "ECONNRESET" } : answer;
    },
  };
}

describe("a versioned bucket whose versions no identity may list (s3:ListBucketVersions)", () => {
  const unseenKeys = (run: ProbeRun) => (run.cleanup.unverifiedVersions ?? []).map((u) => u.key);

  it("names each key where a write with no answer may have left a version or marker it never heard of; what it names left is there", async () => {
    const store = new MemoryStore("rgw", VERSIONED);
    const run = await probe(identities(store, reference, losingAnswers));
    const held = probeVersions(store);
    const named = reported(run);
    for (const leftover of named) expect(held).toContain(leftover);
    const unheard = held.filter((v) => !named.includes(v));
    expect(unheard.length).toBeGreaterThan(0);
    for (const version of unheard) expect(unseenKeys(run), version).toContain(version.split(" ")[0]);
    expect(run.cleanup.versions).toBe("unverified");
    expect(run.cleanup.unverifiedVersions?.find((u) => u.key.endsWith("/team-1-crc32"))?.reason).toBe(
      "PutObject by team-1 was sent 2 times (an earlier attempt's answer was lost)",
    );
    const text = renderText(report(run), false);
    expect(text).toMatch(/Versions or delete markers that may be left at \d+ key\(s\)/);
  });

  it("a write the SDK sent twice: its key is named, and the run does not say all removed (exit 5)", async () => {
    const store = new MemoryStore("aws", VERSIONED);
    const deleteButNotList: Rights = (prefixes) => (action, key) => action === "s3:DeleteObjectVersion" || within(prefixes)(action, key);
    const run = await probe(identities(store, deleteButNotList, sentTwice("/team-1")));
    expect(run.cleanup.leftovers).toEqual([]);
    expect(probeVersions(store).length).toBeGreaterThan(0);
    // Its own prefixes' canaries only: a retried write the policy refused made nothing.
    const unseen = run.cleanup.unverifiedVersions ?? [];
    expect(unseen.map((u) => u.key.split(".kfp-s3-probe/")[0]).sort()).toEqual(["artifacts/team-1/", "v2/artifacts/team-1/"]);
    for (const u of unseen)
      expect(u).toEqual({
        key: expect.stringMatching(/\/team-1$/),
        reason: "PutObject by team-1 was sent 2 times (an earlier attempt's answer was lost)",
      });
    expect(report(run).exitCode).toBe(5);
  });
});

describe("object lock with a default retention", () => {
  it("says so, and reports exactly the versions it could not remove, by object lock", async () => {
    const store = new MemoryStore("rgw", { ...VERSIONED, objectLock: { enabled: true, defaultRetention: { mode: "GOVERNANCE", days: 1 } } });
    const run = await probe(identities(store, withDeleteVersion));
    expect(reported(run)).toEqual(probeVersions(store));
    const versions = run.cleanup.leftovers.filter((l) => !l.deleteMarker);
    expect(versions.length).toBeGreaterThan(10);
    for (const leftover of versions) expect(leftover.cause).toBe("object-lock-retention");
    expect([...store.objects.keys()].filter(isProbe)).toEqual([]);
    expect(report(run).bucket?.findings.map((f) => [f.cause, f.remedy.value])).toEqual([
      ["versions-kept", undefined],
      ["default-retention", "GOVERNANCE, 1 days"],
    ]);
  });
});

/**
 * S3's suspended versioning over the unversioned memory store: an object is its "null" version, a
 * plain delete replaces it with a "null" delete marker, and only DeleteObject VersionId=null (with
 * s3:DeleteObjectVersion) removes that marker.
 */
function suspended(store: MemoryStore, markers: Set<string>, port: S3Port, mayDeleteVersions: boolean): S3Port {
  const deleteObject: S3Port["deleteObject"] = async (key, versionId, signal) => {
    if (versionId !== undefined) {
      if (!mayDeleteVersions) return { status: 403, errorName: "AccessDenied" };
      return markers.delete(key) ? { status: 204, deleteMarker: true } : port.deleteObject(key, undefined, signal);
    }
    const answer = await port.deleteObject(key, undefined, signal);
    if (answer.status !== 204) return answer;
    markers.add(key);
    return { status: 204, deleteMarker: true };
  };
  const listed = (prefix: string) => [
    ...[...store.objects.keys()].filter((k) => k.startsWith(prefix)).map((key) => ({ key, versionId: "null", deleteMarker: false, isLatest: true })),
    ...[...markers].filter((k) => k.startsWith(prefix)).map((key) => ({ key, versionId: "null", deleteMarker: true, isLatest: true })),
  ];
  const overrides: Partial<S3Port> = {
    getBucketVersioning: async () => ({ status: 200, setting: "suspended" }),
    putObjectIfAbsent: async (key, body, signal, options) => {
      const answer = await port.putObjectIfAbsent(key, body, signal, options);
      if (answer.status === 200) markers.delete(key);
      return answer;
    },
    deleteObject,
    listObjectVersions: async (prefix) => ({ status: 200, versions: listed(prefix) }),
  };
  return { ...port, ...overrides };
}

describe("a bucket whose versioning is suspended", () => {
  it.each([true, false])(
    'the "null" delete markers the run\'s deletes leave: removed by their id, or each reported (may delete versions: %s)',
    async (mayDeleteVersions) => {
      const store = new MemoryStore("aws");
      const markers = new Set<string>();
      const people: ProbeIdentity[] = [
        { name: "backend", role: { kind: "backend" }, port: suspended(store, markers, store.portFor(within(BACKEND)), mayDeleteVersions) },
        {
          name: "team-1",
          role: { kind: "profile", profile: "team-1" },
          port: suspended(store, markers, store.portFor(within(TEAM_1)), mayDeleteVersions),
        },
      ];
      const run = await probe(people);
      expect(run.bucket?.versioning).toMatchObject({ status: "read", value: "suspended" });
      expect([...store.objects.keys()].filter(isProbe)).toEqual([]);
      const left = run.cleanup.leftovers.filter((l) => l.deleteMarker).map((l) => `${l.key} ${l.versionId}`);
      expect(left.sort()).toEqual([...markers].map((key) => `${key} null`).sort());
      expect(markers.size > 0).toBe(!mayDeleteVersions);
    },
  );
});

describe("sweep on a versioned bucket", () => {
  it("lists versions and markers of a killed run and removes them", async () => {
    const store = new MemoryStore("aws", VERSIONED);
    const port = store.portFor(withDeleteVersion(BACKEND));
    const key = `artifacts/team-1/.kfp-s3-probe/20200101T000000Z-aaaaaaaaaaaa/team-1`;
    const signal = new AbortController().signal;
    await port.putObjectIfAbsent(key, new Uint8Array(1), signal);
    await port.deleteObject(key, undefined, signal);
    await port.putObjectIfAbsent(key, new Uint8Array(1), signal);
    expect(probeVersions(store)).toHaveLength(3);
    const options = { layout: LAYOUTS.deploykf, startedBefore: new Date(), signal, requestTimeoutMs: 1000 };
    const listed = await sweep([{ identity: "backend", port }], { ...options, delete: false });
    expect(listed.runs[0]?.versions.map((v) => v.deleteMarker).sort()).toEqual([false, false, true]);
    const swept = await sweep([{ identity: "backend", port }], { ...options, delete: true });
    expect(swept.runs[0]?.notRemoved).toEqual([]);
    expect(probeVersions(store)).toEqual([]);
  });

  it("keys that may not list versions (the reference policies): each key removed is reported not removed, its version kept behind a marker", async () => {
    const store = new MemoryStore("aws", VERSIONED);
    const port = store.portFor(within(BACKEND));
    const key = `artifacts/team-1/.kfp-s3-probe/20200101T000000Z-aaaaaaaaaaaa/team-1`;
    const signal = new AbortController().signal;
    await port.putObjectIfAbsent(key, new Uint8Array(1), signal);
    const options = { layout: LAYOUTS.deploykf, startedBefore: new Date(), signal, requestTimeoutMs: 1000, delete: true };
    const swept = await sweep([{ identity: "backend", port }], options);
    expect(swept.versionsNotListed).toBeGreaterThan(0);
    expect(swept.versioning).toBe("markers-left");
    expect(swept.runs[0]?.notRemoved).toEqual([{ key, reason: expect.stringMatching(/delete marker hides it.*s3:DeleteObjectVersion/) }]);
    expect(probeVersions(store)).toHaveLength(2);
    // On a bucket that never kept versions, the same sweep removes it whole and says so.
    const plain = new MemoryStore("aws");
    const plainPort = plain.portFor(within(BACKEND));
    await plainPort.putObjectIfAbsent(key, new Uint8Array(1), signal);
    const clean = await sweep([{ identity: "backend", port: plainPort }], options);
    expect([clean.versioning, clean.runs[0]?.notRemoved]).toEqual(["unread", []]);
    expect(plain.objects.size).toBe(0);
  });
});

describe("findings about KFP on the bucket's settings", () => {
  it("SSE-KMS by default, and a write KMS refused", async () => {
    const store = new MemoryStore("aws", { encryption: { algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" } });
    const kmsRefuses = (port: S3Port): S3Port => ({
      ...port,
      putObjectIfAbsent: async (key, body, signal, options) =>
        key.startsWith("v2/artifacts/team-1/")
          ? { status: 403, errorName: "AccessDenied", refusedBy: "kms" }
          : port.putObjectIfAbsent(key, body, signal, options),
    });
    const run = await probe(identities(store, withDeleteVersion, kmsRefuses));
    expect(report(run).bucket?.findings).toEqual([
      expect.objectContaining({
        cause: "kms-encryption",
        remedy: expect.objectContaining({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resource: "arn:aws:kms:eu-west-1:1:key/k" }),
      }),
    ]);
    const put = run.results.find((r) => r.identity === "team-1" && r.operation === "put" && r.target?.prefix === "v2/artifacts/team-1/");
    expect(put).toMatchObject({ verdict: "missing", cause: "kms-denied", remedy: { actions: ["kms:GenerateDataKey", "kms:Decrypt"] } });
  });

  it("a put denied by a bucket-policy Deny on aws:SecureTransport over http:// names the condition", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::kfp/*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ],
    });
    const store = new MemoryStore("aws", { policy });
    const deniesPut: Rights = (prefixes) => (action, key) => action !== "s3:PutObject" && withDeleteVersion(prefixes)(action, key);
    const people = identities(store, withDeleteVersion);
    people[1] = { ...(people[1] as ProbeIdentity), port: store.portFor(deniesPut(TEAM_1)) };
    const run = await probe(people);
    const put = run.results.find((r) => r.identity === "team-1" && r.operation === "put" && r.target?.prefix === "artifacts/team-1/");
    expect(put).toMatchObject({
      verdict: "missing",
      cause: "bucket-policy-condition",
      remedy: { where: "bucket-policy", condition: { operator: "Bool", key: "aws:SecureTransport", values: ["false"] } },
    });
    expect(report(run).checks.find((c) => c.cause === "bucket-policy-condition")?.hint).toMatch(/use https:\/\//);
    // Over https the same Deny does not apply: it is no cause.
    const overTls = await probe(people, { tls: true });
    expect(overTls.results.find((r) => r.identity === "team-1" && r.operation === "put" && r.target?.prefix === "artifacts/team-1/")?.cause).toBe(
      "missing-action",
    );
  });
});
