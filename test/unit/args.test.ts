import { afterEach, describe, expect, it, vi } from "vitest";
import { parseArgs, UsageError } from "../../src/cli/args.js";

afterEach(() => vi.unstubAllEnvs());

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
      endpoint: "http://127.0.0.1:9000",
      bucket: "kubeflow-pipelines",
      role: { kind: "profile", profile: "team-1" },
      identityName: "team-1",
      region: "us-east-1",
      regionSource: "default",
      forcePathStyle: true,
      credentialSource: "env",
      layout: "deploykf",
      output: "text",
      readOnly: false,
      strict: false,
      concurrency: 8,
      requestTimeoutMs: 10_000,
    });
  });

  it("region from the environment; virtual-hosted style on AWS", async () => {
    const config = await parseArgs(["--backend", "--endpoint", "https://s3.eu-west-1.amazonaws.com", "--bucket", "kfp"], {
      AWS_REGION: "eu-west-1",
    });
    expect(config).toMatchObject({ region: "eu-west-1", regionSource: "environment", forcePathStyle: false, identityName: "backend" });
  });

  it("GCS HMAC presets the endpoint and region auto", async () => {
    const config = await parseArgs(["--backend", "--credentials", "gcs-hmac", "--bucket", "kfp-artifacts"], {});
    expect(config).toMatchObject({ endpoint: "https://storage.googleapis.com", region: "auto", credentialSource: "gcs-hmac" });
  });

  it("--credentials-dir implies the dir source", async () => {
    const config = await parseArgs(["--profile", "team-1", ...base, "--credentials-dir", "/secrets/team-1"], {});
    expect(config).toMatchObject({ credentialSource: "dir", credentialsDir: "/secrets/team-1" });
  });

  it("flags can come from KFP_S3_PROBE_* variables (a Kubernetes Job's env)", async () => {
    vi.stubEnv("KFP_S3_PROBE_PROFILE", "team-2");
    vi.stubEnv("KFP_S3_PROBE_ENDPOINT", "http://minio.kubeflow:9000");
    vi.stubEnv("KFP_S3_PROBE_BUCKET", "kubeflow-pipelines");
    const config = await parseArgs([], process.env);
    expect(config).toMatchObject({ role: { kind: "profile", profile: "team-2" }, endpoint: "http://minio.kubeflow:9000" });
  });
});

describe("bad input: one line that says what to fix", () => {
  it.each<[string, string[], RegExp]>([
    ["no identity", base, /--backend or --profile/],
    ["both identities", ["--backend", "--profile", "team-1", ...base], /exclude each other/],
    ["invalid profile", ["--profile", "Team_1", ...base], /not a valid profile/],
    ["no endpoint", ["--backend", "--bucket", "kfp"], /--endpoint is required/],
    ["endpoint without scheme", ["--backend", "--endpoint", "minio:9000", "--bucket", "kfp"], /no scheme: write http:\/\/minio:9000/],
    ["bad port", ["--backend", "--endpoint", "http://minio:70000", "--bucket", "kfp"], /port is 1-65535/],
    ["port zero", ["--backend", "--endpoint", "http://minio:0", "--bucket", "kfp"], /port 0/],
    ["other scheme", ["--backend", "--endpoint", "s3://minio", "--bucket", "kfp"], /http:\/\/ or https:\/\//],
    ["credentials in the URL", ["--backend", "--endpoint", "http://ak:sk@minio:9000", "--bucket", "kfp"], /must not carry credentials/],
    ["a path", ["--backend", "--endpoint", "http://minio:9000/kfp", "--bucket", "kfp"], /without a path/],
    ["no bucket", ["--backend", "--endpoint", "http://minio:9000"], /--bucket is required/],
    ["bad bucket", ["--backend", ...base.slice(0, 2), "--bucket", "KFP_bucket"], /not a valid bucket name/],
    ["dir source without dir", ["--backend", ...base, "--credentials", "dir"], /needs --credentials-dir/],
    ["dir with chain", ["--backend", ...base, "--credentials", "chain", "--credentials-dir", "/x"], /does not go with/],
    ["unknown flag", ["--backend", ...base, "--bogus"], /Unknown argument: bogus/],
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
  });
});
