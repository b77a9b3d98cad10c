// deployKF values in, the probe's settings and the Kubernetes Job out; JUnit for CI.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { XMLParser } from "fast-xml-parser";
import { Job } from "kubernetes-models/batch/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { parseArgs, UsageError } from "../../src/cli/settings/resolve.js";
import { EXIT_CODES, exitCodeOf } from "../../src/core/exit-codes.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { planFor } from "../../src/core/plan.js";
import { countVerdicts } from "../../src/core/summary.js";
import { assess, type CheckResult, type Observation } from "../../src/core/verdict.js";
import { readDeploykfValues } from "../../src/deploykf/values.js";
import { JOB_NODE_OPTIONS, jobManifest, RUN_LABEL } from "../../src/k8s/job.js";
import { renderJunit } from "../../src/report/junit.js";
import { buildReport } from "../../src/report/model.js";
import { jobApiErrors, jobOutcome } from "../support/job-api.js";
import type { Parsed } from "../support/parsed.js";
import { reportContext } from "../support/report-context.js";
import { runMain } from "../support/run-main.js";

/** `kfp-s3-probe job ARGV` as a user runs it: the manifest it prints, or its one-line error thrown. */
async function jobCommand(argv: string[]): Promise<string> {
  const { code, stdout, stderr } = await runMain(["job", ...argv]);
  if (code !== 0) throw new Error(stderr);
  return stdout;
}

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = join(root, "fixtures", "deploykf", "values.yaml");

function valuesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-values-")), "values.yaml");
  writeFileSync(file, text);
  return file;
}

/** The fixture with one YAML path changed. */
function fixtureWith(edit: (doc: Record<string, Parsed>) => void): string {
  const doc = parseYaml(readFileSync(fixture, "utf8")) as Record<string, Parsed>;
  edit(doc);
  return valuesFile(JSON.stringify(doc));
}

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("no usage error");
}

