import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseArgs, UsageError } from "../../src/cli/settings/resolve.js";
import { runMain } from "../support/run-main.js";

afterEach(() => vi.unstubAllEnvs());

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-config-")), "probe.yaml");
  writeFileSync(file, text);
  return file;
}

const base = ["--endpoint", "http://127.0.0.1:9000", "--bucket", "kubeflow-pipelines"];

async function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await parseArgs(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`no usage error for ${argv.join(" ")}`);
}

describe("flags", () => {
  it("a profile run with defaults for a custom endpoint", async () => {
    const config = await parseArgs(["--profile", "team-1", ...base], {});
    expect(config).toMatchObject({
      store: {
        endpoint: "http://127.0.0.1:9000",
        bucket: "kubeflow-pipelines",
        region: "us-east-1",
        regionSource: "default",
        forcePathStyle: true,
        requestTimeoutMs: 10_000,
      },
      identities: [{ name: "team-1", role: { kind: "profile", profile: "team-1" }, credentials: { source: "env" } }],
      run: { layout: "deploykf", readOnly: false, strict: false, concurrency: 32 },
      output: { output: "text" },
    });
  });

  it("region from the environment; virtual-hosted style on AWS", async () => {
    const config = await parseArgs(["--backend", "--endpoint", "https://s3.eu-west-1.amazonaws.com", "--bucket", "kfp"], {
      AWS_REGION: "eu-west-1",
    });
    expect(config?.store).toMatchObject({ region: "eu-west-1", regionSource: "aws-environment", forcePathStyle: false });
    expect(config?.identities).toEqual([{ name: "backend", role: { kind: "backend" }, credentials: { source: "env" } }]);
  });

  it("GCS HMAC presets the endpoint and region auto", async () => {
    const config = await parseArgs(["--backend", "--credentials", "gcs-hmac", "--bucket", "kfp-artifacts"], {});
    expect(config?.store).toMatchObject({ endpoint: "https://storage.googleapis.com", region: "auto" });
    expect(config?.identities[0]?.credentials).toEqual({ source: "gcs-hmac" });
  });

  it("--credentials-dir implies the dir source", async () => {
    const config = await parseArgs(["--profile", "team-1", ...base, "--credentials-dir", "/secrets/team-1"], {});
    expect(config?.identities[0]?.credentials).toEqual({ source: "dir", directory: "/secrets/team-1" });
  });

  it("flags can come from KFP_S3_PROBE_* variables (a Kubernetes Job's env)", async () => {
    vi.stubEnv("KFP_S3_PROBE_PROFILE", "team-2");
    vi.stubEnv("KFP_S3_PROBE_ENDPOINT", "http://minio.kubeflow:9000");
    vi.stubEnv("KFP_S3_PROBE_BUCKET", "kubeflow-pipelines");
    const config = await parseArgs([], process.env);
    expect(config?.store).toMatchObject({ endpoint: "http://minio.kubeflow:9000" });
    expect(config?.identities[0]?.role).toEqual({ kind: "profile", profile: "team-2" });
  });
});

