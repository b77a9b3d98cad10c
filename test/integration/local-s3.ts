// Helpers for tests that talk to the local Ceph RGW: its settings, the CLI as a child process,
// the bucket as the admin sees it, and a loopback proxy that can hold requests.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { expect, inject } from "vitest";
import {
  type LocalS3Settings,
  loadLocalIdentities,
  publicBucketOf,
  readLocalS3Settings,
  seededKeys,
  versionedBucketsOf,
} from "../../scripts/local-s3-fixture.js";
import type { Report } from "../../src/report/model.js";
import { forward, serveOnLoopback } from "../support/fault-proxy.js";

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
export const settings: LocalS3Settings = readLocalS3Settings(inject("localS3EnvFile"));
export const identities = loadLocalIdentities(projectRoot);
export const seeded = seededKeys(identities).sort();
/** A second bucket whose bucket policy lets anyone read artifacts/*. */
export const publicBucket = publicBucketOf(projectRoot).name;
/** The versioned buckets (issue 22), by name: the reference policies, with s3:DeleteObjectVersion, under object lock. */
export const versionedBuckets = versionedBucketsOf(projectRoot).map((b) => b.name);
const bin = join(projectRoot, "bin", "kfp-s3-probe");

export function secretsDirOf(identity: string): string {
  return join(settings.secretsDir, identity);
}

/** Every secret the local server handed out: none may appear in any output. */
export function allSecrets(): string[] {
  return [
    settings.adminSecretAccessKey,
    ...readdirSync(settings.secretsDir).map((identity) => readFileSync(join(settings.secretsDir, identity, "AWS_SECRET_ACCESS_KEY"), "utf8")),
  ];
}

/**
 * No secret of any identity in what the runs printed. It checks that there is something to look
 * at (at least `minimum` runs that printed something) and something to look for, so that it
 * cannot pass on an empty list.
 */
