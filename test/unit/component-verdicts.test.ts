// Per identity and KFP component: works, or fails on which request, with its effect and fix
// (src/core/component-plan.ts, component-verdicts.ts), on the in-memory store and on judged cells.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Log } from "sarif";
import { describe, expect, it } from "vitest";
import { type ComponentSettings, planComponents, shapesOf } from "../../src/core/component-plan.js";
import { effectOf, judgeComponent, ownFailures } from "../../src/core/component-verdicts.js";
import { NEWEST_KFP_RELEASE } from "../../src/core/components.js";
import { defaultLauncherSession, kfpDefaultSession, launcherSessionOf, refusedRootParameters } from "../../src/core/launcher.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { parseIgnoreRules } from "../../src/core/mute.js";
import { UsageError } from "../../src/core/usage-error.js";
import type { CheckResult, Observation } from "../../src/core/verdict.js";
import { readLauncherConfig } from "../../src/k8s/launcher-config.js";
import type { ProbeOptions } from "../../src/probe/engine.js";
import { diffReports } from "../../src/report/diff.js";
import { renderJunit } from "../../src/report/junit.js";
import { buildReport } from "../../src/report/model.js";
import { renderSarif } from "../../src/report/sarif.js";
import { renderText } from "../../src/report/text.js";
import { MemoryStore, within } from "../../testkit/memory-store.js";
import { MEMORY_BUCKET, MEMORY_RUN_ID, memoryBackend, memoryProfile, probeInMemory } from "../support/memory-run.js";
import { reportContext } from "../support/report-context.js";

const PROBE = { endpoint: "http://127.0.0.1:7480", forcePathStyle: true };
const settings = (overrides: Partial<ComponentSettings> = {}): ComponentSettings => ({
  release: NEWEST_KFP_RELEASE,
  layout: LAYOUTS.deploykf,
  bucket: "kfp",
  runId: MEMORY_RUN_ID,
  probe: PROBE,
  readOnly: false,
  launcher: (profile) => defaultLauncherSession(LAYOUTS.deploykf, profile),
  ...overrides,
});
const components = (overrides: Partial<ComponentSettings> = {}): NonNullable<ProbeOptions["components"]> => {
  const { release, probe, launcher } = settings(overrides);
  return { release, probe, launcher };
};

