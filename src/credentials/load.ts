// Loads one identity's credentials from one named source and says which source supplied them.
// Secrets are returned only for signing and for redaction; nothing here prints them.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { type CredentialFailure, credentialFailureReason } from "../core/credential-failure.js";
import { type StsRequest, StsWatch, stsErrorFacts } from "./sts-watch.js";

export const CREDENTIAL_SOURCES = ["env", "dir", "chain", "gcs-hmac"] as const;
export type CredentialSource = (typeof CREDENTIAL_SOURCES)[number];

/** Names of the environment variables that hold the keys (default: the standard AWS_* names). */
interface CredentialVariables {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CredentialRequest {
  source: CredentialSource;
  /** For "dir", and optionally "gcs-hmac": a directory with one file per key, as Kubernetes mounts a Secret. */
  directory?: string;
  /** Environment variable names (env, gcs-hmac), or file names in the directory (dir): default AWS_*. */
  variables?: CredentialVariables;
  env: NodeJS.ProcessEnv;
  /** Bound on the credential chain (IMDS waits about a second off AWS, other links may hang). */
  timeoutMs: number;
  /** The chain's requests to STS, each as it is answered (--debug). */
  onStsRequest?: (request: StsRequest) => void;
}

export interface LoadedCredentials {
  credentials: AwsCredentialIdentity;
  /** Where they came from, for the report. Never contains a secret. */
  sourceDescription: string;
  /** The last four characters of the access key id, enough to tell keys apart. */
  accessKeyIdHint: string;
  /** Values that must never appear in any output. */
  secrets: string[];
}

const CHAIN_LINKS: Record<string, string> = {
  CREDENTIALS_ENV_VARS: "environment variables",
  CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN: "web identity token (IRSA)",
  CREDENTIALS_STS_ASSUME_ROLE_WEB_ID: "web identity token (IRSA)",
  CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN: "web identity token from a config profile",
  CREDENTIALS_PROFILE: "shared config/credentials file",
  CREDENTIALS_SSO: "SSO",
  CREDENTIALS_PROFILE_SSO: "SSO",
  CREDENTIALS_PROCESS: "credential_process",
  CREDENTIALS_PROFILE_PROCESS: "credential_process",
  CREDENTIALS_HTTP: "container credentials endpoint",
  CREDENTIALS_IMDS: "EC2 instance metadata (IMDS)",
  CREDENTIALS_STS_ASSUME_ROLE: "assumed role",
};

export class CredentialError extends Error {
  override name = "CredentialError";
}

/**
 * The credential chain is set up but gave no keys: STS refused or was not reached, or the token
 * file could not be read. A connection failure of the identity, not bad input: the run reports it.
 */
export class CredentialChainError extends CredentialError {
  override name = "CredentialChainError";
  /** The link that failed, for the report: "credential chain: web identity token (IRSA)". */
  readonly sourceDescription: string;
  constructor(
    readonly credentialFailure: CredentialFailure,
    /** What must never be printed: the web identity token. */
    readonly secrets: string[],
  ) {
    super(`the credential chain got no keys: ${credentialFailureReason(credentialFailure)}`);
    const link = credentialFailure.call === "AssumeRole" ? CHAIN_LINKS.CREDENTIALS_STS_ASSUME_ROLE : CHAIN_LINKS.CREDENTIALS_STS_ASSUME_ROLE_WEB_ID;
    this.sourceDescription = `credential chain: ${link}`;
  }
}

const ACCESS_KEY = "AWS_ACCESS_KEY_ID";
const SECRET_KEY = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN = "AWS_SESSION_TOKEN";

function accessKeyIdHint(accessKeyId: string): string {
  return accessKeyId.length > 8 ? `…${accessKeyId.slice(-4)}` : "…";
}

function loaded(credentials: AwsCredentialIdentity, sourceDescription: string): LoadedCredentials {
  return {
    credentials,
    sourceDescription,
    accessKeyIdHint: accessKeyIdHint(credentials.accessKeyId),
    secrets: [credentials.secretAccessKey, ...(credentials.sessionToken ? [credentials.sessionToken] : [])],
  };
}

const STANDARD_VARIABLES: CredentialVariables = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, sessionToken: SESSION_TOKEN };

function fromValues(
  values: Record<string, string | undefined>,
  where: string,
  fix: string,
  names: CredentialVariables = STANDARD_VARIABLES,
): AwsCredentialIdentity {
  const accessKeyId = values[names.accessKeyId]?.trim();
  const secretAccessKey = values[names.secretAccessKey]?.trim();
  const sessionToken = names.sessionToken ? values[names.sessionToken]?.trim() : undefined;
  const missing = [!accessKeyId && names.accessKeyId, !secretAccessKey && names.secretAccessKey].filter(Boolean);
  if (missing.length > 0) throw new CredentialError(`${missing.join(" and ")} not set in ${where}: ${fix}`);
  return { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string, ...(sessionToken ? { sessionToken } : {}) };
}

