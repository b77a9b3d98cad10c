// Per-component verdicts against the local RGW (issue 23's done-when): the reference backend and
// profile, a profile that may not list, and the checksum, addressing and TLS cases, each naming the
// component that breaks while the others work.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { afterEach, describe, expect, it } from "vitest";
import { policyDocument } from "../../scripts/local-s3-fixture.js";
import type { Report, ReportComponent } from "../../src/report/model.js";
import { startRefusingProxy } from "../support/fault-proxy.js";
import { expectNoSecretIn, identities, parseReport, runCli, secretsDirOf, settings } from "./local-s3.js";

const iam = new IAMClient({
  endpoint: settings.endpoint,
  region: settings.region,
  credentials: { accessKeyId: settings.adminAccessKeyId, secretAccessKey: settings.adminSecretAccessKey },
});
const POLICY_NAME = `kfp-object-store-${settings.bucket}`;
const swapped: string[] = [];
afterEach(async () => {
  for (const user of swapped.splice(0)) {
    const fixture = identities.find((i) => i.name === user);
    if (fixture)
      await iam.send(
        new PutUserPolicyCommand({
          UserName: user,
          PolicyName: POLICY_NAME,
          PolicyDocument: policyDocument(fixture, settings.bucket, projectRootOf()),
        }),
      );
  }
});
const projectRootOf = () => new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

const run = (endpoint: string, extra: string[] = [], output = "json") =>
  runCli([
    "--endpoint",
    endpoint,
    "--bucket",
    settings.bucket,
    "--identity",
    `backend=${secretsDirOf("backend")}`,
    "--identity",
    `team-1=${secretsDirOf("team-1")}`,
    "--no-discover",
    "--no-anonymous",
    "--output",
    output,
    ...extra,
  ]);

const componentsOf = (report: Report): ReportComponent[] => report.components ?? [];
const failingOf = (report: Report) =>
  componentsOf(report)
    .filter((c) => !c.works)
    .map((c) => `${c.identity} ${c.component}`);

