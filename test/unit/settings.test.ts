// One settings resolution: for every field, defaults < deployKF values < config file <
// KFP_S3_PROBE_* environment < flags, and the report says which source won.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { envName, type FieldName } from "../../src/cli/settings/fields.js";
import { parseArgs } from "../../src/cli/settings/resolve.js";

const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-settings-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const pemA = file("a.pem", "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n");
const pemB = file("b.pem", "-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n");

/** A field, the value each source gives it (as text on a command line or in a variable), and how the config reads back. */
interface Case {
  field: FieldName;
  /** The value in the config file (YAML), where the config file has the field. */
  config?: string;
  environment: string;
  flag: string;
  /** The resolved value as it appears in ProbeConfig.settings, for each source. */
  expected: { default?: unknown; config?: unknown; environment: unknown; flag: unknown };
}

const CASES: Case[] = [
  {
    field: "endpoint",
    config: "http://config:9000",
    environment: "http://env:9000",
    flag: "http://flag:9000",
    expected: { config: "http://config:9000", environment: "http://env:9000", flag: "http://flag:9000" },
  },
  {
    field: "bucket",
    config: "config-bucket",
    environment: "env-bucket",
    flag: "flag-bucket",
    expected: { config: "config-bucket", environment: "env-bucket", flag: "flag-bucket" },
  },
  {
    field: "region",
    config: "eu-west-1",
    environment: "eu-west-2",
    flag: "eu-west-3",
    expected: { default: "us-east-1", config: "eu-west-1", environment: "eu-west-2", flag: "eu-west-3" },
  },
  {
    field: "path-style",
    config: "false",
    environment: "true",
    flag: "--no-path-style",
    expected: { default: true, config: false, environment: true, flag: false },
  },
  {
    field: "layout",
    config: "kubeflow",
    environment: "deploykf",
    flag: "kubeflow",
    expected: { default: "deploykf", config: "kubeflow", environment: "deploykf", flag: "kubeflow" },
  },
  { field: "provider", environment: "minio", flag: "ceph", expected: { environment: "minio", flag: "ceph" } },
  {
    field: "kfp-version",
    config: '"2.15"',
    environment: "2.16",
    flag: "2.10",
    expected: { default: "2.17", config: "2.15", environment: "2.16", flag: "2.10" },
  },
  {
    field: "launcher-config",
    config: pemA,
    environment: pemB,
    flag: pemA,
    expected: { config: pemA, environment: pemB, flag: pemA },
  },
  {
    field: "checksums",
    environment: "when-supported",
    flag: "when-required",
    expected: { default: "when-required", environment: "when-supported", flag: "when-required" },
  },
  { field: "ca-bundle", environment: pemA, flag: pemB, expected: { environment: pemA, flag: pemB } },
  {
    field: "insecure-skip-tls-verify",
    environment: "true",
    flag: "--no-insecure-skip-tls-verify",
    expected: { default: false, environment: true, flag: false },
  },
  { field: "multipart", environment: "false", flag: "--multipart", expected: { default: true, environment: false, flag: true } },
  { field: "read-only", environment: "true", flag: "--no-read-only", expected: { default: false, environment: true, flag: false } },
  { field: "strict", environment: "true", flag: "--no-strict", expected: { default: false, environment: true, flag: false } },
  { field: "matrix", environment: "full", flag: "pairs", expected: { default: "pairs", environment: "full", flag: "pairs" } },
  { field: "shard", environment: "1/4", flag: "0/2", expected: { environment: "1/4", flag: "0/2" } },
  { field: "policy-dir", environment: dir, flag: tmpdir(), expected: { environment: dir, flag: tmpdir() } },
  { field: "output", environment: "json", flag: "text", expected: { default: "text", environment: "json", flag: "text" } },
  {
    field: "junit",
    environment: join(dir, "env.xml"),
    flag: join(dir, "flag.xml"),
    expected: { environment: join(dir, "env.xml"), flag: join(dir, "flag.xml") },
  },
  {
    field: "sarif",
    environment: join(dir, "env.sarif"),
    flag: join(dir, "flag.sarif"),
    expected: { environment: join(dir, "env.sarif"), flag: join(dir, "flag.sarif") },
  },
  { field: "other-profile", environment: "team-7,team-8", flag: "team-9", expected: { environment: ["team-7", "team-8"], flag: ["team-9"] } },
  { field: "max-profiles", environment: "50", flag: "20", expected: { default: 500, environment: 50, flag: 20 } },
  { field: "discover", environment: "false", flag: "--discover", expected: { default: true, environment: false, flag: true } },
  { field: "anonymous", environment: "false", flag: "--anonymous", expected: { default: true, environment: false, flag: true } },
  { field: "concurrency", environment: "8", flag: "4", expected: { default: 32, environment: 8, flag: 4 } },
  { field: "request-timeout", environment: "20", flag: "30", expected: { default: 10, environment: 20, flag: 30 } },
  { field: "timeout", environment: "200", flag: "300", expected: { default: 120, environment: 200, flag: 300 } },
  { field: "credentials-timeout", environment: "7", flag: "9", expected: { default: 5, environment: 7, flag: 9 } },
];

