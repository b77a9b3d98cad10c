// check-policy against the live store: for each scenario of the project's fixtures, the offline
// verdict of every cell the live probe decided is the store's verdict, but where the local RGW is
// known to differ from AWS (listed in DISAGREEMENTS, and in the README).

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { policyDocument } from "../../scripts/local-s3-fixture.js";
import { parsePolicy } from "../../src/core/policy/document.js";
import { readPrincipalPolicies } from "../../src/iam/policy-reader.js";
import type { Report } from "../../src/report/model.js";
import { readBucketPolicy } from "../../src/s3/bucket-policy.js";
import { identities, parseReport, projectRoot, publicBucket, runCli, secretsDirOf, settings, versionedBuckets } from "./local-s3.js";

const iam = new IAMClient({
  endpoint: settings.endpoint,
  region: settings.region,
  credentials: { accessKeyId: settings.adminAccessKeyId, secretAccessKey: settings.adminSecretAccessKey },
});

/** Attaches another policy to a fixture user for one test; afterEach puts its own back. */
const swapped: string[] = [];
async function attachText(user: string, text: string, bucket = settings.bucket): Promise<void> {
  await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: `kfp-object-store-${bucket}`, PolicyDocument: text }));
  swapped.push(user);
}
async function attach(user: string, policyFile: string, bucket = settings.bucket): Promise<void> {
  const fixture = identities.find((i) => i.name === user);
  const text = readFileSync(join(projectRoot, policyFile), "utf8")
    .replaceAll("<BUCKET_NAME>", bucket)
    .replaceAll("<PROFILE_NAME>", fixture?.profile ?? "");
  await attachText(user, text, bucket);
}
afterEach(async () => {
  for (const user of swapped.splice(0)) {
    const fixture = identities.find((i) => i.name === user);
    if (!fixture) continue;
    await iam.send(
      new PutUserPolicyCommand({
        UserName: user,
        PolicyName: `kfp-object-store-${settings.bucket}`,
        PolicyDocument: policyDocument(fixture, settings.bucket, projectRoot),
      }),
    );
  }
});

function configFor(names: string[], bucket: string): string {
  const lines = [`endpoint: ${settings.endpoint}`, `bucket: ${bucket}`, "identities:"];
  for (const name of names) {
    const fixture = identities.find((i) => i.name === name);
    lines.push(
      `  - name: ${name}`,
      fixture?.role === "backend" ? "    backend: true" : `    profile: ${fixture?.profile}`,
      `    credentials: { dir: ${secretsDirOf(name)} }`,
    );
  }
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-policy-")), "probe.yaml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const DECIDED = new Set(["ok", "leak", "missing", "exposed", "degraded"]);
/** Cells by who, what and where; the canary profile's name is per run, so it goes by its relation. */
const cellKey = (c: Report["checks"][number]) =>
  `${c.identity === "anonymous" ? "anonymous" : "identity"} ${c.operation} ${c.relation === "unowned" ? "(unowned)" : c.prefix}${c.relation === "unowned" ? (c.prefix ?? "").split("/")[0] : ""}`;

/**
 * Where the local RGW is known to answer other than AWS's evaluation logic would: none in these
 * scenarios (Allow/Deny, NotResource, s3:* and the s3:prefix condition all behave as on AWS). A
 * cell found to differ goes here with why, and in the README.
 */
const DISAGREEMENTS: { scenario: string; cell: RegExp; why: string }[] = [];

interface Scenario {
  name: string;
  identity: string;
  policy: string;
  bucket?: string;
  bucketPolicy?: string;
  attach?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: "reference", identity: "team-1", policy: "fixtures/reference-policies/profile.json" },
  { name: "wildcard", identity: "wrong-artifacts-wildcard", policy: "fixtures/policies/artifacts-wildcard.json" },
  { name: "near-miss without slash", identity: "wrong-near-miss", policy: "fixtures/policies/near-miss.json" },
  { name: "no delete", identity: "wrong-no-delete", policy: "fixtures/policies/no-delete.json" },
  { name: "s3:*", identity: "wrong-bucket-admin", policy: "fixtures/policies/bucket-admin.json" },
  { name: "explicit Deny", identity: "team-2", policy: "fixtures/policies/explicit-deny.json", attach: true },
  { name: "strict list condition", identity: "team-2", policy: "fixtures/policies/strict-list.json", attach: true },
  {
    name: "public bucket policy",
    identity: "team-1",
    policy: "fixtures/reference-policies/profile.json",
    bucket: publicBucket,
    bucketPolicy: "fixtures/policies/public-read-bucket.json",
  },
];