/** A kfp-launcher ConfigMap for team-1: its root (the deployKF layout's by default), and its providers' YAML where given. */
function launcherConfig({ root = `minio://${settings.bucket}/v2/artifacts/team-1`, providers }: { root?: string; providers?: string } = {}): string {
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-launcher-")), "kfp-launcher.yaml");
  const indented = providers
    ?.split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  const data = `  defaultPipelineRoot: "${root}"\n${indented === undefined ? "" : `  providers: |\n${indented}\n`}`;
  writeFileSync(file, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kfp-launcher\n  namespace: team-1\ndata:\n${data}`);
  return file;
}

describe("components", () => {
  it("the reference backend and profile: every component of each works, at least two per identity, exit 0", async () => {
    const result = await run(settings.endpoint);
    expect(result.code).toBe(0);
    const report = parseReport(result);
    expect(failingOf(report)).toEqual([]);
    for (const identity of ["backend", "team-1"])
      expect(componentsOf(report).filter((c) => c.identity === identity).length).toBeGreaterThanOrEqual(2);
    expect(componentsOf(report).map((c) => c.component)).toEqual(["api-server", "ui", "ui-artifact-proxy", "v2-launcher", "argo-executor"]);
    // The text report says so in one line.
    const text = await run(settings.endpoint, [], "text");
    expect(text.stdout).toMatch(
      /components \(KFP 2\.17\): all 5 work: api-server, ui \(backend\); ui-artifact-proxy, v2-launcher,\s+argo-executor \(team-1\)/,
    );
  });

  it("a profile that may not list at all: exit 1, and the v2 launcher fails on ListObjectsV2 when it downloads an input artifact, with the fix", async () => {
    const reference = readFileSync(join(projectRootOf(), "fixtures/reference-policies/profile.json"), "utf8");
    const noList = JSON.parse(reference.replaceAll("<BUCKET_NAME>", settings.bucket).replaceAll("<PROFILE_NAME>", "team-1")) as {
      Statement: { Action: string | string[] }[];
    };
    for (const statement of noList.Statement) statement.Action = [statement.Action].flat().filter((action) => action !== "s3:ListBucket");
    noList.Statement = noList.Statement.filter((statement) => [statement.Action].flat().length > 0);
    await iam.send(new PutUserPolicyCommand({ UserName: "team-1", PolicyName: POLICY_NAME, PolicyDocument: JSON.stringify(noList) }));
    swapped.push("team-1");
    const result = await run(settings.endpoint);
    expect(result.code).toBe(1);
    const launcher = componentsOf(parseReport(result)).find((c) => c.identity === "team-1" && c.component === "v2-launcher");
    expect(launcher?.works).toBe(false);
    expect(launcher?.failing[0]).toMatchObject({
      call: "ListObjectsV2",
      outcome: "denied",
      cause: "missing-action",
      effect: "inputs-not-downloaded",
    });
    expect(launcher?.failing[0]?.purpose).toMatch(/download an input artifact/);
    expect(launcher?.fix).toMatchObject({ actions: ["s3:ListBucket"], condition: { key: "s3:prefix", values: ["v2/artifacts/team-1/*"] } });
    expect(launcher?.failing[0]?.hint).toMatch(/grant s3:ListBucket on arn:aws:s3:::kubeflow-pipelines/);
    // The backend's components still work.
    expect(failingOf(parseReport(result)).filter((name) => name.startsWith("backend"))).toEqual([]);
    const text = await run(settings.endpoint, [], "text");
    expect(text.stdout.replace(/\s+/g, " ")).toMatch(
      /FAILS v2-launcher with team-1's keys: a task's input artifacts cannot be downloaded: ListObjectsV2 prefix=v2\/artifacts\/team-1\/.kfp-s3-probe\/\S+\/artifact \(no delimiter, max-keys 1000\) denied \[missing-action\]; fix: grant s3:ListBucket/,
    );
    expectNoSecretIn([result, text], 2);
  });

  it("a store that refuses CRC32 checksums: the v2 launcher fails on its upload (its root has a query string), every other component works", async () => {
    const proxy = await startRefusingProxy(settings.endpoint, (req) => req.headers["x-amz-checksum-crc32"] !== undefined, {
      status: 501,
      code: "NotImplemented",
      message: "A header you provided implies functionality that is not implemented",
    });
    try {
      const result = await run(proxy.endpoint);
      expect(proxy.refused()).toBeGreaterThan(0);
      expect(result.code).toBe(1);
      const report = parseReport(result);
      expect(failingOf(report)).toEqual(["team-1 v2-launcher"]);
      const launcher = componentsOf(report).find((c) => c.component === "v2-launcher");
      expect(launcher?.failing[0]).toMatchObject({
        call: "PutObject",
        operation: "put-checksum",
        cause: "checksum-rejected",
        effect: "outputs-not-uploaded",
      });
      // The upstream layout's launcher root has no query string: its uploads carry no CRC32, and it works.
      const upstream = parseReport(
        await run(proxy.endpoint, ["--launcher-config", launcherConfig({ providers: "minio:\n  default:\n    endpoint: unused:1\n" })]),
      );
      expect(
        componentsOf(upstream)
          .find((c) => c.component === "v2-launcher")
          ?.failing.map((f) => f.operation),
      ).not.toContain("put-checksum");
    } finally {
      await proxy.close();
    }
  });

  it("addressing: a launcher session whose endpoint serves virtual-hosted requests only: the v2 launcher fails, naming forcePathStyle; the others work", async () => {
    const virtualOnly = await startRefusingProxy(settings.endpoint, (req) => (req.url ?? "").startsWith(`/${settings.bucket}`), {
      status: 403,
      code: "SecondLevelDomainForbidden",
      message: "Please use virtual hosted style to access.",
    });
    try {
      const host = new URL(virtualOnly.endpoint).host;
      const config = launcherConfig({ providers: `minio:\n  default:\n    endpoint: ${host}\n    disableSSL: true\n    forcePathStyle: true\n` });
      const result = await run(settings.endpoint, ["--launcher-config", config]);
      expect(result.code).toBe(1);
      const report = parseReport(result);
      expect(failingOf(report)).toEqual(["team-1 v2-launcher"]);
      const launcher = componentsOf(report).find((c) => c.component === "v2-launcher");
      expect(launcher?.failing[0]).toMatchObject({
        call: "ListObjectsV2",
        errorKind: "addressing",
        cause: "component-client",
        shape: { addressing: "path", endpoint: virtualOnly.endpoint },
      });
      expect(launcher?.fix?.settings?.[0]).toMatch(/forcePathStyle/);
      expect(virtualOnly.refused()).toBeGreaterThan(0);
    } finally {
      await virtualOnly.close();
    }
  });

  it("TLS: a launcher session with disableSSL false against the store's plain-HTTP port: the v2 launcher fails, naming disableSSL; the others work", async () => {
    const host = new URL(settings.endpoint).host;
    const config = launcherConfig({ providers: `minio:\n  default:\n    endpoint: ${host}\n    disableSSL: false\n` });
    const result = await run(settings.endpoint, ["--launcher-config", config]);
    expect(result.code).toBe(1);
    const report = parseReport(result);
    expect(failingOf(report)).toEqual(["team-1 v2-launcher"]);
    const launcher = componentsOf(report).find((c) => c.component === "v2-launcher");
    expect(launcher?.failing[0]).toMatchObject({ call: "ListObjectsV2", cause: "component-client", shape: { endpoint: `https://${host}` } });
    expect(["tls", "plain-http"]).toContain(launcher?.failing[0]?.errorKind);
    expect(launcher?.fix?.settings?.[0]).toMatch(/disableSSL/);
  });

  it("a profile's namespace without a kfp-launcher ConfigMap: exit 1, its v2 launcher fails (KFP's built-in root, sent nothing), the one with a ConfigMap works", async () => {
    const config = launcherConfig({ providers: `minio:\n  default:\n    endpoint: ${new URL(settings.endpoint).host}\n    disableSSL: true\n` });
    const args = ["--identity", `team-2=${secretsDirOf("team-2")}`, "--launcher-config", config];
    const result = await run(settings.endpoint, args);
    expect(result.code).toBe(1);
    const report = parseReport(result);
    expect(failingOf(report)).toEqual(["team-2 v2-launcher"]);
    const launcher = componentsOf(report).find((c) => c.identity === "team-2" && c.component === "v2-launcher");
    expect(launcher?.failing).toEqual([
      expect.objectContaining({
        outcome: "misdirected",
        cause: "launcher-config-missing",
        fallback: { root: "minio://mlpipeline/v2/artifacts", endpoint: "http://seaweedfs.kubeflow:9000" },
      }),
    ]);
    expect(launcher?.fix).toMatchObject({ value: `minio://${settings.bucket}/v2/artifacts/team-2` });
    const text = await run(settings.endpoint, args, "text");
    expect(text.code).toBe(1);
    expect(text.stdout.split("\n")[0]).toMatch(/^FAIL \(exit 1\): 1 KFP component FAILS; /);
    expect(text.stdout.replace(/\s+/g, " ")).toMatch(
      /FAILS v2-launcher with team-2's keys: its tasks read and write their artifacts elsewhere, not in this bucket: no kfp-launcher ConfigMap for its namespace, so KFP's built-in session sends to minio:\/\/mlpipeline\/v2\/artifacts at http:\/\/seaweedfs\.kubeflow:9000 \[launcher-config-missing\]; fix: create the kfp-launcher ConfigMap in namespace team-2/,
    );
    expectNoSecretIn([result, text], 2);
  });

  it("a root with aws-sdk-go v1's query parameters (deployKF v0.1.5's): exit 1, the v2 launcher cannot open the bucket; gocloud's own names: it works", async () => {
    const host = encodeURIComponent(new URL(settings.endpoint).host);
    const root = `minio://${settings.bucket}/v2/artifacts/team-1`;
    const result = await run(settings.endpoint, [
      "--launcher-config",
      launcherConfig({ root: `${root}?region=unspecified&endpoint=${host}&disableSSL=true&s3ForcePathStyle=true` }),
    ]);
    expect(result.code).toBe(1);
    const report = parseReport(result);
    expect(failingOf(report)).toEqual(["team-1 v2-launcher"]);
    const launcher = componentsOf(report).find((c) => c.component === "v2-launcher");
    expect(launcher?.failing).toEqual([
      expect.objectContaining({ outcome: "unopened", cause: "launcher-root-parameters", refused: ["disableSSL", "s3ForcePathStyle"] }),
    ]);
    expect(launcher?.fix?.value).toBe(`?region=unspecified&endpoint=${host}&disable_https=true&use_path_style=true`);
    const text = await run(
      settings.endpoint,
      ["--launcher-config", launcherConfig({ root: `${root}?region=unspecified&endpoint=${host}&disableSSL=true&s3ForcePathStyle=true` })],
      "text",
    );
    expect(text.stdout.replace(/\s+/g, " ")).toMatch(
      /FAILS v2-launcher with team-1's keys: every task fails before its first request: the launcher cannot open the bucket: gocloud's URL opener refuses its root's query parameters disableSSL, s3ForcePathStyle \(unknown query parameter\) \[launcher-root-parameters\]; fix: in --launcher-config \S+ data\.defaultPipelineRoot, give the root's query string as gocloud's SDK v2 opener reads it: \?region=unspecified/,
    );
    // The names gocloud's SDK v2 opener reads: the launcher's requests go through that session, and work.
    const endpoint = encodeURIComponent(settings.endpoint);
    const fixed = await run(settings.endpoint, [
      "--launcher-config",
      launcherConfig({ root: `${root}?region=${settings.region}&endpoint=${endpoint}&disable_https=true&use_path_style=true` }),
    ]);
    expect(fixed.code).toBe(0);
    const fixedReport = parseReport(fixed);
    expect(failingOf(fixedReport)).toEqual([]);
    // Decided through that session, not left undecided: all but the importer's key (elsewhere).
    expect(componentsOf(fixedReport).find((c) => c.component === "v2-launcher")?.undecided).toBe(1);
    expectNoSecretIn([result, text, fixed], 3);
  });

  it("--kfp-version: a bad one is one line naming the field and the known releases; 2.14 judges that release's components", async () => {
    const bad = await run(settings.endpoint, ["--kfp-version", "3.1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^kfp-s3-probe: --kfp-version "3\.1": .*one of 2\.0, 2\.1, .*, 2\.17$/)]);
    const old = parseReport(await run(settings.endpoint, ["--kfp-version", "2.14"]));
    expect(componentsOf(old).map((c) => `${c.component} ${c.kfp}`)).toContain("v2-launcher 2.2.0 – 2.14.x");
    expect(componentsOf(old).map((c) => c.component)).not.toContain("ui-artifact-proxy");
  });
});