async function readSecretDirectory(directory: string, names: CredentialVariables): Promise<Record<string, string | undefined>> {
  try {
    if (!(await stat(directory)).isDirectory()) throw new CredentialError(`--credentials-dir ${directory} is not a directory`);
  } catch (error) {
    if (error instanceof CredentialError) throw error;
    throw new CredentialError(`secret directory ${directory} does not exist or cannot be read`);
  }
  const read = async (name: string | undefined): Promise<string | undefined> => {
    if (!name) return undefined;
    const file = join(directory, name);
    try {
      // A FIFO or a device would block the read for ever: a Secret's keys are regular files.
      const kind = await stat(file).catch(() => undefined);
      if (kind && !kind.isFile()) throw new CredentialError(`${file} is not a regular file: a Secret's key is a file with the key in it`);
      return await readFile(file, "utf8");
    } catch (error) {
      if (error instanceof CredentialError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return undefined;
      throw new CredentialError(`cannot read ${file} (${code ?? "unreadable"}): check its permissions`);
    }
  };
  const values: Record<string, string | undefined> = {};
  for (const name of [names.accessKeyId, names.secretAccessKey, names.sessionToken]) if (name) values[name] = await read(name);
  return values;
}

/** The key files of a Secret's directory, by name: Kubernetes' own entries (..data, its dated folders) left out. */
async function keyFilesIn(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => !entry.name.startsWith(".") && (entry.isFile() || entry.isSymbolicLink()))
    .map((entry) => entry.name)
    .sort();
}

/** Of a directory's files, the two whose names say access key id and secret key (access_key, secret_key; username, password). */
function keyLookingPair(files: string[]): [string, string] | undefined {
  const secret = files.find((name) => /secret|password/i.test(name));
  const access = files.find((name) => name !== secret && /access|key.?id|user/i.test(name) && !/secret/i.test(name));
  return access && secret ? [access, secret] : undefined;
}

/**
 * Why a Secret's directory lacks the key files, and the fix: files that look like the keys under
 * other names are named, with --key-names or a config file's keys; otherwise what is there. Names
 * only, never contents.
 */
async function missingKeyFiles(directory: string, names: CredentialVariables, missing: string[], named: boolean): Promise<string> {
  const files = await keyFilesIn(directory);
  const lacks = `${directory} has no ${missing.length > 1 ? "files" : "file"} ${missing.join(" and ")}`;
  const pair = keyLookingPair(files.filter((name) => name !== names.accessKeyId && name !== names.secretAccessKey));
  if (pair && !named) {
    // --identity NAME=DIR takes no key names: a config file's identity does.
    const [access, secret] = pair;
    return `${lacks}, but ${access} and ${secret}: name them with --key-names ${access},${secret} (in --config: dir: { path: ${directory}, accessKeyKey: ${access}, secretKeyKey: ${secret} })`;
  }
  const found = files.length > 0 ? `it has ${files.join(", ")}` : "it is empty";
  if (named) return `${lacks} (the key names given for it): ${found}`;
  return `${lacks}: ${found} (a mounted Secret has a file per key; --key-names ACCESS,SECRET names them where they are not ${names.accessKeyId},${names.secretAccessKey})`;
}

/** A Secret mounted as a directory: its two key files (and a session token, where one is named). */
async function fromDirectory(directory: string, names: CredentialVariables, named: boolean): Promise<AwsCredentialIdentity> {
  const values = await readSecretDirectory(directory, names);
  const missing = [names.accessKeyId, names.secretAccessKey].filter((name) => !values[name]?.trim());
  if (missing.length > 0) throw new CredentialError(await missingKeyFiles(directory, names, missing, named));
  return fromValues(values, directory, "", names);
}

const TOKEN_FILE = "AWS_WEB_IDENTITY_TOKEN_FILE";

/** The web identity token, where the chain will read one: never to be printed. */
async function webIdentityToken(env: NodeJS.ProcessEnv): Promise<string[]> {
  const file = env[TOKEN_FILE];
  const token = file ? (await readFile(file, "utf8").catch(() => "")).trim() : "";
  return token ? [token] : [];
}