async function compare(scenario: Scenario): Promise<{ live: Report; offline: Report; compared: string[]; differences: string[] }> {
  const bucket = scenario.bucket ?? settings.bucket;
  if (scenario.attach) await attach(scenario.identity, scenario.policy, bucket);
  const liveRun = await runCli(["--config", configFor(["backend", scenario.identity], bucket), "--output", "json", "--matrix", "full"]);
  const live = parseReport(liveRun);
  const profile = identities.find((i) => i.name === scenario.identity)?.profile ?? "";
  const others = [...new Set(live.checks.filter((c) => c.identity === scenario.identity && c.relation === "foreign").map((c) => c.owner ?? ""))];
  const filled = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-policy-")), "bucket-policy.json");
  if (scenario.bucketPolicy)
    writeFileSync(filled, readFileSync(join(projectRoot, scenario.bucketPolicy), "utf8").replaceAll("<BUCKET_NAME>", bucket));
  const offlineRun = await runCli([
    "check-policy",
    "--profile",
    profile,
    "--bucket",
    bucket,
    "--output",
    "json",
    ...others.flatMap((o) => ["--other-profile", o]),
    ...(scenario.bucketPolicy ? ["--bucket-policy", filled] : []),
    join(projectRoot, scenario.policy),
  ]);
  const offline = parseReport(offlineRun);
  const offlineCells = new Map(offline.checks.map((c) => [cellKey(c), c.verdict]));
  const cells = live.checks
    .filter((c) => (c.identity === scenario.identity || c.identity === "anonymous") && DECIDED.has(c.verdict))
    .map((c) => ({ key: cellKey(c), live: c.verdict, offline: offlineCells.get(cellKey(c)) }))
    .filter((d) => d.offline !== undefined);
  const compared = cells.map((d) => `${d.key} ${d.live}`);
  const differences = cells
    .filter((d) => d.offline !== d.live)
    .filter((d) => !DISAGREEMENTS.some((known) => known.scenario === scenario.name && known.cell.test(d.key)))
    .map((d) => `${d.key}: live ${d.live}, offline ${d.offline}`);
  expect(offlineRun.code).toBe(liveRun.code === 5 ? 0 : liveRun.code);
  return { live, offline, compared, differences };
}

describe("check-policy agrees with the live store", () => {
  it.each(SCENARIOS)("$name", async (scenario) => {
    const { compared, differences } = await compare(scenario);
    expect(differences).toEqual([]);
    // Many cells compared, of every kind the scenario has: no agreement by default.
    expect(compared.length).toBeGreaterThan(40);
    const verdicts = new Set(compared.map((c) => c.split(" ").at(-1)));
    if (scenario.name !== "reference" && scenario.name !== "strict list condition" && scenario.name !== "explicit Deny") {
      expect(verdicts.has("leak") || verdicts.has("missing")).toBe(true);
    }
  });
});