/** The config file's key where it is not the flag's name. */
const CONFIG_KEYS: Partial<Record<FieldName, string>> = {
  "path-style": "pathStyle",
  "kfp-version": "kfpVersion",
  "launcher-config": "launcherConfig",
};

const BASE: Record<string, string> = { endpoint: "http://base:9000", bucket: "base-bucket" };

function flagArgs(c: Case): string[] {
  return c.flag.startsWith("--") ? [c.flag] : [`--${c.field}`, c.flag];
}

async function resolve(c: Case, sources: { config?: boolean; environment?: boolean; flag?: boolean }) {
  const base = Object.entries(BASE).flatMap(([field, value]) => (field === c.field ? [] : [`--${field}`, value]));
  const configLines = [
    "identities:",
    "  - backend: true",
    "    credentials: { env: true }",
    ...(sources.config && c.config ? [`${CONFIG_KEYS[c.field] ?? c.field}: ${c.config}`] : []),
  ];
  const configFile = file(`probe-${c.field}.yaml`, `${configLines.join("\n")}\n`);
  const env = sources.environment ? { [envName(c.field)]: c.environment } : {};
  const argv = [...base, "--config", configFile, ...(sources.flag ? flagArgs(c) : [])];
  const config = await parseArgs(argv, env);
  return config?.settings[c.field];
}

