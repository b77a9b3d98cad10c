// One profile's keys, every other team and the public (issue 11), against the real RGW: the
// bucket's profiles are discovered, reads are decided on their real objects, the anonymous caller
// is tried, and mixed-up keys get a diagnosis.
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import {
  bucketKeys,
  bucketObjects,
  type CliResult,
  expectNoSecretIn,
  incompleteUploads,
  parseReport,
  projectRoot,
  publicBucket,
  runCli,
  secretsDirOf,
  seeded,
  settings,
  storeArgs,
} from "./local-s3.js";

const outputs: CliResult[] = [];

async function probeAlone(profile: string, secretsOf: string, extra: string[] = []): Promise<{ code: number | null; report: Report }> {
  const result = await runCli(["--profile", profile, "--credentials-dir", secretsDirOf(secretsOf), ...storeArgs(), "--output", "json", ...extra]);
  outputs.push(result);
  return { code: result.code, report: parseReport(result) };
}

function checksOf(report: Report, identity: string, prefix: string, operation: string) {
  return report.checks.filter((c) => c.identity === identity && c.prefix === prefix && c.operation === operation);
}

let before: Map<string, string[]>;
beforeAll(async () => {
  before = new Map([
    [settings.bucket, await bucketObjects(settings.bucket)],
    [publicBucket, await bucketObjects(publicBucket)],
  ]);
});

afterEach(async () => {
  // Everything the store held before the run is still there, unchanged (same ETag), and every canary is gone.
  for (const bucket of [settings.bucket, publicBucket]) {
    expect(await bucketKeys(bucket)).toEqual(seeded);
    expect(await bucketObjects(bucket)).toEqual(before.get(bucket));
    expect(await incompleteUploads(bucket)).toEqual([]);
  }
});

