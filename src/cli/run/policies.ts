// The policies in hand for a run: from files (--policy-dir) before anything is sent, or from the
// store (--policy-reader) once the sessions are open, read with keys allowed to read IAM. Either
// way, by identity name, the anonymous caller's being the bucket's policy.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { IAMClient } from "@aws-sdk/client-iam";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Role } from "../../core/plan.js";
import { fillTemplate, type PolicyDocument, parsePolicy } from "../../core/policy/document.js";
import { UsageError } from "../../core/usage-error.js";
import { CredentialError, type LoadedCredentials, loadCredentials } from "../../credentials/load.js";
import { type IamPrincipal, principalOfArn, readPrincipalPolicies } from "../../iam/policy-reader.js";
import type { Redactor } from "../../report/redact.js";
import { readBucketPolicy } from "../../s3/bucket-policy.js";
import { createS3Client } from "../../s3/client.js";
import type { Io } from "../io.js";
import type { ProbeConfig } from "../settings/config.js";
import type { Sessions } from "./sessions.js";

export interface PoliciesInHand {
  documents: Map<string, PolicyDocument[]>;
  /** Where each identity's came from; the anonymous caller's is the bucket's policy. */
  sources: Map<string, string>;
  /** What could not be read, and why (the report's notes). */
  problems: string[];
}

/** --policy-dir: NAME.json for each identity that has one (anonymous.json: the bucket's policy); deployKF's placeholders filled in. */
export function policiesIn(dir: string, bucket: string, identities: { name: string; role: Role }[]): PoliciesInHand {
  const inHand: PoliciesInHand = { documents: new Map(), sources: new Map(), problems: [] };
  for (const { name, role } of identities) {
    const file = join(dir, `${name}.json`);
    if (!existsSync(file)) continue;
    const text = fillTemplate(readFileSync(file, "utf8"), bucket, role.kind === "profile" ? role.profile : "");
    inHand.documents.set(name, [parsePolicy(text, `--policy-dir ${file}`)]);
    inHand.sources.set(name, `--policy-dir ${file}`);
  }
  const names = identities.map((i) => i.name).join(", ");
  if (inHand.documents.size === 0) throw new UsageError(`--policy-dir ${dir}: no NAME.json for any identity of the run (${names})`);
  return inHand;
}

/**
 * Whose policies IAM holds for an identity: the user or role its caller ARN names (AWS), else the
 * IAM user named as the identity, said so: a store without sts:GetCallerIdentity (RGW) does not
 * say whose keys these are, and a policy that is not theirs shows as disagreements with the store.
 */
function principalOf(identity: { name: string; caller?: string | undefined }): { principal: IamPrincipal; assumed: boolean } {
  const fromArn = identity.caller ? principalOfArn(identity.caller) : undefined;
  return fromArn ? { principal: fromArn, assumed: false } : { principal: { kind: "user", name: identity.name }, assumed: true };
}

async function readIdentities(iam: IAMClient, sessions: Sessions, inHand: PoliciesInHand, signal: AbortSignal): Promise<void> {
  await Promise.all(
    sessions.signed.map(async (identity) => {
      const { principal, assumed } = principalOf(identity);
      const reading = await readPrincipalPolicies(iam, principal, signal);
      if ("problem" in reading) return void inHand.problems.push(`${identity.name}'s policies were not read: ${reading.problem}`);
      inHand.documents.set(identity.name, reading.documents);
      inHand.sources.set(identity.name, `${reading.source}${assumed ? ", named as the identity (the store does not say whose keys these are)" : ""}`);
    }),
  );
}

/** The bucket's policy, from the first identity that may read it (the run's, then the reader: the bucket's owner often alone may). */
async function readBucket(
  readers: { name: string; client: S3Client }[],
  sessions: Sessions,
  bucket: string,
  inHand: PoliciesInHand,
  signal: AbortSignal,
): Promise<void> {
  const problems: string[] = [];
  for (const identity of readers) {
    const reading = await readBucketPolicy(identity.client, bucket, identity.name, signal);
    if ("problem" in reading) {
      problems.push(reading.problem);
      continue;
    }
    const anonymous = sessions.anonymous?.name ?? "anonymous";
    inHand.documents.set(anonymous, "document" in reading ? [reading.document] : [{ statements: [] }]);
    inHand.sources.set(anonymous, reading.source);
    return;
  }
  inHand.problems.push(`the bucket policy was not read: ${problems.join("; ") || "no identity to read it"}`);
}

export interface PolicyReader {
  name: string;
  keys: LoadedCredentials;
}

/** --policy-reader's keys, read before anything is sent: a bad directory is one line naming the flag. */
export async function loadPolicyReader(config: ProbeConfig, io: Io, redactor: Redactor): Promise<PolicyReader | undefined> {
  const reader = config.run.policyReader;
  if (!reader) return undefined;
  try {
    const keys = await loadCredentials({ source: "dir", directory: reader.directory, env: io.env, timeoutMs: config.run.credentialsTimeoutMs });
    redactor.add(...keys.secrets);
    return { name: reader.name, keys };
  } catch (error) {
    if (error instanceof CredentialError) throw new CredentialError(`--policy-reader ${reader.name}=${reader.directory}: ${error.message}`);
    throw error;
  }
}

/** --policy-reader: the identities' policies and the bucket's, read from the store. */
export async function policiesFromStore(
  config: ProbeConfig,
  sessions: Sessions,
  reader: PolicyReader,
  io: Io,
  signal: AbortSignal,
): Promise<PoliciesInHand> {
  const { keys } = reader;
  const endpoint = io.env.AWS_ENDPOINT_URL_IAM ?? config.store.endpoint;
  const iam = new IAMClient({ endpoint, region: config.store.region, credentials: keys.credentials, maxAttempts: 2 });
  const s3 = createS3Client(sessions.store, keys.credentials, reader.name);
  const inHand: PoliciesInHand = { documents: new Map(), sources: new Map(), problems: [] };
  const bucketReaders = [...sessions.signed, { name: reader.name, client: s3 }];
  try {
    await Promise.all([readIdentities(iam, sessions, inHand, signal), readBucket(bucketReaders, sessions, config.store.bucket, inHand, signal)]);
  } finally {
    iam.destroy();
    s3.destroy();
  }
  return inHand;
}
