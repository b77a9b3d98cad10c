// Checks of single settings, each failing with one line that names the setting and the fix.
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { RESERVED_EXIT_CODES } from "../../core/exit-codes.js";
import { isValidProfileName } from "../../core/layout.js";
import { UsageError } from "../../core/usage-error.js";

export function parseEndpoint(raw: string): string {
  // Keys in user-info are refused without being echoed, with or without a scheme.
  if (/^([a-z][a-z0-9+.-]*:\/\/)?[^/]*@/i.test(raw))
    throw new UsageError("--endpoint must not carry credentials (user:password@); use --credentials");
  // "minio:9000" parses as a URL with the scheme "minio:", so look for "://" first.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new UsageError(`--endpoint ${raw} has no scheme: write http://${raw} or https://${raw}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint ${raw} is not a valid URL (check the host and that the port is 1-65535)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--endpoint must start with http:// or https://, not ${url.protocol}//`);
  }
  if (url.username || url.password) {
    throw new UsageError("--endpoint must not carry credentials (user:password@); use --credentials");
  }
  if (url.port === "0") throw new UsageError(`--endpoint ${url.host}: port 0 is not a port; use 1-65535`);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new UsageError(`--endpoint must be the store's root (scheme://host[:port]) without a path; the bucket goes in --bucket`);
  }
  return `${url.protocol}//${url.host}`;
}

export function validBucket(bucket: string | undefined): string {
  if (!bucket) throw new UsageError("--bucket is required: the bucket KFP uses (deployKF: kubeflow_tools.pipelines.bucket.name)");
  const valid = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes("..");
  if (!valid) throw new UsageError(`--bucket ${bucket} is not a valid bucket name: 3-63 lowercase letters, digits, '.' and '-'`);
  return bucket;
}

export function validRegion(region: string): string {
  if (!/^[a-z0-9-]+$/i.test(region)) throw new UsageError(`--region ${region} is not a region name`);
  return region;
}

export function positiveNumber(flag: string, value: number, max: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new UsageError(`--${flag} must be a number above 0 and at most ${max}`);
  return value;
}

/** The PEM text of --ca-bundle; refused with --insecure-skip-tls-verify. */
export function readCaBundle(file: string | undefined, insecureSkipTlsVerify: boolean): string | undefined {
  if (!file) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--ca-bundle ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----"))
    throw new UsageError(`--ca-bundle ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  if (insecureSkipTlsVerify) throw new UsageError("--ca-bundle and --insecure-skip-tls-verify exclude each other: keep --ca-bundle");
  return pem;
}

/** Flags that look like they carry a secret (not our --secrets-root): refused without echoing their value. */
export function refuseSecretFlags(argv: string[]): void {
  const isSecretFlag = (arg: string): boolean => {
    if (!arg.startsWith("-")) return false;
    const flag = arg.replace(/^-+/, "").split("=")[0] ?? "";
    return flag !== "secrets-root" && /secret|password|session-?token/i.test(flag);
  };
  if (argv.some(isSecretFlag)) {
    throw new UsageError("secrets are never taken on the command line: use AWS_SECRET_ACCESS_KEY, --credentials-dir or --credentials chain");
  }
}

export function positiveInteger(flag: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`--${flag} must be a whole number from 1 to ${max}`);
  return value;
}

/** Identity names go into object keys and report lines: a Kubernetes name (lowercase letters, digits, '-'). */
export function validIdentityName(name: string, field: string): string {
  if (!isValidProfileName(name)) {
    throw new UsageError(`${field} must be a name of lowercase letters, digits and '-' (at most 63), like team-1`);
  }
  return name;
}

/** A file the run will write at its end must be writable before anything is sent. */
export function writableFile(flag: string, path: string): string {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--${flag} ${path} is a directory: name a file`);
    accessSync(statSync(path, { throwIfNoEntry: false }) ? path : dirname(path), constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `--${flag} ${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? "unwritable"}): name a file in a writable folder`,
    );
  }
  return path;
}

/** A flag given twice is refused: which value would win is not for the user to guess. */
export function refuseDuplicateFlags(argv: string[], repeatable: (flag: string) => boolean): void {
  const seen = new Set<string>();
  for (const arg of argv) {
    if (!arg.startsWith("--")) continue;
    const flag = (arg.slice(2).split("=")[0] ?? "").replace(/^no-/, "");
    if (repeatable(flag)) continue;
    if (seen.has(flag)) throw new UsageError(`--${flag} is given more than once: give it once`);
    seen.add(flag);
  }
}

/** The name of a key in a Secret, which is a file name in the directory it is mounted as. */
export function isKeyFileName(name: string | undefined): name is string {
  return name !== undefined && /^[A-Za-z0-9._-]+$/.test(name);
}

/** --pushgateway: an http(s) URL; user:password@ in it is sent as Basic auth and never echoed. */
export function pushgatewayUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError("--pushgateway is not a valid URL: write it as http://HOST:9091 (the Pushgateway's address)");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--pushgateway must start with http:// or https://, not ${url.protocol}//`);
  }
  if (url.search || url.hash)
    throw new UsageError(`--pushgateway ${url.origin}${url.pathname}: no query or fragment; the Pushgateway's address only`);
  return url;
}

/** --exit-code N: a process exit code (0-255) that none of the table's other rows already means. */
export function findingsExitCode(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 255 || RESERVED_EXIT_CODES.includes(value)) {
    throw new UsageError(
      `--exit-code must be a whole number from 0 to 255 other than ${RESERVED_EXIT_CODES.join(", ")} (each of those already means something else), e.g. --exit-code 0`,
    );
  }
  return value;
}