describe("which components run with an identity's keys", () => {
  it("the backend: the API server and the UI; a profile: the v2 launcher, Argo's executor and the UI's artifact proxy (2.17)", () => {
    const names = (role: Parameters<typeof planComponents>[1]) => planComponents("x", role, settings()).map((p) => p.component);
    expect(names({ kind: "backend" })).toEqual(["api-server", "ui"]);
    expect(names({ kind: "profile", profile: "team-1" })).toEqual(["ui-artifact-proxy", "v2-launcher", "argo-executor"]);
    expect(names({ kind: "anonymous" })).toEqual([]);
    // The artifact proxy was read for 2.17 only.
    expect(planComponents("x", { kind: "profile", profile: "team-1" }, settings({ release: "2.10" })).map((p) => p.component)).toEqual([
      "v2-launcher",
      "argo-executor",
    ]);
  });

  it("sends a request in a component's own shape only where it differs: the listings, Argo's Content-MD5, HeadBucket through another client", () => {
    const profile = shapesOf(planComponents("team-1", { kind: "profile", profile: "team-1" }, settings()));
    const ns = `.kfp-s3-probe/${MEMORY_RUN_ID}/`;
    // A listing of the same prefix and delimiter is sent once, whichever components list so.
    expect(profile.map((s) => s.request)).toEqual([
      { kind: "list", prefix: `v2/artifacts/team-1/${ns}artifact/`, delimiter: null, maxKeys: 300 },
      { kind: "list", prefix: `v2/artifacts/team-1/${ns}artifact`, delimiter: null, maxKeys: 1000 },
      { kind: "put-content-md5", key: `artifacts/team-1/${ns}team-1-content-md5` },
      { kind: "list", prefix: `artifacts/team-1/${ns}artifact/`, delimiter: "/", maxKeys: null },
      { kind: "list", prefix: `artifacts/team-1/${ns}artifact/`, delimiter: null, maxKeys: null },
    ]);
    expect(profile.every((s) => s.ownClient)).toBe(true);
    const backend = shapesOf(planComponents("backend", { kind: "backend" }, settings()));
    expect(backend.map((s) => s.request)).toEqual([{ kind: "list", prefix: `v2/artifacts/${ns}artifact/`, delimiter: null, maxKeys: 300 }]);
    // On AWS the API server (path-style, 2.17) differs from the probe's virtual-hosted client: its HeadBucket is sent its way.
    const aws = settings({ probe: { endpoint: "https://s3.eu-west-1.amazonaws.com", forcePathStyle: false } });
    const onAws = shapesOf(planComponents("backend", { kind: "backend" }, aws));
    expect(onAws.find((s) => s.request.kind === "head-bucket")?.client.forcePathStyle).toBe(true);
    // --read-only: no Content-MD5 upload; 2.14: Argo sent none yet.
    expect(
      shapesOf(planComponents("team-1", { kind: "profile", profile: "team-1" }, settings({ readOnly: true }))).map((s) => s.request.kind),
    ).not.toContain("put-content-md5");
    expect(
      shapesOf(planComponents("team-1", { kind: "profile", profile: "team-1" }, settings({ release: "2.14" }))).map((s) => s.request.kind),
    ).not.toContain("put-content-md5");
  });

  it("the launcher's CRC32 upload counts only where its root has a query string (deployKF's), and is the probe's put-checksum cell", () => {
    const crc = (launcher: ComponentSettings["launcher"]) =>
      planComponents("team-1", { kind: "profile", profile: "team-1" }, settings({ launcher }))
        .find((p) => p.component === "v2-launcher")
        ?.requests.filter((r) => r.request.headers.checksum === "crc32")
        .map((r) => r.decider);
    expect(crc((p) => defaultLauncherSession(LAYOUTS.deploykf, p))).toEqual([
      { by: "check", operation: "put-checksum", prefix: "v2/artifacts/team-1/" },
    ]);
    expect(crc((p) => defaultLauncherSession(LAYOUTS.kubeflow, p))).toEqual([]);
  });
});

describe("the kfp-launcher ConfigMap", () => {
  it("reads the root, the provider's endpoint, TLS and addressing as KFP does, and an override for the root's prefix", () => {
    const providers = {
      minio: {
        default: { endpoint: "seaweedfs.kubeflow:9000", disableSSL: true, forcePathStyle: true },
        overrides: [{ bucketName: "mlpipeline", keyPrefix: "private-artifacts/team-2/", endpoint: "s3.example:443", disableSSL: false }],
      },
    };
    const one = launcherSessionOf({ defaultPipelineRoot: "minio://mlpipeline/private-artifacts/team-1/v2/artifacts", providers }, "f");
    expect(one).toMatchObject({
      root: "private-artifacts/team-1/v2/artifacts/",
      endpoint: "http://seaweedfs.kubeflow:9000",
      forcePathStyle: true,
      tls: false,
    });
    const two = launcherSessionOf({ defaultPipelineRoot: "minio://mlpipeline/private-artifacts/team-2/v2/artifacts", providers }, "f");
    expect(two).toMatchObject({ endpoint: "https://s3.example:443", tls: true, source: "f.providers.minio.overrides[0]" });
    // s3.go: disableSSL defaults to false (https), forcePathStyle to true.
    expect(launcherSessionOf({ defaultPipelineRoot: "s3://b/r", providers: { s3: { default: { endpoint: "h:1" } } } }, "f")).toMatchObject({
      endpoint: "https://h:1",
      forcePathStyle: true,
    });
    // No provider for the scheme: the default MinIO session, plain HTTP at the probe's endpoint.
    expect(launcherSessionOf({}, "f")).toMatchObject({ root: "v2/artifacts/", endpoint: null, tls: false, forcePathStyle: true });
    // A query string: gocloud's URL opener, virtual-hosted unless use_path_style=true.
    const query = launcherSessionOf({ defaultPipelineRoot: "s3://b/v2/artifacts/team-1?region=us-east-1&endpoint=http://h:9000" }, "f");
    expect(query).toMatchObject({ queryString: true, endpoint: "http://h:9000", forcePathStyle: false });
  });

  it("refuses a root it cannot read, or a disableSSL that is no boolean, naming the field", () => {
    expect(() => launcherSessionOf({ defaultPipelineRoot: "http://x/y" }, "kfp-launcher.yaml data")).toThrow(
      new UsageError("kfp-launcher.yaml data.defaultPipelineRoot must be minio://, s3:// or gs://BUCKET/PATH, e.g. minio://mlpipeline/v2/artifacts"),
    );
    expect(() => launcherSessionOf({ defaultPipelineRoot: "minio://b/r", providers: { minio: { default: { disableSSL: "maybe" } } } }, "d")).toThrow(
      /d\.providers\.minio\.default\.disableSSL must be true or false/,
    );
  });
});

