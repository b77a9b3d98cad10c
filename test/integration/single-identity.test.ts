// The CLI as a user runs it, against the real Ceph RGW with real per-user IAM policies.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  bucketKeys,
  type CliResult,
  cell,
  crossProfileCells,
  expectNoSecretIn,
  findings,
  incompleteUploads,
  ownChecks,
  parseReport,
  probeArgs,
  removeAsAdmin,
  runCli,
  secretsDirOf,
  seeded,
  settings,
  spawnCli,
  startHoldingProxy,
  storeArgs,
} from "./local-s3.js";

const PROFILE_OWN_PREFIXES = (p: string) => [`artifacts/${p}/`, `v2/artifacts/${p}/`];
const OBJECT_OPERATIONS = ["list", "put", "head", "get", "delete"];
const outputs: CliResult[] = [];

async function probe(identity: string, role: string[], extra: string[] = []): Promise<CliResult> {
  const result = await runCli(probeArgs(identity, role, extra));
  outputs.push(result);
  return result;
}

afterEach(async () => {
  // Whatever a test did, the bucket holds exactly what KFP had before it, and no upload is left open.
  expect(await bucketKeys()).toEqual(seeded);
  expect(await incompleteUploads()).toEqual([]);
});

describe("reference policies", () => {
  it("the backend may do everything it needs: exit 0, every cell ok", async () => {
    const result = await probe("backend", ["--backend"], ["--output", "json"]);
    expect(result.code).toBe(0);
    const report = parseReport(result);
    // The reference backend policy has no s3:AbortMultipartUpload: a warning, not a failure.
    expect(findings(report)).toEqual(["degraded abort-multipart artifacts/", "degraded abort-multipart v2/artifacts/"]);
    expect(ownChecks(report)).toHaveLength(3 + 5 + 2 * 8);
    expect(
      ownChecks(report)
        .filter((c) => c.operation !== "abort-multipart")
        .every((c) => c.observed === "allowed"),
    ).toBe(true);
    expect(cell(report, null, "get-bucket-location").detail).toBe("location default");
    expect(cell(report, null, "head-bucket").detail).toMatch(/^store clock [+-]\d+ s$/);
    expect(report.cleanup.leftovers).toEqual([]);
    expect(report.cleanup.removed).toBe(report.cleanup.created);
    expect(report.identities[0]).toMatchObject({ name: "backend", role: "backend", credentialSource: `secret directory ${secretsDirOf("backend")}` });
  });

  it.each(["team-1", "team-2", "team-10"])("profile %s: own prefixes allowed, pipelines/ denied, exit 0", async (profile) => {
    const result = await probe(profile, ["--profile", profile], ["--output", "json"]);
    expect(result.code).toBe(0);
    const report = parseReport(result);
    for (const prefix of PROFILE_OWN_PREFIXES(profile)) {
      for (const operation of OBJECT_OPERATIONS) {
        expect(cell(report, prefix, operation)).toMatchObject({ expected: "required", observed: "allowed", verdict: "ok" });
      }
    }
    for (const operation of ["put", "head", "get", "delete"]) {
      // Reads of pipelines/ are decided on the pipeline KFP stored there, not on a missing key.
      expect(cell(report, "pipelines/", operation)).toMatchObject({ expected: "forbidden", observed: "denied", verdict: "ok" });
    }
    expect(cell(report, "pipelines/", "get").evidence[0]).toMatchObject({ key: "pipelines/hello-world/pipeline.yaml", status: 403 });
    // KFP's uploads: a CRC32-checksummed PutObject and a multipart upload work.
    for (const prefix of PROFILE_OWN_PREFIXES(profile)) {
      expect(cell(report, prefix, "put-checksum")).toMatchObject({ observed: "allowed", verdict: "ok" });
      expect(cell(report, prefix, "multipart")).toMatchObject({ observed: "allowed", verdict: "ok", detail: "one part of 64 KiB" });
      expect(cell(report, prefix, "multipart").evidence.map((e) => e.request)).toEqual([
        "CreateMultipartUpload",
        "UploadPart (64 KiB)",
        "CompleteMultipartUpload",
        "DeleteObject",
      ]);
    }
    // The reference policy grants ListBucket bucket-wide (key names visible) and no
    // AbortMultipartUpload (failed uploads leave parts): warnings, not failures.
    expect(findings(report)).toEqual([
      `degraded abort-multipart artifacts/${profile}/`,
      `degraded abort-multipart v2/artifacts/${profile}/`,
      "exposed list pipelines/",
      "exposed list-bucket (bucket)",
    ]);
    expect(cell(report, `artifacts/${profile}/`, "abort-multipart").evidence).toEqual([
      expect.objectContaining({ request: "AbortMultipartUpload (no such upload)", status: 403 }),
    ]);
    expect(cell(report, null, "list-bucket").hint).toMatch(/s3:prefix/);
    // Alone in a run, it is still tried against other profiles' prefixes: no write or delete gets through.
    expect(crossProfileCells(report, "leak")).toEqual([]);
    expect(crossProfileCells(report, "error")).toEqual([]);
    // A near-miss name that is a profile in the bucket (team-10 for team-1) is found and tried as that profile's prefix.
    const nearMissIsAProfile = seeded.some((key) => key.startsWith(`artifacts/${profile}0/`));
    expect(cell(report, `v2/artifacts/${profile}0/`, "put")).toMatchObject({
      relation: nearMissIsAProfile ? "foreign" : "near-miss",
      observed: "denied",
      verdict: "ok",
    });
    expect(cell(report, `artifacts/${profile}`, "delete")).toMatchObject({ relation: "near-miss", observed: "denied", verdict: "ok" });
  });

  it("--strict turns the reference policy's listable key names into a failure", async () => {
    const result = await probe("team-1", ["--profile", "team-1"], ["--output", "json", "--strict"]);
    expect(result.code).toBe(1);
    const report = parseReport(result);
    expect(findings(report).filter((f) => !f.startsWith("degraded"))).toEqual(["leak list pipelines/", "leak list-bucket (bucket)"]);
    expect(crossProfileCells(report, "leak").every((c) => c.startsWith("list "))).toBe(true);
  });

  it("--no-multipart leaves out the multipart and abort checks, and keeps the CRC32 upload", async () => {
    const report = parseReport(await probe("team-1", ["--profile", "team-1"], ["--output", "json", "--no-multipart"]));
    expect(report.checks.some((c) => c.operation === "multipart" || c.operation === "abort-multipart")).toBe(false);
    expect(cell(report, "artifacts/team-1/", "put-checksum").verdict).toBe("ok");
  });

  it("--read-only writes nothing and still decides reads on objects KFP stored", async () => {
    const result = await probe("team-2", ["--profile", "team-2"], ["--output", "json", "--read-only"]);
    expect(result.code).toBe(0);
    const report = parseReport(result);
    expect(report.cleanup.created).toBe(0);
    expect(cell(report, "artifacts/team-2/", "put").verdict).toBe("not-run");
    expect(cell(report, "artifacts/team-2/", "get")).toMatchObject({ observed: "allowed", verdict: "ok" });
    expect(cell(report, "artifacts/team-2/", "get").evidence[0]?.key).toBe("artifacts/team-2/hello-world-run/main.log");
    expect(cell(report, "pipelines/", "get")).toMatchObject({ observed: "denied", verdict: "ok" });
  });
});