describe("--provider presets, each overridable", () => {
  const backend = ["--backend", "--bucket", "kfp-bucket"];
  it.each<[string, string[], Record<string, unknown>]>([
    [
      "aws",
      ["--provider", "aws", "--region", "eu-west-1"],
      { endpoint: "https://s3.eu-west-1.amazonaws.com", forcePathStyle: false, checksums: "WHEN_SUPPORTED" },
    ],
    ["gcs", ["--provider", "gcs"], { endpoint: "https://storage.googleapis.com", region: "auto", checksums: "WHEN_REQUIRED" }],
    ["oss", ["--provider", "oss", "--region", "cn-hangzhou"], { endpoint: "https://s3.oss-cn-hangzhou.aliyuncs.com", forcePathStyle: false }],
    [
      "ibm-cos",
      ["--provider", "ibm-cos", "--region", "us-south"],
      { endpoint: "https://s3.us-south.cloud-object-storage.appdomain.cloud", forcePathStyle: true },
    ],
    ["wasabi", ["--provider", "wasabi"], { endpoint: "https://s3.us-east-1.wasabisys.com", region: "us-east-1" }],
    [
      "seaweedfs",
      ["--provider", "seaweedfs", "--endpoint", "http://seaweedfs.kubeflow:9000"],
      { endpoint: "http://seaweedfs.kubeflow:9000", region: "us-east-1" },
    ],
    ["minio", ["--provider", "minio", "--endpoint", "http://minio.kubeflow:9000"], { region: "us-east-1", forcePathStyle: true }],
    ["r2", ["--provider", "r2", "--endpoint", "https://acct.r2.cloudflarestorage.com"], { region: "auto", forcePathStyle: true }],
    ["aws, path style forced", ["--provider", "aws", "--region", "us-east-2", "--path-style"], { forcePathStyle: true }],
    [
      "minio, checksums overridden",
      ["--provider", "minio", "--endpoint", "http://m:9000", "--checksums", "when-supported"],
      { checksums: "WHEN_SUPPORTED" },
    ],
  ])("%s", async (_name, flags, expected) => {
    expect((await parseArgs([...backend, ...flags], {}))?.store).toMatchObject(expected);
  });

  it("R2's report says that per-profile isolation is impossible with its tokens", async () => {
    const config = await parseArgs([...backend, "--provider", "r2", "--endpoint", "https://acct.r2.cloudflarestorage.com"], {});
    expect(config?.store.notes.join(" ")).toMatch(/per-profile prefix isolation is not possible/);
  });

  it.each<[string, string[], RegExp]>([
    ["a region-shaped endpoint without a region", ["--provider", "aws"], /--provider aws needs --region/],
    [
      "R2 without its account endpoint",
      ["--provider", "r2"],
      /--endpoint is required, e.g. --endpoint https:\/\/<account-id>\.r2\.cloudflarestorage\.com/,
    ],
  ])("%s", async (_what, flags, expected) => {
    expect(await usageError([...backend, ...flags])).toMatch(expected);
  });

  it("--ca-bundle must hold a PEM certificate, and excludes --insecure-skip-tls-verify", async () => {
    const notPem = writeConfig("not a certificate");
    expect(await usageError([...backend, "--endpoint", "https://s3.local", "--ca-bundle", notPem])).toMatch(/holds no PEM certificate/);
    expect(await usageError([...backend, "--endpoint", "https://s3.local", "--ca-bundle", "/no/such.pem"])).toMatch(/cannot read it \(ENOENT\)/);
    const pem = writeConfig("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(await usageError([...backend, "--endpoint", "https://s3.local", "--ca-bundle", pem, "--insecure-skip-tls-verify"])).toMatch(
      /exclude each other/,
    );
    const config = await parseArgs([...backend, "--endpoint", "https://s3.local", "--ca-bundle", pem], {});
    expect(config?.store.caBundle).toContain("BEGIN CERTIFICATE");
  });

  it("--no-multipart", async () => {
    expect((await parseArgs([...backend, "--endpoint", "http://m:9000"], {}))?.run.multipart).toBe(true);
    expect((await parseArgs([...backend, "--endpoint", "http://m:9000", "--no-multipart"], {}))?.run.multipart).toBe(false);
  });
});