describe("one profile's keys against every other team and the public", () => {
  it("reference policies, one profile alone: other teams are found in the bucket and their real objects are read, denied", async () => {
    const { code, report } = await probeAlone("team-1", "team-1");
    expect(code).toBe(0);
    expect(report.discovery?.listedBy).toBe("team-1");
    expect(report.discovery?.profiles.find((p) => p.name === "team-2")?.sources).toEqual(["bucket"]);
    const [cell] = checksOf(report, "team-1", "artifacts/team-2/", "get");
    expect(cell).toMatchObject({ relation: "foreign", owner: "team-2", observed: "denied", verdict: "ok" });
    // Decided on the object KFP stored there, never a probe key.
    expect(cell?.evidence.at(-1)?.key).toBe("artifacts/team-2/hello-world-run/main.log");
    // No owner in the run to plant a seed: the write is tried on a key of the probe's own, and denied.
    expect(checksOf(report, "team-1", "v2/artifacts/team-5/", "put")[0]).toMatchObject({ observed: "denied", verdict: "ok" });
    // The anonymous caller is tried under every prefix, and denied.
    expect(report.identities.at(-1)).toMatchObject({ name: "anonymous", role: "anonymous" });
    expect(report.checks.filter((c) => c.identity === "anonymous" && c.verdict === "leak")).toEqual([]);
    expect(checksOf(report, "anonymous", "artifacts/team-2/", "get")[0]).toMatchObject({ observed: "denied" });
    expect(report.diagnoses).toEqual([]);
    // Nothing to read under nobody's prefix and no backend to plant: RGW answers a missing key 404
    // whatever the policy, so it shows no AWS rule and the read stays undecided, said why.
    const nobody = report.checks.find((c) => c.identity === "team-1" && c.relation === "unowned" && c.operation === "get");
    expect(nobody).toMatchObject({ verdict: "ambiguous", reason: "no backend in this run to plant an object to read" });
  });

  it("a profile whose policy also grants s3:GetObject on one other team's prefix, probed alone: LEAK get on that prefix", async () => {
    const { code, report } = await probeAlone("team-6", "wrong-extra-read");
    expect(code).toBe(1);
    const leaks = report.checks.filter((c) => c.identity === "team-6" && c.verdict === "leak").map((c) => `${c.operation} ${c.prefix}`);
    expect(leaks.sort()).toEqual(["get artifacts/team-2/"]);
    expect(checksOf(report, "team-6", "artifacts/team-2/", "get")[0]).toMatchObject({
      cause: "grant-too-wide",
      remedy: { where: "identity-policy", change: "remove", actions: ["s3:GetObject"] },
    });
    // Its other neighbours stay closed.
    expect(checksOf(report, "team-6", "v2/artifacts/team-2/", "put")[0]).toMatchObject({ observed: "denied", verdict: "ok" });
  });

  it("a bucket policy that lets anyone read artifacts/*: LEAK for the anonymous caller, the fix names the bucket policy, pipelines/ stays ok", async () => {
    const result = await runCli([
      "--profile",
      "team-1",
      "--credentials-dir",
      secretsDirOf("team-1"),
      "--endpoint",
      settings.endpoint,
      "--bucket",
      publicBucket,
      "--output",
      "json",
    ]);
    outputs.push(result);
    expect(result.code).toBe(1);
    const report = parseReport(result);
    const anonymousLeaks = report.checks.filter((c) => c.identity === "anonymous" && c.verdict === "leak");
    expect(anonymousLeaks.map((c) => c.prefix)).toContain("artifacts/team-2/");
    expect(anonymousLeaks.every((c) => c.prefix?.startsWith("artifacts/") && (c.operation === "get" || c.operation === "head"))).toBe(true);
    for (const leak of anonymousLeaks) {
      expect(leak.cause).toBe("public-access");
      expect(leak.remedy?.where).toBe("bucket-policy");
      expect(leak.hint).toMatch(/bucket policy/);
    }
    expect(report.checks.filter((c) => c.prefix === "pipelines/" && c.verdict === "leak")).toEqual([]);
    // team-1 reads team-2's artifacts too, but because anyone may: the cause is public, not its grant.
    expect(checksOf(report, "team-1", "artifacts/team-2/", "get")[0]).toMatchObject({ verdict: "leak", cause: "public-access" });
    const publicDiagnosis = report.diagnoses.find((d) => d.kind === "public");
    expect(publicDiagnosis?.profiles).toContain("team-2");
    expect(publicDiagnosis?.fix).toMatch(/bucket policy/);
  });

  it("the same bucket probed by its only profile (no other found): exit 1, LEAK for anonymous on get of the profile's own v1 prefix, read on the seed it wrote", async () => {
    const result = await runCli([
      ...["--profile", "team-1", "--credentials-dir", secretsDirOf("team-1"), "--endpoint", settings.endpoint],
      ...["--bucket", publicBucket, "--no-discover", "--output", "json"],
    ]);
    outputs.push(result);
    expect(result.code).toBe(1);
    const report = parseReport(result);
    expect(report.identities.map((i) => i.name).sort()).toEqual(["anonymous", "team-1"]);
    const [get] = checksOf(report, "anonymous", "artifacts/team-1/", "get");
    expect(get).toMatchObject({ verdict: "leak", cause: "public-access" });
    expect(get?.evidence.map((e) => e.request)).toContain("PutObject (seed, as team-1)");
  });

  it("a profile whose policy also grants s3:GetObject on artifacts/*/metrics/*, probed alone with its policy in hand: LEAK on team-2's metrics/, the key read in its evidence", async () => {
    const policyDir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-policies-"));
    copyFileSync(join(projectRoot, "fixtures", "policies", "metrics-wildcard.json"), join(policyDir, "team-7.json"));
    const args = [
      "--profile",
      "team-7",
      "--credentials-dir",
      secretsDirOf("wrong-metrics-read"),
      "--endpoint",
      settings.endpoint,
      "--output",
      "json",
    ];
    const sampled = await runCli(args);
    outputs.push(sampled);
    // On samples alone: every read of team-2 is decided on another object, and denied; the report says it is sampled.
    expect(parseReport(sampled).checks.filter((c) => c.identity === "team-7" && c.verdict === "leak")).toEqual([]);
    expect(parseReport(sampled).assurance.status).toBe("sampled");
    const result = await runCli([...args, "--policy-dir", policyDir]);
    outputs.push(result);
    expect(result.code).toBe(1);
    const [cell] = checksOf(parseReport(result), "team-7", "artifacts/team-2/metrics/", "get");
    expect(cell).toMatchObject({ verdict: "leak", owner: "team-2" });
    expect(cell?.evidence.at(-1)).toMatchObject({ key: "artifacts/team-2/metrics/hello-world-run/metrics.json", status: 206 });
  });

  it("the reference profile with its policy and the bucket's in hand: exit 0, assurance proven; its keys alone: sampled", async () => {
    const policyDir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-policies-"));
    copyFileSync(join(projectRoot, "fixtures", "reference-policies", "profile.json"), join(policyDir, "team-1.json"));
    writeFileSync(join(policyDir, "anonymous.json"), '{ "Statement": [] }\n');
    const args = ["--profile", "team-1", "--credentials-dir", secretsDirOf("team-1"), "--endpoint", settings.endpoint, "--output", "json"];
    const proven = await runCli([...args, "--policy-dir", policyDir]);
    outputs.push(proven);
    expect(proven.code).toBe(0);
    const { assurance } = parseReport(proven);
    expect(assurance).toMatchObject({ status: "proven", open: [], bucketPolicy: `--policy-dir ${join(policyDir, "anonymous.json")}` });
    expect(assurance.policies).toEqual([{ identity: "team-1", source: `--policy-dir ${join(policyDir, "team-1.json")}` }]);
    const sampled = await runCli(args);
    outputs.push(sampled);
    expect(sampled.code).toBe(0);
    const sampledAssurance = parseReport(sampled).assurance;
    expect(sampledAssurance.status).toBe("sampled");
    expect(sampledAssurance.open).toEqual(expect.arrayContaining([{ kind: "no-policy", identity: "team-1" }, { kind: "no-bucket-policy" }]));
    // --require-proof: the same sampled run is its own exit code; the proven one stays 0.
    const required = await runCli([...args, "--require-proof"]);
    outputs.push(required);
    expect(required.code).toBe(6);
    expect((await runCli([...args, "--policy-dir", policyDir, "--require-proof"])).code).toBe(0);
    const text = await runCli(args.slice(0, -2));
    outputs.push(text);
    // In the first lines, after the verdict and the header (each may wrap), and with the flag that would prove it.
    const head = text.stdout.split("\n").slice(0, 5);
    expect(head.findIndex((line) => line.startsWith("assurance: sampled:"))).toBeGreaterThan(0);
    expect(head.join(" ")).toMatch(/--policy-dir DIR/);
  });

  it("one key given for two profiles: a shared-key diagnosis naming both", async () => {
    const result = await runCli([
      "--identity",
      `team-1=${secretsDirOf("team-1")}`,
      "--identity",
      `team-2=${secretsDirOf("team-1")}`,
      ...storeArgs(),
      "--output",
      "json",
    ]);
    outputs.push(result);
    const shared = parseReport(result).diagnoses.find((d) => d.kind === "shared-key");
    expect(shared).toMatchObject({ identities: ["team-1", "team-2"], profiles: ["team-1", "team-2"] });
  });

  it("team-2's Secret holding team-1's keys, probed alone: a keys-of-another-profile diagnosis naming team-1", async () => {
    const { code, report } = await probeAlone("team-2", "team-1");
    expect(code).toBe(1);
    const diagnosis = report.diagnoses.find((d) => d.kind === "keys-of-another-profile");
    expect(diagnosis).toMatchObject({ identities: ["team-2"], profiles: ["team-1"] });
    expect(diagnosis?.message).toMatch(/holds team-1's keys/);
  });

  it("--other-profile names a profile beyond the bucket's; --max-profiles bounds them and says so; --no-anonymous", async () => {
    const { report } = await probeAlone("team-1", "team-1", ["--other-profile", "team-99", "--max-profiles", "2", "--no-anonymous"]);
    expect(report.identities.map((i) => i.name)).toEqual(["team-1"]);
    const discovery = report.discovery;
    // The profile the operator named is never the one the bound cuts.
    expect(discovery?.profiles.map((p) => [p.name, p.sources])).toEqual([
      ["team-1", ["run", "bucket"]],
      ["team-99", ["flag"]],
      ["team-10", ["bucket"]],
    ]);
    expect(discovery?.leftOut).toBe(6);
    expect(discovery?.limit).toBe(2);
  });
});

describe("what these runs must not print", () => {
  it("no secret of any identity", () => {
    expectNoSecretIn(outputs, 4);
  });
});