/** The error of a set-up link that failed: the token file unreadable, or the STS request it sent. */
function chainFailureOf(error: unknown, watch: StsWatch, env: NodeJS.ProcessEnv): CredentialFailure | undefined {
  const roleArn = env.AWS_ROLE_ARN ? { roleArn: env.AWS_ROLE_ARN } : {};
  const { code, path } = error as NodeJS.ErrnoException;
  if (typeof path === "string" && path === env[TOKEN_FILE])
    return { step: "token-file", file: path, ...(code ? { systemCode: code } : {}), ...roleArn };
  if (!watch.last) return undefined;
  const { status, errorName, systemCode } = stsErrorFacts(error);
  const message = error instanceof Error && errorName ? error.message.split("\n")[0] : undefined;
  return {
    step: "sts",
    call: watch.last.call,
    endpoint: watch.last.endpoint,
    ...(status !== undefined ? { status } : {}),
    ...(errorName ? { errorName } : {}),
    ...(systemCode ? { systemCode } : {}),
    ...(message ? { message } : {}),
    ...roleArn,
  };
}

/**
 * STS's region as the SDK finds it (AWS_REGION, the profile's region, else us-east-1), without the
 * warning the SDK prints on stderr when it falls back to us-east-1: a report must not carry it.
 */
async function stsRegion(): Promise<string> {
  const { loadConfig, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS } = await import("@smithy/core/config");
  return loadConfig({ ...NODE_REGION_CONFIG_OPTIONS, default: () => "us-east-1" }, NODE_REGION_CONFIG_FILE_OPTIONS)();
}

async function fromChain(request: CredentialRequest): Promise<LoadedCredentials> {
  const { timeoutMs, env } = request;
  // The chain's providers load with it, when a run uses it (not for --help or a usage error).
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  const watch = new StsWatch(request.onStsRequest);
  const clientConfig = { region: await stsRegion() };
  const provider = fromNodeProviderChain({ timeout: timeoutMs, maxRetries: 0, clientConfig, clientPlugins: [watch.plugin()] });
  const secrets = await webIdentityToken(env);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(chainTimeout(watch, timeoutMs, env, secrets)), timeoutMs);
  });
  try {
    const credentials = await Promise.race([provider(), deadline]);
    const features = Object.keys((credentials as { $source?: Record<string, string> }).$source ?? {});
    const link = features.map((feature) => CHAIN_LINKS[feature]).find(Boolean) ?? "default chain";
    const keys = loaded(credentials, `credential chain: ${link}`);
    return { ...keys, secrets: [...keys.secrets, ...secrets] };
  } catch (error) {
    if (error instanceof CredentialError) throw error;
    const failure = chainFailureOf(error, watch, env);
    if (failure) throw new CredentialChainError(failure, secrets);
    // The chain's own messages name files and variables, never secret values; keep one line.
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new CredentialError(`the credential chain found no credentials (${message})`);
  } finally {
    clearTimeout(timer);
  }
}

/** The chain's bound passed: an STS request still unanswered is what it waited on; else it found nothing in time. */
function chainTimeout(watch: StsWatch, timeoutMs: number, env: NodeJS.ProcessEnv, secrets: string[]): CredentialError {
  if (watch.last && !watch.last.settled) {
    const { call, endpoint } = watch.last;
    return new CredentialChainError({ step: "sts", call, endpoint, timeoutMs, ...(env.AWS_ROLE_ARN ? { roleArn: env.AWS_ROLE_ARN } : {}) }, secrets);
  }
  return new CredentialError(
    `the credential chain found no credentials within ${timeoutMs} ms: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or IRSA (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)`,
  );
}

function variablesDescription(names: CredentialVariables): string {
  return `environment variables ${names.accessKeyId}/${names.secretAccessKey}`;
}

export async function loadCredentials(request: CredentialRequest): Promise<LoadedCredentials> {
  const names = request.variables ?? STANDARD_VARIABLES;
  switch (request.source) {
    case "env":
      return loaded(
        fromValues(request.env, "the environment", `export them, or use --credentials-dir DIR or --credentials chain`, names),
        variablesDescription(names),
      );
    case "dir":
    case "gcs-hmac": {
      const directory = request.directory;
      if (request.source === "dir" && !directory) throw new CredentialError("--credentials dir needs --credentials-dir DIR");
      const kind = request.source === "gcs-hmac" ? "GCS HMAC key" : "secret directory";
      if (directory) return loaded(await fromDirectory(directory, names, request.variables !== undefined), `${kind} ${directory}`);
      return loaded(
        fromValues(
          request.env,
          "the environment",
          `export the HMAC access id and secret as ${names.accessKeyId} and ${names.secretAccessKey}`,
          names,
        ),
        `${kind} from ${variablesDescription(names)}`,
      );
    }
    case "chain":
      return fromChain(request);
  }
}