describe("several identities in one run", () => {
  it("--identity NAME=DIR, repeated: backend or a profile, each from its secret directory", async () => {
    const config = await parseArgs([...base, "--identity", "backend=/s/backend", "--identity", "team-1=/s/team-1"], {});
    expect(config?.identities).toEqual([
      { name: "backend", role: { kind: "backend" }, credentials: { source: "dir", directory: "/s/backend" } },
      { name: "team-1", role: { kind: "profile", profile: "team-1" }, credentials: { source: "dir", directory: "/s/team-1" } },
    ]);
  });

  it("--config: the store and identities with every credential source; flags override the file's store", async () => {
    const file = writeConfig(`
endpoint: http://minio.kubeflow:9000
bucket: kubeflow-pipelines
region: eu-central-1
layout: deploykf
identities:
  - backend: true
    credentials: { dir: /secrets/backend }
  - profile: team-1
    credentials: { env: { accessKeyId: TEAM1_KEY_ID, secretAccessKey: TEAM1_SECRET } }
  - name: team-2-irsa
    profile: team-2
    credentials: { chain: true }
  - profile: team-3
    credentials: { gcsHmac: { dir: /secrets/team-3 } }
`);
    const config = await parseArgs(["--config", file, "--bucket", "other-bucket"], {});
    expect(config?.store).toMatchObject({
      endpoint: "http://minio.kubeflow:9000",
      bucket: "other-bucket",
      region: "eu-central-1",
      regionSource: "config",
    });
    expect(config?.identities).toEqual([
      { name: "backend", role: { kind: "backend" }, credentials: { source: "dir", directory: "/secrets/backend" } },
      {
        name: "team-1",
        role: { kind: "profile", profile: "team-1" },
        credentials: { source: "env", variables: { accessKeyId: "TEAM1_KEY_ID", secretAccessKey: "TEAM1_SECRET" } },
      },
      { name: "team-2-irsa", role: { kind: "profile", profile: "team-2" }, credentials: { source: "chain" } },
      { name: "team-3", role: { kind: "profile", profile: "team-3" }, credentials: { source: "gcs-hmac", directory: "/secrets/team-3" } },
    ]);
  });

  it.each<[string, string, RegExp]>([
    ["unknown key", "endpoint: http://x:1\nbucket: kfp\nbogus: 1\nidentities: []", /\(top\): unknown key bogus/],
    ["identity without role", "identities:\n  - credentials: { dir: /s }", /identities\[0\]: needs either backend: true or profile: NAME/],
    ["bad profile", "identities:\n  - profile: Team_1\n    credentials: { dir: /s }", /identities\[0\]\.profile: Team_1 is not a valid/],
    [
      "two sources",
      "identities:\n  - backend: true\n    credentials: { dir: /s, chain: true }",
      /identities\[0\]\.credentials: needs exactly one of/,
    ],
    ["no credentials", "identities:\n  - backend: true", /identities\[0\]\.credentials: is required/],
    ["bad layout", "layout: minio\nidentities: []", /layout: must be one of deploykf, kubeflow/],
    ["not YAML", "identities: [", /not valid YAML/],
  ])("config error: %s names the YAML path", async (_what, text, expected) => {
    expect(await usageError(["--config", writeConfig(text), ...base])).toMatch(expected);
  });

  it("a secret pasted where a variable name belongs is refused without being echoed", async () => {
    const file = writeConfig(
      "identities:\n  - backend: true\n    credentials: { env: { accessKeyId: AKIA, secretAccessKey: 'wJalr/XUtnFEMI+K7MDENG' } }",
    );
    const message = await usageError(["--config", file, ...base]);
    expect(message).toMatch(/secretAccessKey: must name an environment variable/);
    expect(message).not.toContain("wJalr");
  });

  it.each<[string, string[], RegExp]>([
    ["mixed ways", ["--backend", "--identity", "team-1=/s", ...base], /name the identities one way/],
    ["no directory", ["--identity", "team-1", ...base], /write NAME=DIR/],
    ["bad name", ["--identity", "Team=/s", ...base], /neither backend nor a valid profile/],
    ["same name twice", ["--identity", "team-1=/a", "--identity", "team-1=/b", ...base], /two identities are named team-1/],
    ["with --credentials-dir", ["--identity", "team-1=/a", "--credentials-dir", "/b", ...base], /carries its own secret directory/],
  ])("--identity error: %s", async (_what, argv, expected) => {
    expect(await usageError(argv)).toMatch(expected);
  });
});