describe("a namespace without a kfp-launcher ConfigMap", () => {
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-launcher-")), "kfp-launcher.yaml");
  writeFileSync(
    file,
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kfp-launcher\n  namespace: team-1\ndata:\n  defaultPipelineRoot: minio://kfp/v2/artifacts/team-1\n",
  );
  const team2 = { kind: "profile", profile: "team-2" } as const;
  const launcherPlan = (overrides: Partial<ComponentSettings>) =>
    planComponents("team-2", team2, settings(overrides)).find((p) => p.component === "v2-launcher");

  it("falls back, as KFP's launcher does, to minio://mlpipeline/v2/artifacts over plain HTTP: minio-service up to 2.14, seaweedfs from 2.15", () => {
    const sessions = readLauncherConfig(file, "2.17");
    expect(sessions("team-1")).toMatchObject({ origin: "config-map", bucket: "kfp", root: "v2/artifacts/team-1/" });
    expect(sessions("team-2")).toMatchObject({
      origin: "kfp-default",
      bucket: "mlpipeline",
      root: "v2/artifacts/",
      endpoint: "http://seaweedfs.kubeflow:9000",
      tls: false,
    });
    expect(readLauncherConfig(file, "2.10")("team-2").endpoint).toBe("http://minio-service.kubeflow:9000");
  });

  it("the launcher fails as a whole, sends nothing, counts toward exit 1, and the fix is the ConfigMap with the layout's root", () => {
    const plan = launcherPlan({ launcher: readLauncherConfig(file, "2.17") });
    if (!plan) throw new Error("no launcher plan");
    expect(plan.requests.every((r) => r.decider.by === "none")).toBe(true);
    expect(shapesOf([plan])).toEqual([]);
    const verdict = judgeComponent(plan, { results: [], shapes: new Map(), bucket: "kfp" });
    expect(verdict).toMatchObject({ works: false, effect: "artifacts-elsewhere" });
    expect(verdict.failing).toHaveLength(1);
    expect(verdict.failing[0]).toMatchObject({
      outcome: "misdirected",
      cause: "launcher-config-missing",
      fallback: { root: "minio://mlpipeline/v2/artifacts", endpoint: "http://seaweedfs.kubeflow:9000" },
    });
    expect(verdict.fix).toMatchObject({
      where: "kfp-setting",
      value: "minio://kfp/v2/artifacts/team-2",
      settings: ["kfp-launcher ConfigMap in namespace team-2: defaultPipelineRoot"],
    });
    expect(ownFailures([verdict])).toBe(1);
  });

  it("where this bucket is KFP's default mlpipeline, the launcher's requests are decided here, under v2/artifacts/, at the probe's endpoint", () => {
    // A port-forward: the probe's name for the store is not the launcher's in-cluster one.
    const probe = { endpoint: "http://localhost:9000", forcePathStyle: true };
    const plan = launcherPlan({ bucket: "mlpipeline", probe, launcher: () => kfpDefaultSession("2.17", "team-2", "f") });
    expect(plan?.fallback).toBeUndefined();
    const [list] = shapesOf(plan ? [plan] : []);
    expect(list?.request).toMatchObject({ kind: "list", prefix: expect.stringMatching(/^v2\/artifacts\/\.kfp-s3-probe\//) });
    expect(list?.client).toEqual(probe);
  });

  it("on Amazon's S3 the root to set is s3://", () => {
    const probe = { endpoint: "https://s3.us-east-1.amazonaws.com", forcePathStyle: false };
    const plan = launcherPlan({ probe, launcher: readLauncherConfig(file, "2.17") });
    expect(plan ? judgeComponent(plan, { results: [], shapes: new Map(), bucket: "kfp" }).fix?.value : null).toBe("s3://kfp/v2/artifacts/team-2");
  });

  it("a ConfigMap whose root is in another bucket: the launcher's requests are not decided here, and nothing is sent", () => {
    const other = { ...defaultLauncherSession(LAYOUTS.deploykf, "team-2"), bucket: "elsewhere", origin: "config-map" as const };
    const plan = launcherPlan({ launcher: () => other });
    if (!plan) throw new Error("no launcher plan");
    expect(plan.requests.length).toBeGreaterThan(0);
    expect(plan.requests.map((r) => r.decider)).toEqual(plan.requests.map(() => ({ by: "none", why: "other-bucket" })));
    // Nothing failed, nothing decided: each request counted as undecided, and the component not judged, naming the bucket.
    expect(judgeComponent(plan, { results: [], shapes: new Map(), bucket: "kfp" })).toMatchObject({
      works: true,
      failing: [],
      undecided: plan.requests.length,
      unjudged: { reason: "other-bucket", bucket: "elsewhere" },
    });
  });
});

describe("a launcher root whose query string KFP's URL opener refuses", () => {
  // deployKF v0.1.5's kfp-launcher root (generator/default_values.yaml): aws-sdk-go v1's parameter names.
  const deployKF =
    "minio://kfp/v2/artifacts/team-1?region=unspecified&endpoint=deploykf-minio-api.deploykf-minio.svc.cluster.local%3A9000&disableSSL=true&s3ForcePathStyle=true";
  const session = launcherSessionOf({ defaultPipelineRoot: deployKF }, "kfp-launcher.yaml data");

  it("gocloud.dev v0.40.0 (KFP 2.4.1 to 2.17) refuses disableSSL and s3ForcePathStyle; the query it takes renames them; 2.3 (v0.22.0, SDK v1) takes them", () => {
    expect(refusedRootParameters("2.17", session)).toEqual({
      refused: ["disableSSL", "s3ForcePathStyle"],
      fixed: "region=unspecified&endpoint=deploykf-minio-api.deploykf-minio.svc.cluster.local%3A9000&disable_https=true&use_path_style=true",
    });
    expect(refusedRootParameters("2.4", session)?.refused).toEqual(["disableSSL", "s3ForcePathStyle"]);
    expect(refusedRootParameters("2.3", session)).toBeNull();
    const v1 = launcherSessionOf({ defaultPipelineRoot: `${deployKF}&awssdk=v1` }, "d");
    expect(refusedRootParameters("2.17", v1)).toBeNull();
    const v2 = launcherSessionOf(
      { defaultPipelineRoot: "s3://kfp/v2/artifacts/team-1?region=us-east-1&endpoint=http://h:9000&use_path_style=true" },
      "d",
    );
    expect(refusedRootParameters("2.17", v2)).toBeNull();
    // The installer's assumed root (no --launcher-config) has no known query string: nothing to refuse.
    expect(refusedRootParameters("2.17", defaultLauncherSession(LAYOUTS.deploykf, "team-1"))).toBeNull();
  });

  it("the launcher fails as a whole, sends nothing, counts toward exit 1, and the fix is the query string gocloud takes", () => {
    const plan = planComponents("team-1", { kind: "profile", profile: "team-1" }, settings({ launcher: () => session })).find(
      (p) => p.component === "v2-launcher",
    );
    if (!plan) throw new Error("no launcher plan");
    expect(shapesOf([plan])).toEqual([]);
    const verdict = judgeComponent(plan, { results: [], shapes: new Map(), bucket: "kfp" });
    expect(verdict).toMatchObject({ works: false, effect: "bucket-not-opened" });
    expect(verdict.failing).toEqual([
      expect.objectContaining({ outcome: "unopened", cause: "launcher-root-parameters", refused: ["disableSSL", "s3ForcePathStyle"] }),
    ]);
    expect(verdict.fix).toMatchObject({
      settings: ["kfp-launcher.yaml data.defaultPipelineRoot"],
      value: expect.stringMatching(/&disable_https=true&use_path_style=true$/),
    });
    expect(ownFailures([verdict])).toBe(1);
  });
});

describe("component verdicts on the in-memory store", () => {
  it("the reference backend and profile: every component works, at least two per identity, and no shape failure", async () => {
    const store = new MemoryStore();
    const run = await probeInMemory([memoryBackend(store), memoryProfile(store, "team-1")], { components: components() });
    const verdicts = run.components ?? [];
    expect(verdicts.filter((v) => v.identity === "backend").length).toBeGreaterThanOrEqual(2);
    expect(verdicts.filter((v) => v.identity === "team-1").length).toBeGreaterThanOrEqual(2);
    expect(verdicts.filter((v) => !v.works)).toEqual([]);
    expect(ownFailures(verdicts)).toBe(0);
    // Everything the probe wrote in a component's shape was removed.
    expect(run.cleanup.leftovers).toEqual([]);
    expect([...store.objects.keys()].filter((k) => k.includes("content-md5"))).toEqual([]);
  });

  it("a profile that may not list at all: the v2 launcher fails on ListObjectsV2 when it downloads an input artifact, with the grant", async () => {
    const store = new MemoryStore();
    const mayDo = within(["artifacts/team-1/", "v2/artifacts/team-1/"]);
    const noList: Parameters<typeof probeInMemory>[0][number] = {
      name: "team-1",
      role: { kind: "profile", profile: "team-1" },
      port: store.portFor(mayDo, () => false),
    };
    const run = await probeInMemory([memoryBackend(store), noList], { components: components() });
    const launcher = run.components?.find((v) => v.identity === "team-1" && v.component === "v2-launcher");
    expect(launcher?.works).toBe(false);
    expect(launcher?.failing[0]).toMatchObject({
      call: "ListObjectsV2",
      outcome: "denied",
      cause: "missing-action",
      effect: "inputs-not-downloaded",
    });
    expect(launcher?.fix).toEqual({
      where: "identity-policy",
      change: "grant",
      actions: ["s3:ListBucket"],
      resource: "arn:aws:s3:::kfp",
      condition: { operator: "StringLike", key: "s3:prefix", values: ["v2/artifacts/team-1/*"] },
    });
    expect(run.components?.filter((v) => v.identity === "backend").every((v) => v.works)).toBe(true);
  });

  it("muted by --ignore-file: the launcher's failures (its own listing, and the cells it is decided on) are muted with them; exit 0, MUTED in text, JUnit and SARIF, not worse in diff", async () => {
    const store = new MemoryStore();
    const mayDo = within(["artifacts/team-1/", "v2/artifacts/team-1/"]);
    const noList = { name: "team-1", role: { kind: "profile", profile: "team-1" }, port: store.portFor(mayDo, () => false) } as const;
    const run = await probeInMemory([memoryBackend(store), noList], { components: components() });
    const identities = [memoryBackend(store), noList].map(({ name, role }) => ({ name, role, credentialSource: "dir", accessKeyIdHint: "…ABCD" }));
    const report = (ignore: string) =>
      buildReport(
        run,
        reportContext({
          store: { bucket: MEMORY_BUCKET },
          identities,
          output: { ignore: { file: "known.txt", rules: parseIgnoreRules(ignore, "--ignore-file known.txt") } },
        }),
      );
    const unmuted = report("# nothing\n");
    expect(unmuted.exitCode).toBe(1);
    const muted = report("missing-action team-1\n");
    expect(muted.checks.filter((c) => c.verdict === "missing").every((c) => c.muted)).toBe(true);
    const launcher = muted.components?.find((c) => c.component === "v2-launcher");
    expect(launcher?.works).toBe(false);
    expect(launcher?.failing.length).toBeGreaterThan(0);
    expect(launcher?.failing.every((f) => f.muted?.by === "ignore-file")).toBe(true);
    expect(muted.exitCode).toBe(0);
    expect(renderText(muted, false, { width: 300 })).toMatch(/^ {2}MUTED {2}v2-launcher with team-1's keys: /m);
    expect(renderText(muted, false, { width: 300 })).not.toMatch(/FAILS {2}v2-launcher/);
    expect(renderJunit(muted)).toMatch(/<system-out>MUTED FAILS: /);
    expect(renderJunit(muted)).not.toContain('type="FAILS"');
    const sarif = JSON.parse(renderSarif(muted)) as Log;
    const results = sarif.runs[0]?.results?.filter((r) => r.properties?.component === "v2-launcher") ?? [];
    expect(results.length).toBe(1);
    expect(results[0]?.suppressions?.length).toBe(1);
    expect(diffReports(unmuted, muted).components.failing).toEqual([]);
    expect(diffReports(muted, unmuted).components.failing.map((c) => c.component)).toContain("v2-launcher");
  });

  it("a profile that may not write: the launcher and Argo fail on PutObject, the decided cell named", async () => {
    const store = new MemoryStore();
    const readOnlyProfile = within(["artifacts/team-1/", "v2/artifacts/team-1/"]);
    const port = store.portFor((action, key) => action !== "s3:PutObject" && readOnlyProfile(action, key));
    const run = await probeInMemory([memoryBackend(store), { name: "team-1", role: { kind: "profile", profile: "team-1" }, port }], {
      components: components(),
    });
    const failing = (component: string) =>
      run.components?.find((v) => v.component === component)?.failing.map((f) => [f.call, f.operation ?? f.shape?.request.kind]);
    expect(failing("v2-launcher")).toContainEqual(["PutObject", "put"]);
    expect(failing("argo-executor")).toContainEqual(["PutObject", "put-content-md5"]);
    expect(run.components?.find((v) => v.component === "argo-executor")?.effect).toBe("outputs-not-uploaded");
  });
});

describe("judging one component from its evidence", () => {
  it("a request sent through the component's own client that fails for TLS names the component's setting, not the probe's flag", () => {
    const launcher = { ...defaultLauncherSession(LAYOUTS.deploykf, "team-1"), endpoint: "https://127.0.0.1:7480", tls: true };
    const [plan] = planComponents("team-1", { kind: "profile", profile: "team-1" }, settings({ launcher: () => launcher })).filter(
      (p) => p.component === "v2-launcher",
    );
    if (!plan) throw new Error("no launcher plan");
    const [list] = shapesOf([plan]);
    if (!list) throw new Error("no list shape");
    expect(list.ownClient).toBe(false);
    const tls: Observation = { outcome: "error", errorKind: "tls", evidence: [{ request: "ListObjectsV2", errorName: "EPROTO" }] };
    const verdict = judgeComponent(plan, { results: [], shapes: new Map([[list.id, tls]]), bucket: "kfp" });
    expect(verdict.works).toBe(false);
    expect(verdict.failing[0]).toMatchObject({
      cause: "component-client",
      errorKind: "tls",
      shape: { addressing: "path", endpoint: "https://127.0.0.1:7480" },
    });
    expect(verdict.fix?.settings).toEqual(["kfp-launcher providers.<scheme>.default.disableSSL"]);
    expect(ownFailures([verdict])).toBe(1);
    // Nothing decided (no cell, no answer): not failing, counted as undecided.
    expect(judgeComponent(plan, { results: [], shapes: new Map(), bucket: "kfp" })).toMatchObject({ works: true, undecided: plan.requests.length });
  });

  it("a store failure through the probe's own client is the cells' to tell: a mangled signature is request-mangled, and no exit 1 of its own", () => {
    const [plan] = planComponents("team-1", { kind: "profile", profile: "team-1" }, settings()).filter((p) => p.component === "v2-launcher");
    const [list] = shapesOf(plan ? [plan] : []);
    if (!plan || !list) throw new Error("no launcher plan");
    const mangled: Observation = { outcome: "error", errorKind: "signature", evidence: [] };
    const allowedCell: CheckResult = {
      identity: "team-1",
      target: null,
      operation: "head-bucket",
      expectation: "optional",
      verdict: "ok",
      observation: { outcome: "allowed", evidence: [] },
    };
    const verdict = judgeComponent(plan, { results: [allowedCell], shapes: new Map([[list.id, mangled]]), bucket: "kfp" });
    expect(verdict.failing[0]?.cause).toBe("request-mangled");
    expect(ownFailures([verdict])).toBe(0);
    // Keys that nothing took: the secret.
    expect(judgeComponent(plan, { results: [], shapes: new Map([[list.id, mangled]]), bucket: "kfp" }).failing[0]?.cause).toBe("wrong-secret");
  });

  it("the API server's bucket check: from 2.16 a denied HeadBucket is only KFP's warning (it goes on); before, it stops the server", () => {
    const deniedHeadBucket: CheckResult = {
      identity: "backend",
      target: null,
      operation: "head-bucket",
      expectation: "required",
      verdict: "missing",
      observation: { outcome: "denied", evidence: [{ request: "HeadBucket", status: 403, errorName: "AccessDenied" }] },
      cause: "missing-action",
      remedy: { where: "identity-policy", change: "grant", actions: ["s3:ListBucket"], resource: "arn:aws:s3:::kfp" },
    };
    const apiServer = (release: string) => {
      const plan = planComponents("backend", { kind: "backend" }, settings({ release })).find((p) => p.component === "api-server");
      if (!plan) throw new Error(`no API server plan in ${release}`);
      return judgeComponent(plan, { results: [deniedHeadBucket], shapes: new Map(), bucket: "kfp" });
    };
    for (const release of ["2.16", "2.17"]) {
      const verdict = apiServer(release);
      expect(verdict).toMatchObject({ works: true, failing: [], effect: null });
      expect(verdict.warnings?.map((w) => [w.call, w.effect, w.cause])).toEqual([["HeadBucket", "warns-at-start", "missing-action"]]);
    }
    for (const release of ["2.14", "2.15"]) {
      const verdict = apiServer(release);
      expect(verdict).toMatchObject({ works: false, effect: "stops-at-start" });
      expect(verdict.warnings).toBeUndefined();
    }
    // Through the API server's own client (path-style, where the probe is virtual-hosted) a HeadBucket that fails to connect is no warning:
    // its client's other requests fail the same way.
    const virtualHosted = { endpoint: "http://127.0.0.1:7480", forcePathStyle: false };
    const plan = planComponents("backend", { kind: "backend" }, settings({ release: "2.17", probe: virtualHosted })).find(
      (p) => p.component === "api-server",
    );
    const [headBucket] = shapesOf(plan ? [plan] : []);
    if (!plan || !headBucket) throw new Error("no HeadBucket through the API server's client");
    const addressing: Observation = { outcome: "error", errorKind: "addressing", evidence: [] };
    const verdict = judgeComponent(plan, { results: [], shapes: new Map([[headBucket.id, addressing]]), bucket: "kfp" });
    expect(verdict).toMatchObject({ works: false, effect: "stops-at-start" });
    expect(verdict.failing[0]?.cause).toBe("component-client");
    expect(verdict.warnings).toBeUndefined();
  });

  it("each request's effect follows from the component and the call", () => {
    expect(effectOf("v2-launcher", "ListObjectsV2")).toBe("inputs-not-downloaded");
    expect(effectOf("ui", "GetObject")).toBe("artifacts-not-shown");
    expect(effectOf("api-server", "HeadBucket")).toBe("stops-at-start");
    expect(effectOf("argo-executor", "CreateMultipartUpload")).toBe("large-outputs-not-uploaded");
  });
});