describe("settings: defaults < config file < KFP_S3_PROBE_* < flags, each source recorded", () => {
  it.each(CASES)("$field", async (c) => {
    if (c.expected.default !== undefined) expect(await resolve(c, {})).toEqual({ value: c.expected.default, source: "default" });
    if (c.config !== undefined) expect(await resolve(c, { config: true })).toEqual({ value: c.expected.config, source: "config" });
    expect(await resolve(c, { config: true, environment: true })).toEqual({ value: c.expected.environment, source: "environment" });
    expect(await resolve(c, { config: true, environment: true, flag: true })).toEqual({ value: c.expected.flag, source: "flag" });
  });

  it("--kfp-version: X.Y.Z is its release; another is one line naming the field and the known releases; --preset is --provider", async () => {
    const base = ["--endpoint", "http://m:9000", "--backend"];
    expect((await parseArgs([...base, "--kfp-version", "2.16.1"], {}))?.run.kfpVersion).toBe("2.16");
    await expect(parseArgs([...base, "--kfp-version", "1.8"], {})).rejects.toThrow(
      /^--kfp-version "1\.8": not a KFP release the components table was read for; use X\.Y, one of 2\.0, 2\.1, .*, 2\.17$/,
    );
    expect((await parseArgs([...base, "--preset", "seaweedfs"], {}))?.store.provider).toBe("seaweedfs");
    await expect(parseArgs([...base, "--launcher-config", join(dir, "none.yaml")], {})).rejects.toThrow(
      /^--launcher-config .*none\.yaml: not a file/,
    );
  });

  it("a flag that repeats the default still wins over the config file: layout kubeflow in the file, --layout deploykf", async () => {
    const configFile = file("kubeflow.yaml", "layout: kubeflow\nidentities:\n  - backend: true\n    credentials: { env: true }\n");
    const fromFile = await parseArgs(["--endpoint", "http://m:9000", "--bucket", "kfp", "--config", configFile], {});
    expect(fromFile?.run.layout).toBe("kubeflow");
    const flagged = await parseArgs(["--endpoint", "http://m:9000", "--bucket", "kfp", "--config", configFile, "--layout", "deploykf"], {});
    expect(flagged?.run.layout).toBe("deploykf");
    expect(flagged?.settings.layout).toEqual({ value: "deploykf", source: "flag" });
    const fromEnv = await parseArgs(["--endpoint", "http://m:9000", "--bucket", "kfp", "--config", configFile], { KFP_S3_PROBE_LAYOUT: "deploykf" });
    expect(fromEnv?.run.layout).toBe("deploykf");
  });

  it("deployKF values sit below the config's level: endpoint, bucket and region from --values, each overridden by a flag", async () => {
    const values = join(process.cwd(), "fixtures", "deploykf", "values.yaml");
    const fromValues = await parseArgs(["--values", values, "--secrets-root", dir], {});
    expect(fromValues?.settings).toMatchObject({
      endpoint: { value: "http://minio.minio.svc.cluster.local:9000", source: "deploykf" },
      bucket: { value: "kubeflow-pipelines", source: "deploykf" },
      region: { value: "us-east-1", source: "deploykf" },
    });
    const flagged = await parseArgs(["--values", values, "--secrets-root", dir, "--bucket", "other-bucket", "--region", "eu-west-1"], {
      KFP_S3_PROBE_ENDPOINT: "http://env:9000",
    });
    expect(flagged?.settings).toMatchObject({
      endpoint: { value: "http://env:9000", source: "environment" },
      bucket: { value: "other-bucket", source: "flag" },
      region: { value: "eu-west-1", source: "flag" },
    });
  });

  it("AWS_REGION sits above the provider's region and below the config file's", async () => {
    const backend = ["--backend", "--endpoint", "http://m:9000", "--bucket", "kfp"];
    expect((await parseArgs([...backend, "--provider", "minio"], {}))?.settings.region).toEqual({ value: "us-east-1", source: "provider" });
    expect((await parseArgs([...backend, "--provider", "minio"], { AWS_REGION: "ap-south-1" }))?.settings.region).toEqual({
      value: "ap-south-1",
      source: "aws-environment",
    });
  });

  it("the AWS variables: AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL, AWS_CA_BUNDLE; below the config file, KFP_S3_PROBE_* and flags", async () => {
    const backend = ["--backend"];
    const aws = { AWS_ENDPOINT_URL: "http://generic:9000", AWS_ENDPOINT_URL_S3: "http://s3-only:9000", AWS_CA_BUNDLE: pemA };
    const fromAws = await parseArgs(backend, aws);
    expect(fromAws?.settings).toMatchObject({
      endpoint: { value: "http://s3-only:9000", source: "aws-environment" },
      "ca-bundle": { value: pemA, source: "aws-environment" },
      bucket: { value: "kubeflow-pipelines", source: "default" },
    });
    expect(fromAws?.store.caBundle).toContain("BEGIN CERTIFICATE");
    expect((await parseArgs(backend, { AWS_ENDPOINT_URL: "http://generic:9000" }))?.store.endpoint).toBe("http://generic:9000");
    expect((await parseArgs([...backend, "--endpoint", "http://flag:9000", "--ca-bundle", pemB], aws))?.settings).toMatchObject({
      endpoint: { source: "flag" },
      "ca-bundle": { value: pemB, source: "flag" },
    });
  });

  it("AWS_PROFILE's region and endpoint_url from the shared config (a temporary AWS_CONFIG_FILE), below the AWS variables", async () => {
    const awsConfig = file(
      "aws-config",
      "[default]\nregion = eu-north-1\n\n[profile kfp]\nregion = ap-southeast-2\nendpoint_url = http://from-profile:9000\n",
    );
    const fromDefault = await parseArgs(["--backend", "--endpoint", "http://m:9000"], { AWS_CONFIG_FILE: awsConfig });
    expect(fromDefault?.settings.region).toEqual({ value: "eu-north-1", source: "aws-config" });
    const fromProfile = await parseArgs(["--backend"], { AWS_CONFIG_FILE: awsConfig, AWS_PROFILE: "kfp" });
    expect(fromProfile?.settings).toMatchObject({
      region: { value: "ap-southeast-2", source: "aws-config" },
      endpoint: { value: "http://from-profile:9000", source: "aws-config" },
    });
    const overridden = await parseArgs(["--backend"], { AWS_CONFIG_FILE: awsConfig, AWS_PROFILE: "kfp", AWS_REGION: "us-west-2" });
    expect(overridden?.settings.region).toEqual({ value: "us-west-2", source: "aws-environment" });
    expect((await parseArgs(["--backend", "--endpoint", "http://m:9000"], { AWS_CONFIG_FILE: join(dir, "missing") }))?.settings.region).toEqual({
      value: "us-east-1",
      source: "default",
    });
  });

  it("a KFP_S3_PROBE_* variable with a value of the wrong kind names the variable", async () => {
    const backend = ["--backend", "--endpoint", "http://m:9000", "--bucket", "kfp"];
    await expect(parseArgs(backend, { KFP_S3_PROBE_STRICT: "maybe" })).rejects.toThrow(/KFP_S3_PROBE_STRICT must be true or false/);
    await expect(parseArgs(backend, { KFP_S3_PROBE_LAYOUT: "flat" })).rejects.toThrow(/KFP_S3_PROBE_LAYOUT must be one of: deploykf, kubeflow/);
  });
});