describe("bad input: one line that says what to fix", () => {
  it.each<[string, string[], RegExp]>([
    ["no identity", base, /--backend, --profile NAME, --identity NAME=DIR or --config FILE/],
    ["both identities", ["--backend", "--profile", "team-1", ...base], /exclude each other/],
    ["invalid profile", ["--profile", "Team_1", ...base], /not a valid profile/],
    ["no endpoint", ["--backend", "--bucket", "kfp"], /--endpoint is required/],
    ["endpoint without scheme", ["--backend", "--endpoint", "minio:9000", "--bucket", "kfp"], /no scheme: write http:\/\/minio:9000/],
    ["bad port", ["--backend", "--endpoint", "http://minio:70000", "--bucket", "kfp"], /port is 1-65535/],
    ["port zero", ["--backend", "--endpoint", "http://minio:0", "--bucket", "kfp"], /port 0/],
    ["other scheme", ["--backend", "--endpoint", "s3://minio", "--bucket", "kfp"], /http:\/\/ or https:\/\//],
    ["credentials in the URL", ["--backend", "--endpoint", "http://ak:sk@minio:9000", "--bucket", "kfp"], /must not carry credentials/],
    ["a path", ["--backend", "--endpoint", "http://minio:9000/kfp", "--bucket", "kfp"], /without a path/],
    ["an empty bucket", ["--backend", "--endpoint", "http://minio:9000", "--bucket", ""], /--bucket is required/],
    ["bad bucket", ["--backend", ...base.slice(0, 2), "--bucket", "KFP_bucket"], /not a valid bucket name/],
    ["dir source without dir", ["--backend", ...base, "--credentials", "dir"], /needs --credentials-dir/],
    ["dir with chain", ["--backend", ...base, "--credentials", "chain", "--credentials-dir", "/x"], /does not go with/],
    ["unknown flag", ["--backend", ...base, "--bogus"], /^unknown option --bogus \(see --help\)$/],
    ["stray argument", ["--backend", ...base, "team-1"], /team-1/],
    ["bad choice", ["--backend", ...base, "--output", "xml"], /output/],
    ["bad concurrency", ["--backend", ...base, "--concurrency", "0"], /--concurrency/],
    ["bad timeout", ["--backend", ...base, "--request-timeout", "-1"], /--request-timeout/],
  ])("%s", async (_what, argv, expected) => {
    expect(await usageError(argv)).toMatch(expected);
  });

  it("a secret on the command line is refused without echoing it", async () => {
    const message = await usageError(["--backend", ...base, "--aws-secret-access-key=s3cr3tValue"]);
    expect(message).toMatch(/never taken on the command line/);
    expect(message).not.toContain("s3cr3tValue");
    for (const flag of ["--secret-key", "--aws-session-token=x", "--password", "--secrets-rooted"]) {
      expect(await usageError(["--backend", ...base, flag])).toMatch(/never taken on the command line/);
    }
  });

  it("yargs speaks English whatever the locale, as the bundle (which ships no translations) always did", async () => {
    vi.stubEnv("LC_ALL", "de_DE.UTF-8");
    expect(await usageError(["--backend", ...base, "-x"])).toBe("unknown option -x (see --help)");
    expect((await runMain(["merge", "--bogus", "x.json"])).stderr).toBe(
      "kfp-s3-probe: merge: unknown option --bogus (see kfp-s3-probe merge --help)\n",
    );
  });
});

describe("a Secret whose keys have other names", () => {
  it("--key-names ACCESS,SECRET with --credentials-dir, and dir: { path, accessKeyKey, secretKeyKey } in the config", async () => {
    const flagged = await parseArgs(
      ["--profile", "team-1", ...base, "--credentials-dir", "/secrets/team-1", "--key-names", "access_key,secret_key"],
      {},
    );
    expect(flagged?.identities[0]?.credentials).toEqual({
      source: "dir",
      directory: "/secrets/team-1",
      variables: { accessKeyId: "access_key", secretAccessKey: "secret_key" },
    });
    const file = writeConfig(
      "identities:\n  - profile: team-2\n    credentials: { dir: { path: /secrets/team-2, accessKeyKey: ak, secretKeyKey: sk } }\n",
    );
    const fromFile = await parseArgs(["--config", file, ...base], {});
    expect(fromFile?.identities[0]?.credentials).toEqual({
      source: "dir",
      directory: "/secrets/team-2",
      variables: { accessKeyId: "ak", secretAccessKey: "sk" },
    });
    expect(await usageError(["--profile", "team-1", ...base, "--key-names", "only-one"])).toMatch(/--key-names takes the two file names/);
  });
});