describe("kfp-s3-probe policy: the generated policies pass a live probe", () => {
  it.each(["reference", "strict"])("%s: attached to team-2's user, then probed with the backend: exit 0, no MISSING, no LEAK", async (variant) => {
    const generated = await runCli(["policy", "--profile", "team-2", "--bucket", settings.bucket, "--variant", variant, "-o", "json"]);
    expect(generated.code).toBe(0);
    expect(JSON.parse(generated.stdout)).toMatchObject({ Version: "2012-10-17" });
    await attachText("team-2", generated.stdout);
    const run = await runCli(["--config", configFor(["backend", "team-2"], settings.bucket), "--output", "json"]);
    const report = parseReport(run);
    expect(run.code).toBe(0);
    const team2 = report.checks.filter((c) => c.identity === "team-2");
    expect(team2.filter((c) => ["missing", "leak", "error"].includes(c.verdict))).toEqual([]);
    // With s3:AbortMultipartUpload granted, nothing is degraded either.
    expect(team2.filter((c) => c.verdict === "degraded")).toEqual([]);
    // strict: no key name of anyone else is listable.
    if (variant === "strict") expect(team2.filter((c) => c.verdict === "exposed").map((c) => `${c.operation} ${c.prefix}`)).toEqual([]);
    else expect(team2.some((c) => c.verdict === "exposed")).toBe(true);
  });
});

describe("--policy-dir: the live store and the policy files side by side", () => {
  it("a cell the store allows and the identity's policy file denies is its own finding, in JSON, text and stderr", async () => {
    // The policy file says the reference; the store has the reference plus a read of team-2's artifacts.
    const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-policy-dir-"));
    writeFileSync(join(dir, "wrong-extra-read.json"), readFileSync(join(projectRoot, "fixtures/reference-policies/profile.json"), "utf8"));
    const config = configFor(["backend", "wrong-extra-read"], settings.bucket);
    const run = await runCli(["--config", config, "--output", "json", "--policy-dir", dir]);
    const report = parseReport(run);
    expect(report.disagreements).toContainEqual(
      expect.objectContaining({ identity: "wrong-extra-read", operation: "get", prefix: "artifacts/team-2/", store: "allowed", policy: "denied" }),
    );
    // Only that grant: everywhere else the store does what the file says.
    expect(report.disagreements.every((d) => d.prefix === "artifacts/team-2/")).toBe(true);
    expect(run.stderr).toMatch(/^kfp-s3-probe: DISAGREES wrong-extra-read get artifacts\/team-2\/: the store allowed it/m);
    const text = await runCli(["--config", config, "--policy-dir", dir], { env: { COLUMNS: "100" } });
    expect(text.stdout).toMatch(/The store and the policies disagree/);
    const none = await runCli(["--config", config, "--policy-dir", join(dir, "missing")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--policy-dir .*: not a directory/);
  });
});

describe("policies read from the store (the --policy-reader adapters, on RGW)", () => {
  const signal = new AbortController().signal;

  it("team-1's user policies, read with keys allowed to read IAM: the reference policy for each bucket, and no managed policies said so", async () => {
    const reading = await readPrincipalPolicies(iam, { kind: "user", name: "team-1" }, signal);
    if (!("documents" in reading)) throw new Error(reading.problem);
    // One inline policy per bucket of the local server, as RGW lists them (by name).
    const inline = [settings.bucket, publicBucket, ...versionedBuckets].sort().map((bucket) => `kfp-object-store-${bucket}`);
    expect(reading.source).toBe(
      `IAM user team-1 (inline ${inline.join(", ")}; attached: the store serves no managed policies; groups: the store serves none)`,
    );
    const fixture = identities.find((i) => i.name === "team-1");
    if (!fixture) throw new Error("no team-1 in the fixtures");
    // The statements of the reference, and where they were read: the user's inline policy, as findings name it.
    expect(reading.documents[0]?.statements).toEqual(parsePolicy(policyDocument(fixture, settings.bucket, projectRoot), "reference").statements);
    expect(reading.documents[0]?.source).toBe(`IAM user team-1, policy kfp-object-store-${settings.bucket}`);
  });

  it("team-1's own keys may not read IAM: a problem, no documents", async () => {
    const own = new IAMClient({
      endpoint: settings.endpoint,
      region: settings.region,
      credentials: {
        accessKeyId: readFileSync(join(secretsDirOf("team-1"), "AWS_ACCESS_KEY_ID"), "utf8").trim(),
        secretAccessKey: readFileSync(join(secretsDirOf("team-1"), "AWS_SECRET_ACCESS_KEY"), "utf8").trim(),
      },
    });
    expect(await readPrincipalPolicies(own, { kind: "user", name: "team-1" }, signal)).toEqual({
      problem: "IAM user team-1: IAM refused or failed: 403",
    });
  });

  it("the public bucket's policy read by its owner; the main bucket has none", async () => {
    const s3 = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: true,
      credentials: { accessKeyId: settings.adminAccessKeyId, secretAccessKey: settings.adminSecretAccessKey },
    });
    const reading = await readBucketPolicy(s3, publicBucket, "admin", signal);
    expect("document" in reading && reading.document.statements.map((s) => s.principal)).toEqual(["*"]);
    expect(await readBucketPolicy(s3, settings.bucket, "admin", signal)).toEqual({
      none: true,
      source: `${settings.bucket} has no bucket policy (read by admin)`,
    });
  });
});