describe("deployKF values", () => {
  it("endpoint, bucket, region, and the backend and each profile with its Secret and key names", () => {
    const settings = readDeploykfValues(fixture);
    expect(settings).toMatchObject({ endpoint: "http://minio.minio.svc.cluster.local:9000", bucket: "kubeflow-pipelines", region: "us-east-1" });
    expect(settings.identities).toEqual([
      {
        name: "backend",
        role: { kind: "backend" },
        secret: {
          name: "kubeflow-pipelines--backend-object-store-auth",
          namespace: "kubeflow",
          accessKeyKey: "access_key",
          secretKeyKey: "secret_key",
        },
      },
      {
        name: "team-1",
        role: { kind: "profile", profile: "team-1" },
        secret: {
          name: "kubeflow-pipelines--profile-object-store-auth--team-1",
          namespace: "kubeflow",
          accessKeyKey: "access_key",
          secretKeyKey: "secret_key",
        },
      },
      {
        name: "team-2",
        role: { kind: "profile", profile: "team-2" },
        secret: {
          name: "kubeflow-pipelines--profile-object-store-auth--team-2",
          namespace: "kubeflow",
          accessKeyKey: "access_key",
          secretKeyKey: "secret_key",
        },
      },
    ]);
  });

  it("a profile's own objectStoreAuth wins over the defaults, in the profile's namespace (deployKF's default); useSSL defaults to https; no port, no colon", () => {
    const file = fixtureWith((doc) => {
      doc.deploykf_core.deploykf_profiles_generator.profiles[1].tools = { kubeflowPipelines: { objectStoreAuth: { existingSecret: "team-2-s3" } } };
      delete doc.kubeflow_tools.pipelines.objectStore.useSSL;
      delete doc.kubeflow_tools.pipelines.objectStore.port;
    });
    const settings = readDeploykfValues(file);
    expect(settings.endpoint).toBe("https://minio.minio.svc.cluster.local");
    expect(settings.identities[2]?.secret).toEqual({
      name: "team-2-s3",
      namespace: "team-2",
      accessKeyKey: "access_key",
      secretKeyKey: "secret_key",
    });
  });

  it("fromEnv (IRSA): every identity uses the credential chain", async () => {
    const file = fixtureWith((doc) => {
      doc.kubeflow_tools.pipelines.objectStore.auth = { fromEnv: true };
    });
    expect(readDeploykfValues(file).identities.every((i) => i.secret === null)).toBe(true);
    const config = await parseArgs(["--values", file], {});
    expect(config?.identities.map((i) => i.credentials.source)).toEqual(["chain", "chain", "chain"]);
  });

  it("--values with --secrets-root: each Secret is read from its directory, with its own key names", async () => {
    const config = await parseArgs(["--values", fixture, "--secrets-root", "/secrets"], {});
    expect(config?.store).toMatchObject({
      endpoint: "http://minio.minio.svc.cluster.local:9000",
      bucket: "kubeflow-pipelines",
      region: "us-east-1",
      regionSource: "deploykf",
    });
    expect(config?.identities[1]?.credentials).toEqual({
      source: "dir",
      directory: "/secrets/kubeflow-pipelines--profile-object-store-auth--team-1",
      variables: { accessKeyId: "access_key", secretAccessKey: "secret_key" },
    });
  });

  it.each<[string, (doc: Record<string, Parsed>) => void, RegExp]>([
    [
      "a bad port",
      (doc) => (doc.kubeflow_tools.pipelines.objectStore.port = "99999"),
      /kubeflow_tools\.pipelines\.objectStore\.port: 99999 is not a port/,
    ],
    ["an unknown key", (doc) => (doc.kubeflow_tools.pipelines.objectStore.hots = "x"), /kubeflow_tools\.pipelines\.objectStore\.hots: unknown key/],
    [
      "a host with a scheme",
      (doc) => (doc.kubeflow_tools.pipelines.objectStore.host = "http://minio"),
      /objectStore\.host: http:\/\/minio is not a host name/,
    ],
    [
      "a bad profile name",
      (doc) => (doc.deploykf_core.deploykf_profiles_generator.profiles[0].name = "Team_1"),
      /profiles\[0\]\.name: Team_1 is not a valid profile/,
    ],
    ["useSSL not a boolean", (doc) => (doc.kubeflow_tools.pipelines.objectStore.useSSL = "yes"), /objectStore\.useSSL: must be true or false/],
  ])("%s: one line naming the YAML path", (_what, edit, expected) => {
    const message = usageMessage(() => readDeploykfValues(fixtureWith(edit)));
    expect(message).toMatch(expected);
    expect(message).not.toContain("\n");
  });

  it("--values without --secrets-root says which Secret it would read", async () => {
    await expect(parseArgs(["--values", fixture], {})).rejects.toThrow(
      /--values needs --secrets-root DIR.*backend's is kubeflow-pipelines--backend-object-store-auth/,
    );
  });
});

// deployKF's defaults, as its generator has them (generator/default_values.yaml and the templates
// that read it): the embedded MinIO's Service and generated Secrets, the bucket's name, AWS S3.
const embeddedFixture = join(root, "fixtures", "deploykf", "embedded-minio.yaml");

