// What the local S3 server holds: its settings, the identities of fixtures/local-identities.json,
// their policies and the objects seeded as a real KFP install would have them. Shared by the
// provisioning step, the integration tests and the benchmark.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface LocalS3Settings {
  endpoint: string;
  bucket: string;
  region: string;
  adminAccessKeyId: string;
  adminSecretAccessKey: string;
  secretsDir: string;
}

export interface LocalIdentity {
  name: string;
  role: "backend" | "profile";
  profile?: string;
  policy: string;
  wrong?: string;
}

export function readLocalS3Settings(envFile: string): LocalS3Settings {
  const values = new Map<string, string>();
  for (const line of readFileSync(envFile, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const get = (name: string): string => {
    const value = values.get(`KFP_S3_LOCAL_${name}`);
    if (!value) throw new Error(`${envFile} has no KFP_S3_LOCAL_${name}`);
    return value;
  };
  return {
    endpoint: get("ENDPOINT"),
    bucket: get("BUCKET"),
    region: get("REGION"),
    adminAccessKeyId: get("ADMIN_ACCESS_KEY_ID"),
    adminSecretAccessKey: get("ADMIN_SECRET_ACCESS_KEY"),
    secretsDir: get("SECRETS_DIR"),
  };
}

/** A bucket with versioning on (issue 22): the identities' own policies there, with `extraPolicy`'s statements where given. */
export interface VersionedBucket {
  name: string;
  /** Statements added to every identity's policy on this bucket (s3:DeleteObjectVersion on the probe's namespaces). */
  extraPolicy?: string;
  /** A lifecycle rule that expires noncurrent versions after this many days. */
  noncurrentDays?: number;
  /** Object lock with a default retention (the bucket is created with ObjectLockEnabledForBucket). */
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
}

interface LocalFixture {
  identities: LocalIdentity[];
  /** A second bucket whose bucket policy lets anyone read artifacts/*. */
  publicBucket: { name: string; policy: string };
  versionedBuckets: VersionedBucket[];
}

function loadFixture(projectRoot: string): LocalFixture {
  return JSON.parse(readFileSync(join(projectRoot, "fixtures", "local-identities.json"), "utf8")) as LocalFixture;
}

export function loadLocalIdentities(projectRoot: string): LocalIdentity[] {
  return loadFixture(projectRoot).identities;
}

export function publicBucketOf(projectRoot: string): { name: string; policy: string } {
  const { name, policy } = loadFixture(projectRoot).publicBucket;
  return { name, policy: readFileSync(join(projectRoot, policy), "utf8").replaceAll("<BUCKET_NAME>", name) };
}

export function versionedBucketsOf(projectRoot: string): VersionedBucket[] {
  return loadFixture(projectRoot).versionedBuckets;
}

export function policyDocument(identity: LocalIdentity, bucket: string, projectRoot: string, extraPolicy?: string): string {
  const path = identity.policy.startsWith("reference:")
    ? join(projectRoot, "fixtures", "reference-policies", `${identity.policy.slice("reference:".length)}.json`)
    : join(projectRoot, identity.policy);
  const fill = (text: string) => text.replaceAll("<BUCKET_NAME>", bucket).replaceAll("<PROFILE_NAME>", identity.profile ?? "");
  const text = fill(readFileSync(path, "utf8"));
  if (!extraPolicy) return text;
  type Document = { Version: string; Statement: unknown[] };
  const own = JSON.parse(text) as Document;
  const extra = JSON.parse(fill(readFileSync(join(projectRoot, extraPolicy), "utf8"))) as Document;
  return JSON.stringify({ ...own, Statement: [...own.Statement, ...extra.Statement] });
}

/** Objects a running KFP install has, written by the bucket owner: reads are decided on these. */
export function seededKeys(identities: LocalIdentity[]): string[] {
  const profiles = [...new Set(identities.flatMap((i) => (i.profile ? [i.profile] : [])))].sort();
  return [
    "pipelines/hello-world/pipeline.yaml",
    ...profiles.flatMap((p) => [`artifacts/${p}/hello-world-run/main.log`, `v2/artifacts/${p}/hello-world/run-0/output.txt`]),
    // A metrics object of one team, under a folder no sample key of the probe lies in (issue 21).
    "artifacts/team-2/metrics/hello-world-run/metrics.json",
  ];
}