describe("--policy-reader: the policies read from the store, then the run", () => {
  /** A secret directory with the local admin's keys: a user allowed to read IAM and the bucket policy. */
  function readerDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-reader-"));
    writeFileSync(join(dir, "AWS_ACCESS_KEY_ID"), settings.adminAccessKeyId);
    writeFileSync(join(dir, "AWS_SECRET_ACCESS_KEY"), settings.adminSecretAccessKey);
    return dir;
  }
  const store = ["--endpoint", settings.endpoint, "--output", "json"];

  it("the reference profile: its IAM user policies and the bucket's (none) in hand, exit 0, proven", async () => {
    const result = await runCli([
      "--profile",
      "team-1",
      "--credentials-dir",
      secretsDirOf("team-1"),
      "--policy-reader",
      `iam-reader=${readerDir()}`,
      ...store,
    ]);
    expect(result.code).toBe(0);
    const { assurance } = parseReport(result);
    expect(assurance).toMatchObject({ status: "proven", open: [], bucketPolicy: `${settings.bucket} has no bucket policy (read by iam-reader)` });
    expect(assurance.policies[0]?.source).toMatch(/^IAM user team-1 \(inline kfp-object-store-kubeflow-pipelines/);
    expect(result.stdout + result.stderr).not.toContain(settings.adminSecretAccessKey);
  });

  it("the metrics wildcard, its IAM user named as the identity: LEAK on team-2's metrics/, read on the store", async () => {
    const args = ["--profile", "team-7", "--name", "wrong-metrics-read", "--credentials-dir", secretsDirOf("wrong-metrics-read")];
    const result = await runCli([...args, "--policy-reader", `iam-reader=${readerDir()}`, ...store]);
    expect(result.code).toBe(1);
    const report = parseReport(result);
    const cell = report.checks.find((c) => c.identity === "wrong-metrics-read" && c.prefix === "artifacts/team-2/metrics/" && c.operation === "get");
    expect(cell).toMatchObject({ verdict: "leak" });
    expect(cell?.evidence.at(-1)?.key).toBe("artifacts/team-2/metrics/hello-world-run/metrics.json");
  });

  it("an identity whose IAM user is not found: its policy is not in hand (said in the notes), the run partial", async () => {
    const result = await runCli([
      "--profile",
      "team-1",
      "--name",
      "nobody-of-that-name",
      "--credentials-dir",
      secretsDirOf("team-1"),
      "--policy-reader",
      `iam-reader=${readerDir()}`,
      ...store,
    ]);
    const report = parseReport(result);
    expect(report.assurance.status).toBe("partial");
    expect(report.assurance.open).toContainEqual({ kind: "no-policy", identity: "nobody-of-that-name" });
    expect(report.notes.join("\n")).toMatch(/nobody-of-that-name's policies were not read: IAM user nobody-of-that-name/);
  });
});