describe("policies that are wrong are caught in exactly the wrong cells", () => {
  it("no DeleteObject: MISSING on both own prefixes, exit 1, and the canaries it could not remove are listed", async () => {
    const result = await probe("wrong-no-delete", ["--profile", "team-4"], ["--output", "json"]);
    const report = parseReport(result);
    const leftovers = report.cleanup.leftovers.map((l) => l.key).sort();
    const stillThere = (await bucketKeys()).filter((k) => !seeded.includes(k));
    // Remove them for the next tests whatever the assertions below say.
    await removeAsAdmin(stillThere);
    expect(result.code).toBe(1);
    expect(findings(report)).toEqual([
      "degraded abort-multipart artifacts/team-4/",
      "degraded abort-multipart v2/artifacts/team-4/",
      "exposed list pipelines/",
      "exposed list-bucket (bucket)",
      "missing delete artifacts/team-4/",
      "missing delete v2/artifacts/team-4/",
    ]);
    expect(cell(report, "artifacts/team-4/", "delete").hint).toBe("grant s3:DeleteObject on arn:aws:s3:::kubeflow-pipelines/artifacts/team-4/*");
    // The canary, the CRC32 canary and the multipart object under each of its prefixes, the seed
    // it wrote there for the anonymous caller's read (no backend in the run to write it instead),
    // the run's first write, which learns the bucket, and Argo's upload with Content-MD5 (issue 23).
    expect(leftovers).toEqual(
      [
        ...["artifacts/team-4/", "v2/artifacts/team-4/"].flatMap((prefix) =>
          ["wrong-no-delete", "wrong-no-delete-crc32", "wrong-no-delete-multipart", "seed"].map(
            (name) => `${prefix}.kfp-s3-probe/${report.runId}/${name}`,
          ),
        ),
        `artifacts/team-4/.kfp-s3-probe/${report.runId}/first-write-wrong-no-delete`,
        `artifacts/team-4/.kfp-s3-probe/${report.runId}/wrong-no-delete-content-md5`,
      ].sort(),
    );
    // The report is right: exactly those keys were left in the bucket.
    expect(stillThere).toEqual(leftovers);
  });

  it("s3:* on the bucket: LEAK on every object operation under pipelines/, exit 1", async () => {
    const result = await probe("wrong-bucket-admin", ["--profile", "team-5"], ["--output", "json"]);
    expect(result.code).toBe(1);
    const report = parseReport(result);
    // s3:* includes AbortMultipartUpload: confirmed on a real upload, which it then aborted.
    expect(cell(report, "artifacts/team-5/", "abort-multipart")).toMatchObject({ observed: "allowed", verdict: "ok" });
    expect(cell(report, "artifacts/team-5/", "abort-multipart").evidence.map((e) => [e.request, e.status])).toEqual([
      ["AbortMultipartUpload (no such upload)", 404],
      ["CreateMultipartUpload", 200],
      ["AbortMultipartUpload", 204],
    ]);
    expect(findings(report)).toEqual([
      "exposed list pipelines/",
      "exposed list-bucket (bucket)",
      "leak delete pipelines/",
      "leak get pipelines/",
      "leak head pipelines/",
      "leak put pipelines/",
    ]);
    expect(cell(report, "pipelines/", "put").hint).toMatch(/remove s3:PutObject on arn:aws:s3:::kubeflow-pipelines\/pipelines\/\*/);
    // s3:* on every key also reaches into every other profile's prefix.
    for (const operation of ["put", "head", "get", "delete"]) expect(crossProfileCells(report, "leak")).toContain(`${operation} artifacts/team-50/`);
  });

  it("the text report shows the matrix, the findings with their fixes, and the summary", async () => {
    const result = await probe("wrong-bucket-admin", ["--profile", "team-5"]);
    expect(result.code).toBe(1);
    // Compact cells (a warning for the listable names, LEAK for the writes), lines wrapped to 100 columns.
    expect(result.stdout).toMatch(/^ {2}pipelines\/ \(backend's\) +warn +LEAK +LEAK/m);
    expect(result.stdout).toMatch(
      /LEAK +wrong-bucket-admin {2}put, head, get, delete pipelines\/: allowed, must be denied\s+\[grant-too-wide\]\n +fix: remove s3:PutObject, s3:GetObject, s3:DeleteObject on\s+arn:aws:s3:::kubeflow-pipelines\/pipelines\/\*/,
    );
    expect(Math.max(...result.stdout.split("\n").map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(result.stdout).toMatch(/Cleanup: \d+ probe object\(s\) created, all removed\./);
    expect(result.stdout).toMatch(
      /^Summary: \d+ ok, [1-9]\d* leak, 0 missing, \d+ exposed, \d+ degraded, \d+ ambiguous, 0 error, 0 not-run; exit 1$/m,
    );
  });
});

describe("connection and authentication problems: exit 3 with the diagnosis", () => {
  it("a wrong secret", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-wrong-"));
    writeFileSync(join(dir, "AWS_ACCESS_KEY_ID"), readFileSync(join(secretsDirOf("team-1"), "AWS_ACCESS_KEY_ID")));
    writeFileSync(join(dir, "AWS_SECRET_ACCESS_KEY"), "not-the-secret-not-the-secret-not-the-sec");
    const result = await runCli(["--profile", "team-1", ...storeArgs(), "--credentials-dir", dir, "--output", "json"]);
    outputs.push(result);
    expect(result.code).toBe(3);
    const report = parseReport(result);
    expect(cell(report, null, "list-bucket")).toMatchObject({ verdict: "error", errorKind: "signature" });
    expect(ownChecks(report).filter((c) => c.verdict === "not-run")).toHaveLength(ownChecks(report).length - 1);
    expect(result.stdout).not.toContain("not-the-secret");
  });

  it("an access key id the store does not know", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-unknown-"));
    writeFileSync(join(dir, "AWS_ACCESS_KEY_ID"), "NOSUCHKEY0123456789A");
    writeFileSync(join(dir, "AWS_SECRET_ACCESS_KEY"), "not-a-secret-of-this-store-0123456789abc");
    const result = await runCli(["--backend", ...storeArgs(), "--credentials-dir", dir, "--output", "json"]);
    outputs.push(result);
    expect(result.code).toBe(3);
    const preflight = cell(parseReport(result), null, "list-bucket");
    expect(preflight).toMatchObject({ verdict: "error", errorKind: "unknown-key" });
    expect(preflight.hint).toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it("a bucket that does not exist", async () => {
    const result = await runCli(
      probeArgs("team-1", ["--profile", "team-1"], ["--output", "json"]).map((a) => (a === settings.bucket ? "no-such-kfp-bucket" : a)),
    );
    expect(result.code).toBe(3);
    expect(cell(parseReport(result), null, "list-bucket").errorKind).toBe("no-such-bucket");
  });

  it("a port where nothing listens", async () => {
    const proxy = await startHoldingProxy(() => false);
    const closedPort = proxy.endpoint;
    await proxy.close();
    const result = await runCli(
      probeArgs("team-1", ["--profile", "team-1"], ["--output", "json"]).map((a) => (a === settings.endpoint ? closedPort : a)),
    );
    expect(result.code).toBe(3);
    expect(cell(parseReport(result), null, "list-bucket").errorKind).toBe("connection");
  });

  it("https:// against a plain-HTTP store", async () => {
    const https = settings.endpoint.replace("http://", "https://");
    const result = await runCli(probeArgs("team-1", ["--profile", "team-1"], ["--output", "json"]).map((a) => (a === settings.endpoint ? https : a)));
    expect(result.code).toBe(3);
    expect(cell(parseReport(result), null, "list-bucket")).toMatchObject({ errorKind: "plain-http", cause: "plain-http" });
  });
});

describe("interrupted runs clean up", () => {
  it("Ctrl-C while a request hangs: exit 130, the canaries already written are removed", async () => {
    // Hold the first HeadObject of a canary: by then its PutObject has landed.
    const proxy = await startHoldingProxy((req) => req.method === "HEAD" && (req.url ?? "").includes(".kfp-s3-probe"));
    try {
      const child = spawnCli(probeArgs("backend", ["--backend"], ["--output", "json"]).map((a) => (a === settings.endpoint ? proxy.endpoint : a)));
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await proxy.held;
      child.kill("SIGINT");
      const code = await exited;
      outputs.push({ code, stdout, stderr });
      expect(code).toBe(130);
      const report = JSON.parse(stdout) as ReturnType<typeof parseReport>;
      expect(report.interruptedBy).toBe("SIGINT");
      expect(report.cleanup.created).toBeGreaterThan(0);
      expect(report.cleanup.leftovers).toEqual([]);
      expect(stderr).toMatch(/SIGINT: stopping and removing what the probe created/);
    } finally {
      await proxy.close();
    }
  });

  it("--timeout: the deadline stops a hanging run, cleans up and exits 3", async () => {
    // Holds the reads of probe objects; listings of keys and uploads, whose parameters name the probe's namespace, pass.
    const proxy = await startHoldingProxy(
      (req) => req.method === "GET" && (req.url ?? "").includes(".kfp-s3-probe") && !/[?&](list-type|uploads)/.test(req.url ?? ""),
    );
    try {
      const args = probeArgs("backend", ["--backend"], ["--output", "json", "--timeout", "3", "--request-timeout", "30"]);
      const result = await runCli(args.map((a) => (a === settings.endpoint ? proxy.endpoint : a)));
      outputs.push(result);
      expect(result.code).toBe(3);
      const report = parseReport(result);
      expect(report.interruptedBy).toBe("deadline");
      expect(report.cleanup.created).toBeGreaterThanOrEqual(3);
      expect(report.cleanup.leftovers).toEqual([]);
      expect(cell(report, "pipelines/", "get").errorKind).toBe("aborted");
    } finally {
      await proxy.close();
    }
  });
});

describe("what every output must not carry", () => {
  it("no secret of any identity, and no SDK Node-version warning, in anything the tests saw", () => {
    expectNoSecretIn(outputs, 11);
    const everything = outputs.map((o) => `${o.stdout}\n${o.stderr}`).join("\n");
    expect(everything).not.toMatch(/NodeVersionSupportWarning/);
  });
});