export function expectNoSecretIn(outputs: CliResult[], minimum: number): void {
  expect(outputs.filter((o) => o.stdout !== "" || o.stderr !== "").length).toBeGreaterThanOrEqual(minimum);
  const secrets = allSecrets();
  expect(secrets.length).toBeGreaterThan(2);
  for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(16);
  const everything = outputs.map((o) => `${o.stdout}\n${o.stderr}`).join("\n");
  for (const secret of secrets) expect(everything).not.toContain(secret);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as a user runs it, with an environment that has no AWS settings of the developer's;
 * `entry` runs another build of it (the single-file bundle) from `cwd`.
 */
export function runCli(
  args: string[],
  options: { entry?: string; cwd?: string; timeoutMs?: number; env?: Record<string, string>; nodeFlags?: readonly string[] } = {},
): Promise<CliResult> {
  const env = cleanEnv(options.env ?? {});
  return new Promise((resolve) => {
    const run = { env, timeout: options.timeoutMs ?? 60_000, ...(options.cwd ? { cwd: options.cwd } : {}) };
    execFile(process.execPath, [...(options.nodeFlags ?? []), options.entry ?? bin, ...args], run, (error, stdout, stderr) => {
      const code = error && typeof error.code === "number" ? error.code : error ? null : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { env: cleanEnv({}), stdio: ["ignore", "pipe", "pipe"] });
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_EC2_METADATA_DISABLED: "true", ...extra };
  return env;
}

/** The local store and its bucket, as a run is pointed at them. */
export function storeArgs(bucket = settings.bucket): string[] {
  return ["--endpoint", settings.endpoint, "--bucket", bucket];
}

export function probeArgs(identity: string, role: string[], extra: string[] = []): string[] {
  return [
    ...role,
    "--name",
    identity,
    "--endpoint",
    settings.endpoint,
    "--bucket",
    settings.bucket,
    "--credentials-dir",
    secretsDirOf(identity),
    ...extra,
  ];
}

export function parseReport(result: CliResult): Report {
  try {
    return JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${result.code}); stderr: ${result.stderr}`);
  }
}

/** The checks of the identity the run was made for (the first), not of the anonymous caller every run adds. */
export function ownChecks(report: Report): Report["checks"] {
  return report.checks.filter((c) => c.identity === report.identities[0]?.name);
}

export function cell(report: Report, prefix: string | null, operation: string) {
  const check = ownChecks(report).find((c) => c.prefix === prefix && c.operation === operation);
  if (!check) throw new Error(`no check ${operation} ${prefix}`);
  return check;
}

const CROSS_PROFILE = ["foreign", "unowned", "near-miss"];

/** "verdict operation prefix" per non-ok cell on the bucket and the identity's own and shared prefixes. */
export function findings(report: Report): string[] {
  return ownChecks(report)
    .filter((c) => c.verdict !== "ok" && !CROSS_PROFILE.includes(c.relation ?? ""))
    .map((c) => `${c.verdict} ${c.operation} ${c.prefix ?? "(bucket)"}`)
    .sort();
}

/** The cells on other profiles' prefixes (foreign, unowned, near miss) with this verdict. */
export function crossProfileCells(report: Report, verdict: string): string[] {
  return ownChecks(report)
    .filter((c) => c.verdict === verdict && CROSS_PROFILE.includes(c.relation ?? ""))
    .map((c) => `${c.operation} ${c.prefix}`)
    .sort();
}

const admin = new S3Client({
  endpoint: settings.endpoint,
  region: settings.region,
  forcePathStyle: true,
  credentials: { accessKeyId: settings.adminAccessKeyId, secretAccessKey: settings.adminSecretAccessKey },
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
});

export async function bucketKeys(bucket = settings.bucket): Promise<string[]> {
  return (await bucketObjects(bucket)).map((object) => object.split(" ")[0] as string);
}

/** "key etag" of every object: what a run must leave unchanged. */
export async function bucketObjects(bucket = settings.bucket): Promise<string[]> {
  const objects: string[] = [];
  let token: string | undefined;
  do {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    objects.push(...(page.Contents ?? []).map((o) => `${o.Key} ${o.ETag}`));
    token = page.NextContinuationToken;
  } while (token);
  return objects.sort();
}

/** Multipart uploads started and never completed or aborted: the probe must leave none. */
export async function incompleteUploads(bucket = settings.bucket): Promise<string[]> {
  return (await openUploads(bucket)).map((u) => `${u.key} ${u.uploadId}`);
}

export async function putAsAdmin(keys: string[]): Promise<void> {
  for (const key of keys) await admin.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: "planted by a test" }));
}

export async function removeAsAdmin(keys: string[]): Promise<void> {
  for (const key of keys) await admin.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: key }));
}

/**
 * A loopback HTTP proxy in front of RGW that holds the requests `hold` selects until the client
 * gives up, so a test can interrupt the probe at a known point. Headers (Host included) pass
 * unchanged, so SigV4 signatures stay valid.
 */
export async function startHoldingProxy(hold: (req: IncomingMessage) => boolean): Promise<{
  endpoint: string;
  held: Promise<void>;
  close: () => Promise<void>;
}> {
  const target = new URL(settings.endpoint);
  let signalHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (signalHeld = resolve));
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (hold(req)) return signalHeld();
    forward(req, res, target);
  });
  return { ...(await serveOnLoopback(server)), held };
}

/** The backend, a profile, and keys that may list and abort uploads (s3:*), so that cleanup can see every upload. */
export function probeConfigWithUploadLister(): string {
  const file = join(mkdtempSync(join(tmpdir(), "kfp-s3-probe-config-")), "probe.yaml");
  writeFileSync(
    file,
    [
      "identities:",
      "  - backend: true",
      `    credentials: { dir: ${secretsDirOf("backend")} }`,
      "  - profile: team-1",
      `    credentials: { dir: ${secretsDirOf("team-1")} }`,
      "  - name: wrong-bucket-admin",
      "    profile: team-5",
      `    credentials: { dir: ${secretsDirOf("wrong-bucket-admin")} }`,
      "",
    ].join("\n"),
  );
  return file;
}

/**
 * The backend, team-1 and the metrics-wildcard profile (wrong-metrics-read) with its policy in hand:
 * its witness under team-1's metrics/, where no object exists, is planted in a deeper namespace.
 */
export function witnessRunArgs(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-witness-"));
  copyFileSync(join(projectRoot, "fixtures", "policies", "metrics-wildcard.json"), join(dir, "wrong-metrics-read.json"));
  const config = join(dir, "probe.yaml");
  const identity = (line: string) => `  - ${line}`;
  writeFileSync(
    config,
    [
      "identities:",
      identity(`{ backend: true, credentials: { dir: ${secretsDirOf("backend")} } }`),
      identity(`{ profile: team-1, credentials: { dir: ${secretsDirOf("team-1")} } }`),
      identity(`{ name: wrong-metrics-read, profile: team-7, credentials: { dir: ${secretsDirOf("wrong-metrics-read")} } }`),
      "",
    ].join("\n"),
  );
  return ["--config", config, "--policy-dir", dir];
}

export async function probeKeysInBucket(): Promise<string[]> {
  return (await bucketKeys()).filter((key) => key.includes(".kfp-s3-probe/"));
}

export async function openUploads(bucket = settings.bucket): Promise<{ key: string; uploadId: string }[]> {
  const answer = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (answer.Uploads ?? []).flatMap((u) => (u.Key && u.UploadId ? [{ key: u.Key, uploadId: u.UploadId }] : []));
}

/** Leaves the bucket as it was for the next run, whatever this one left. */
export async function clearProbeDebris(): Promise<void> {
  await removeAsAdmin(await probeKeysInBucket());
  for (const upload of await openUploads()) {
    await admin.send(new AbortMultipartUploadCommand({ Bucket: settings.bucket, Key: upload.key, UploadId: upload.uploadId }));
  }
}

/** "key versionId" of every version and delete marker under the probe's namespaces, as the admin's ListObjectVersions sees them. */
export async function probeVersionsIn(bucket: string): Promise<{ key: string; versionId: string; deleteMarker: boolean; isLatest: boolean }[]> {
  const found: { key: string; versionId: string; deleteMarker: boolean; isLatest: boolean }[] = [];
  let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, ...marker }));
    const of = (deleteMarker: boolean) => (v: { Key?: string; VersionId?: string; IsLatest?: boolean }) =>
      v.Key?.includes(".kfp-s3-probe/") ? [{ key: v.Key, versionId: v.VersionId ?? "null", deleteMarker, isLatest: v.IsLatest === true }] : [];
    found.push(...(page.Versions ?? []).flatMap(of(false)), ...(page.DeleteMarkers ?? []).flatMap(of(true)));
    if (!page.IsTruncated) return found;
    marker = {
      ...(page.NextKeyMarker ? { KeyMarker: page.NextKeyMarker } : {}),
      ...(page.NextVersionIdMarker ? { VersionIdMarker: page.NextVersionIdMarker } : {}),
    };
  }
}

/** Removes every probe version and marker as the admin (past a governance retention too), and every open upload. */
export async function clearProbeVersions(bucket: string): Promise<void> {
  for (const v of await probeVersionsIn(bucket)) {
    await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId, BypassGovernanceRetention: true }));
  }
  for (const upload of await openUploads(bucket)) {
    await admin.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }));
  }
}