describe("deployKF's defaults: the embedded MinIO and every key deployKF defaults", () => {
  const generated = (name: string) => ({ name, namespace: "deploykf-minio", accessKeyKey: "access_key", secretKeyKey: "secret_key" });

  it("useExternal: false: the embedded MinIO's Service (plain HTTP, 9000), the default bucket, and the Secrets its job generates", () => {
    const settings = readDeploykfValues(embeddedFixture);
    expect(settings.endpoint).toBe("http://deploykf-minio-api.deploykf-minio.svc.cluster.local:9000");
    expect(settings.bucket).toBe("kubeflow-pipelines");
    expect(settings.region).toBeUndefined();
    expect(settings.identities.map((i) => [i.name, i.secret])).toEqual([
      ["backend", generated("generated--kubeflow-pipelines--backend-object-store-auth")],
      ["team-1", generated("generated--kubeflow-pipelines--profile-object-store-auth--team-1")],
      ["team-1-prod", generated("generated--kubeflow-pipelines--profile-object-store-auth--team-1-prod")],
    ]);
  });

  it("--values with the embedded MinIO: the run's endpoint and bucket, and each Secret's directory and key names", async () => {
    const config = await parseArgs(["--values", embeddedFixture, "--secrets-root", "/secrets"], {});
    expect(config?.store).toMatchObject({
      endpoint: "http://deploykf-minio-api.deploykf-minio.svc.cluster.local:9000",
      bucket: "kubeflow-pipelines",
    });
    expect(config?.settings.endpoint?.source).toBe("deploykf");
    expect(config?.identities[0]?.credentials).toEqual({
      source: "dir",
      directory: "/secrets/generated--kubeflow-pipelines--backend-object-store-auth",
      variables: { accessKeyId: "access_key", secretAccessKey: "secret_key" },
    });
  });

  it("a values file that says nothing of the store: deployKF's defaults (embedded MinIO in its namespace, the default bucket)", () => {
    const settings = readDeploykfValues(valuesFile("deploykf_opt:\n  deploykf_minio:\n    namespace: my-minio\n"));
    expect(settings).toMatchObject({ endpoint: "http://deploykf-minio-api.my-minio.svc.cluster.local:9000", bucket: "kubeflow-pipelines" });
    expect(settings.identities).toEqual([
      {
        name: "backend",
        role: { kind: "backend" },
        secret: { ...generated("generated--kubeflow-pipelines--backend-object-store-auth"), namespace: "my-minio" },
      },
    ]);
  });

  it("useExternal: true with deployKF's defaults: AWS S3 over https, and the backend's Secret deployKF makes from accessKey/secretKey", () => {
    const file = valuesFile(
      "kubeflow_tools:\n  pipelines:\n    objectStore:\n      useExternal: true\n      auth:\n        accessKey: placeholder-access-key\n        secretKey: placeholder-secret-key\n",
    );
    const settings = readDeploykfValues(file);
    expect(settings.endpoint).toBe("https://s3.amazonaws.com");
    expect(settings.identities[0]?.secret).toEqual({
      name: "kubeflow-pipelines--backend-object-store-auth",
      namespace: "kubeflow",
      accessKeyKey: "access_key",
      secretKeyKey: "secret_key",
    });
  });

  it("existingSecret for the backend: deployKF's key names AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY unless the values name others", () => {
    const file = fixtureWith((doc) => {
      doc.kubeflow_tools.pipelines.objectStore.auth = { existingSecret: "my-s3" };
    });
    expect(readDeploykfValues(file).identities[0]?.secret).toEqual({
      name: "my-s3",
      namespace: "kubeflow",
      accessKeyKey: "AWS_ACCESS_KEY_ID",
      secretKeyKey: "AWS_SECRET_ACCESS_KEY",
    });
  });

  it("the Job's copy of the values never carries auth.accessKey or auth.secretKey, and reads back to the same settings", () => {
    const settings = readDeploykfValues(embeddedFixture);
    const copy = JSON.stringify(settings.subset);
    expect(copy).toContain("useExternal");
    expect(copy).not.toContain("placeholder-access-key");
    expect(copy).not.toContain("placeholder-secret-key");
    const again = readDeploykfValues(valuesFile(copy));
    expect({ ...again, subset: undefined }).toEqual({ ...settings, subset: undefined });
  });

  it("job with the embedded MinIO: its Secrets are in deploykf-minio, so the Job is made there and mounts the generated Secrets", async () => {
    await expect(jobCommand(["--values", embeddedFixture])).rejects.toThrow(/generate the Job there: --namespace deploykf-minio/);
    const manifest = await jobCommand(["--values", embeddedFixture, "--namespace", "deploykf-minio"]);
    expect(manifest).toContain("secretName: generated--kubeflow-pipelines--profile-object-store-auth--team-1-prod");
  });

  it.each<[string, string, RegExp]>([
    [
      "a typo in a section name (it would otherwise mean the embedded MinIO)",
      "kubeflow_tools:\n  pipelines:\n    objectstore:\n      useExternal: true\n",
      /kubeflow_tools\.pipelines\.objectstore: unknown key \(known here: .*objectStore/,
    ],
    ["a top-level section deployKF does not have", "endpoint: http://minio:9000\n", /endpoint: not a section of deployKF's values/],
    [
      "an unknown key of the embedded MinIO",
      "deploykf_opt:\n  deploykf_minio:\n    namespaces: x\n",
      /deploykf_opt\.deploykf_minio\.namespaces: unknown key/,
    ],
    [
      "fromEnv with the embedded MinIO",
      "kubeflow_tools:\n  pipelines:\n    objectStore:\n      auth:\n        fromEnv: true\n",
      /objectStore\.auth\.fromEnv: must be false where kubeflow_tools\.pipelines\.objectStore\.useExternal is false/,
    ],
    [
      "the embedded MinIO turned off while KFP uses it",
      "deploykf_opt:\n  deploykf_minio:\n    enabled: false\n",
      /deploykf_opt\.deploykf_minio\.enabled: must be true where/,
    ],
    [
      "a profile Secret name without {profile_name} for the embedded MinIO",
      "deploykf_core:\n  deploykf_profiles_generator:\n    profileDefaults:\n      tools:\n        kubeflowPipelines:\n          objectStoreAuth:\n            existingSecret: one-for-all\n",
      /objectStoreAuth\.existingSecret: one-for-all lacks \{profile_name\}/,
    ],
    [
      "an unknown key of profileDefaults",
      "deploykf_core:\n  deploykf_profiles_generator:\n    profileDefault:\n      tools: {}\n",
      /deploy_?kf_core\.deploykf_profiles_generator\.profileDefault: unknown key/,
    ],
  ])("%s: refused in one line naming the key", (_what, text, expected) => {
    const message = usageMessage(() => readDeploykfValues(valuesFile(text)));
    expect(message).toMatch(expected);
    expect(message).not.toContain("\n");
  });
});

describe("the Kubernetes Job", () => {
  const settings = readDeploykfValues(fixture);
  const manifest = jobManifest(settings, {
    namespace: "kubeflow",
    runId: "20261201T120000Z-0123456789ab",
    namePrefix: "kfp-s3-probe-",
    image: "kfp-s3-probe:0.1.0",
    ttlSeconds: 86_400,
    deadlineSeconds: 600,
  });
  const documents = parseAllDocuments(manifest).map((d) => d.toJSON() as Record<string, Parsed>);
  const jobDoc = documents[0];

  it("parses as YAML and passes the Kubernetes schema (kubernetes-models)", () => {
    expect(parseAllDocuments(manifest).every((d) => d.errors.length === 0)).toBe(true);
    // One object, with a generated name: a second `kubectl create` is a second run, not a conflict.
    expect(documents).toHaveLength(1);
    expect(jobDoc?.metadata).toMatchObject({ generateName: "kfp-s3-probe-", namespace: "kubeflow" });
    expect(jobDoc?.metadata.name).toBeUndefined();
    expect(() => new Job(jobDoc as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    // The validator does reject a broken Job.
    expect(() =>
      new Job({ ...jobDoc, spec: { ...jobDoc?.spec, backoffLimit: "zero" } } as ConstructorParameters<typeof Job>[0]).validate(),
    ).toThrow();
  });

  it("mounts each Secret under /secrets/<name>, read-only, and runs the probe on the values it ships", () => {
    const pod = jobDoc?.spec.template.spec;
    const container = pod.containers[0];
    expect(container.args).toEqual([
      "--values",
      "/etc/kfp-s3-probe/values.yaml",
      "--secrets-root",
      "/secrets",
      "--output",
      "json",
      "--timeout",
      "570",
      "--exit-code",
      "0",
    ]);
    const secretVolumes = Object.fromEntries(pod.volumes.filter((v: Parsed) => v.secret).map((v: Parsed) => [v.name, v.secret.secretName]));
    const mounts = Object.fromEntries(
      container.volumeMounts.filter((m: Parsed) => secretVolumes[m.name]).map((m: Parsed) => [secretVolumes[m.name], m]),
    );
    expect(Object.keys(mounts).sort()).toEqual([
      "kubeflow-pipelines--backend-object-store-auth",
      "kubeflow-pipelines--profile-object-store-auth--team-1",
      "kubeflow-pipelines--profile-object-store-auth--team-2",
    ]);
    for (const [secret, mount] of Object.entries(mounts)) expect(mount).toMatchObject({ mountPath: `/secrets/${secret}`, readOnly: true });
    // The downward API projects the annotation as the file the probe reads, and what it reads there
    // is what the probe would read from the operator's file.
    const values = pod.volumes.find((v: Parsed) => v.name === "values");
    expect(values.downwardAPI.items).toEqual([{ path: "values.yaml", fieldRef: { fieldPath: "metadata.annotations['kfp-s3-probe/values']" } }]);
    expect(container.volumeMounts.find((m: Parsed) => m.name === "values")).toMatchObject({ mountPath: "/etc/kfp-s3-probe", readOnly: true });
    const shipped = valuesFile(jobDoc?.spec.template.metadata.annotations["kfp-s3-probe/values"]);
    expect(readDeploykfValues(shipped).identities).toEqual(settings.identities);
  });

  it("runs once, not as root, with a read-only root filesystem, limits and a TTL", () => {
    const spec = jobDoc?.spec;
    expect(spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 86_400, activeDeadlineSeconds: 600 });
    expect(jobDoc?.metadata.labels[RUN_LABEL]).toBe("20261201T120000Z-0123456789ab");
    expect(spec.template.metadata.labels[RUN_LABEL]).toBe("20261201T120000Z-0123456789ab");
    expect(spec.template.spec).toMatchObject({
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65532 },
    });
    expect(spec.template.spec.containers[0]).toMatchObject({
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
      resources: { limits: { cpu: "1", memory: "384Mi" } },
    });
    // The heap's ceiling under the memory limit and the young generation's size (npm run bench: backend + 100 profiles fit).
    expect(spec.template.spec.containers[0].env).toContainEqual({ name: "NODE_OPTIONS", value: JOB_NODE_OPTIONS });
    expect(JOB_NODE_OPTIONS).toMatch(/^--max-old-space-size=\d+ --max-semi-space-size=\d+$/);
  });

  it("deploy/kfp-s3-probe-job.yaml is what the generator prints for the fixture values (but for its run label)", async () => {
    const runLabel = new RegExp(`(${RUN_LABEL}: )\\S+`, "g");
    const printed = (await jobCommand(["--values", fixture])).replace(runLabel, "$1RUN");
    expect(readFileSync(join(root, "deploy", "kfp-s3-probe-job.yaml"), "utf8").replace(runLabel, "$1RUN")).toBe(printed);
    expect(printed.match(runLabel)).toHaveLength(2);
  });

  it("the image the Job runs is on a Node LTS line the AWS SDK supports without its warning (even, 22 or later)", () => {
    const from = /^FROM node:(\d+)-alpine$/m.exec(readFileSync(join(root, "Dockerfile"), "utf8"));
    const major = Number(from?.[1]);
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it("fromEnv needs a ServiceAccount, and the Job then mounts its token", async () => {
    const irsa = fixtureWith((doc) => (doc.kubeflow_tools.pipelines.objectStore.auth = { fromEnv: true }));
    await expect(jobCommand(["--values", irsa])).rejects.toThrow(/--service-account/);
    const printed = (await jobCommand(["--values", irsa, "--service-account", "kfp-s3-probe"])) ?? "";
    const job = parseAllDocuments(printed)[0]?.toJSON() as Record<string, Parsed>;
    expect(job.spec.template.spec).toMatchObject({ serviceAccountName: "kfp-s3-probe", automountServiceAccountToken: true });
  });
});

describe("Job options", () => {
  const manifestOf = async (flags: string[]) => {
    const printed = (await jobCommand(["--values", fixture, ...flags])) ?? "";
    return parseAllDocuments(printed)[0]?.toJSON() as Record<string, Parsed>;
  };

  it("opts out of Istio's sidecar unless asked, names image pull Secrets, and still passes the Kubernetes schema", async () => {
    const plain = await manifestOf([]);
    expect(plain.spec.template.metadata.annotations).toMatchObject({ "sidecar.istio.io/inject": "false" });
    const custom = await manifestOf(["--istio-sidecar", "--image-pull-secret", "registry-a", "--image-pull-secret", "registry-b"]);
    expect(Object.keys(custom.spec.template.metadata.annotations)).toEqual(["kfp-s3-probe/values"]);
    expect(custom.spec.template.spec.imagePullSecrets).toEqual([{ name: "registry-a" }, { name: "registry-b" }]);
    expect(() => new Job(custom as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
  });

  it("--parallelism N: an Indexed Job whose pod I probes --shard I/N, valid against the Kubernetes schema", async () => {
    const indexed = await manifestOf(["--parallelism", "4"]);
    expect(indexed.spec).toMatchObject({ completionMode: "Indexed", completions: 4, parallelism: 4 });
    const container = indexed.spec.template.spec.containers[0];
    expect(container.args.slice(-2)).toEqual(["--shard", "$(KFP_S3_PROBE_SHARD_INDEX)/4"]);
    expect(container.env).toContainEqual({
      name: "KFP_S3_PROBE_SHARD_INDEX",
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
    expect(() => new Job(indexed as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    const single = await manifestOf([]);
    expect(single.spec.completionMode).toBeUndefined();
    expect(single.spec.template.spec.containers[0].args).not.toContain("--shard");
    await expect(manifestOf(["--parallelism", "0"])).rejects.toThrow(/--parallelism must be a whole number from 1 to 100/);
  });

  it("each printed Job is its own run: a fresh run label, on the Job and its pods (kubectl logs -l kfp-s3-probe/run=ID)", async () => {
    const [first, second] = [await manifestOf([]), await manifestOf([])];
    expect(first.metadata.labels[RUN_LABEL]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    expect(first.spec.template.metadata.labels[RUN_LABEL]).toBe(first.metadata.labels[RUN_LABEL]);
    expect(second.metadata.labels[RUN_LABEL]).not.toBe(first.metadata.labels[RUN_LABEL]);
  });

  it("passes the Job API's own rules for podFailurePolicy and backoffLimitPerIndex, single and Indexed", async () => {
    for (const flags of [[], ["--parallelism", "4"], ["--parallelism", "100", "--generate-name", `${"p".repeat(46)}-`]]) {
      const job = await manifestOf(flags);
      expect(jobApiErrors(job), flags.join(" ")).toEqual([]);
      expect(job.spec.podFailurePolicy.rules.length).toBeGreaterThan(0);
      expect(() => new Job(job as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    }
    // The rules do refuse what the API server refuses.
    const indexed = await manifestOf(["--parallelism", "4"]);
    const broken = (edit: (job: Parsed) => void) => {
      const job = structuredClone(indexed);
      edit(job);
      return jobApiErrors(job);
    };
    const rule = (job: Parsed, index: number) => job.spec.podFailurePolicy.rules[index];
    expect(broken((j) => (j.spec.template.spec.restartPolicy = "OnFailure"))).toContainEqual(expect.stringMatching(/only "Never" is supported/));
    expect(broken((j) => (rule(j, 0).onExitCodes.values = [0, 2]))).toContainEqual(expect.stringMatching(/must not be 0 for the In operator/));
    expect(broken((j) => (rule(j, 0).onExitCodes.values = [3, 2]))).toContainEqual(expect.stringMatching(/must be ordered/));
    expect(broken((j) => (rule(j, 0).onExitCodes.values = [2, 2]))).toContainEqual(expect.stringMatching(/Duplicate value/));
    expect(broken((j) => (rule(j, 0).onExitCodes.values = []))).toContainEqual(expect.stringMatching(/at least one value/));
    expect(broken((j) => (rule(j, 0).onExitCodes.values = Array.from({ length: 256 }, (_, i) => i + 1)))).toContainEqual(
      expect.stringMatching(/at most 255/),
    );
    expect(broken((j) => (rule(j, 0).onExitCodes.operator = "Equals"))).toContainEqual(expect.stringMatching(/Unsupported value: Equals/));
    expect(broken((j) => (rule(j, 0).onExitCodes.containerName = "main"))).toContainEqual(expect.stringMatching(/container or initContainer/));
    expect(broken((j) => (rule(j, 0).onPodConditions = [{ type: "DisruptionTarget" }]))).toContainEqual(expect.stringMatching(/both/));
    expect(broken((j) => delete rule(j, 0).onExitCodes)).toContainEqual(expect.stringMatching(/one of OnExitCodes and OnPodConditions/));
    expect(broken((j) => delete j.spec.backoffLimitPerIndex)).toContainEqual(expect.stringMatching(/requires the backoffLimitPerIndex/));
    expect(broken((j) => (j.spec.completionMode = "NonIndexed"))).toContainEqual(expect.stringMatching(/requires indexed completion mode/));
    expect(broken((j) => (j.spec.podReplacementPolicy = "TerminatingOrFailed"))).toContainEqual(expect.stringMatching(/podReplacementPolicy/));
    expect(broken((j) => (j.spec.podFailurePolicy.rules = Array.from({ length: 21 }, () => rule(j, 1))))).toContainEqual(
      expect.stringMatching(/at most 20/),
    );
    expect(broken((j) => (j.metadata.generateName = `${"p".repeat(60)}-`))).toContainEqual(expect.stringMatching(/invalid DNS label/));
  });

  it("a LEAK completes the Job with its report, a crash fails it, and an Indexed Job's other shards go on", async () => {
    // What the probe exits with in the pod: --exit-code 0 turns findings into 0, nothing else.
    const leaking = { counts: { ...countVerdicts([]), leak: 3 }, fatalError: false };
    expect(exitCodeOf(leaking)).toBe(EXIT_CODES.findings);
    const leak = exitCodeOf(leaking, { kind: "finished", findingsCode: 0 });
    expect(leak).toBe(0);
    const single = await manifestOf([]);
    expect(jobOutcome(single, [leak])).toEqual({ condition: "Complete", failedIndexes: [], terminatedEarly: false });
    for (const crash of [EXIT_CODES.usage, EXIT_CODES.unreachable, EXIT_CODES.internal, EXIT_CODES.interrupted, 137]) {
      expect(jobOutcome(single, [crash]), String(crash)).toMatchObject({ condition: "Failed" });
    }
    const indexed = await manifestOf(["--parallelism", "4"]);
    expect(jobOutcome(indexed, [leak, 0, leak, 0])).toMatchObject({ condition: "Complete" });
    // Shard 1 cannot reach the store or crashes: only its index fails, the others run to their reports.
    for (const crash of [EXIT_CODES.unreachable, EXIT_CODES.internal, 137]) {
      expect(jobOutcome(indexed, [leak, crash, 0, leak]), String(crash)).toEqual({ condition: "Failed", failedIndexes: [1], terminatedEarly: false });
    }
    // A usage error is every shard's (they share their settings): the Job stops at once.
    expect(jobOutcome(indexed, [0, EXIT_CODES.usage, 0, 0])).toMatchObject({ condition: "Failed", terminatedEarly: true });
    // Without the per-index limit (backoffLimit 0, as before), the first failed shard would have ended the others.
    const { backoffLimitPerIndex: _, podFailurePolicy: __, ...legacy } = indexed.spec;
    expect(jobOutcome({ ...indexed, spec: { ...legacy, backoffLimit: 0 } }, [leak, EXIT_CODES.unreachable, 0, 0])).toMatchObject({
      terminatedEarly: true,
    });
  });

  it("a generated name by default; --name fixes it, --generate-name changes the prefix; bad names are refused", async () => {
    expect((await manifestOf(["--generate-name", "probe-nightly-"])).metadata).toMatchObject({ generateName: "probe-nightly-" });
    const fixed = (await manifestOf(["--name", "probe-once"])).metadata;
    expect(fixed).toMatchObject({ name: "probe-once" });
    expect(fixed.generateName).toBeUndefined();
    await expect(manifestOf(["--generate-name", "Probe_"])).rejects.toThrow(/--generate-name must be lowercase/);
    await expect(manifestOf(["--name", "x".repeat(53)])).rejects.toThrow(/--name must be .* at most 52/);
  });

  it("a Secret in another namespace (existingSecretNamespace) is refused with the exact fix", async () => {
    const elsewhere = fixtureWith((doc) => {
      doc.deploykf_core.deploykf_profiles_generator.profileDefaults.tools.kubeflowPipelines.objectStoreAuth.existingSecretNamespace = "secrets";
    });
    await expect(jobCommand(["--values", elsewhere])).rejects.toThrow(
      /Secret kubeflow-pipelines--profile-object-store-auth--team-1 is in namespace secrets .* copy it into kubeflow/,
    );
    const sameNamespace = fixtureWith((doc) => {
      doc.deploykf_core.deploykf_profiles_generator.profileDefaults.tools.kubeflowPipelines.objectStoreAuth.existingSecretNamespace = "kubeflow";
    });
    expect(await jobCommand(["--values", sameNamespace])).toContain("kind: Job");
  });
});

describe("JUnit", () => {
  const plan = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, { profilesInRun: ["team-1"], unownedProfile: "nobody" });
  const observe = (operation: string, prefix: string | null): Observation =>
    prefix === "pipelines/" && operation === "put"
      ? { outcome: "allowed", evidence: [] }
      : prefix === "artifacts/team-1/" && operation === "delete"
        ? { outcome: "denied", evidence: [] }
        : operation === "get-bucket-location"
          ? { outcome: "error", errorKind: "throttled", reason: "SlowDown <&\"'>", evidence: [] }
          : { outcome: prefix?.includes("team-1") ? "allowed" : "denied", evidence: [] };
  const results: CheckResult[] = plan.checks.map((check) => {
    const observation = observe(check.operation, check.target?.prefix ?? null);
    return assess(check, observation, { strict: false, bucket: "kfp" });
  });
  const report = buildReport({ plans: [plan], results, cleanup: { created: 0, removed: 0, leftovers: [] } }, reportContext());

  it("one testcase per cell; LEAK and MISSING fail with their fix; the counts match the JSON report", () => {
    const xml = renderJunit(report);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suites = parsed.testsuites;
    expect(Number(suites.tests)).toBe(report.checks.length);
    expect(Number(suites.failures)).toBe(report.summary.leak + report.summary.missing);
    expect(Number(suites.errors)).toBe(report.summary.error);
    const cases = [suites.testsuite.testcase].flat();
    expect(cases).toHaveLength(report.checks.length);
    const leak = cases.find((c: Parsed) => c.name === "put pipelines/ (expected forbidden)");
    expect(leak.failure).toMatchObject({ type: "LEAK", message: "allowed, must be denied" });
    expect(leak.failure["#text"]).toMatch(/^fix: remove s3:PutObject/);
    const missing = cases.find((c: Parsed) => c.name === "delete artifacts/team-1/ (expected required)");
    expect(missing.failure.type).toBe("MISSING");
    // Markup in a reason is escaped, and comes back whole.
    const error = cases.find((c: Parsed) => c.name.startsWith("get-bucket-location"));
    expect(error.error.message).toBe("SlowDown <&\"'>");
  });
});
