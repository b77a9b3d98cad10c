// The words of a diagnosis across identities: what it means and what to do, made from its data.
import type { Cause } from "../core/cause.js";
import { type CredentialFailure, credentialFailureReason } from "../core/credential-failure.js";
import type { Diagnosis, DiagnosisKind, Place, StoreFailure } from "../core/diagnoses.js";
import { fewAndMore } from "./hint.js";

export interface WordedDiagnosis extends Diagnosis {
  message: string;
  fix: string;
}

/** The places of a diagnosis: all of a few, the first two and how many more of many. */
function places(where: Place[] | undefined): string {
  const all = (where ?? []).map((p) => `${[...new Set(p.operations)].join("/")} ${p.prefix ?? "the bucket"}`);
  return fewAndMore(all, "more prefixes");
}

interface DiagnosisWords {
  /** The text report's label, in at most 11 characters. */
  label: string;
  words: (d: Diagnosis, bucket: string) => { message: string; fix: string };
}

const who = (d: Diagnosis) => d.identities.join(", ");
const profilesOf = (d: Diagnosis) => d.profiles.join(", ");

/** Every kind of diagnosis in words, one record each. */
const DIAGNOSIS_WORDS: Record<DiagnosisKind, DiagnosisWords> = {
  "shared-key": {
    label: "SHARED KEY",
    words: (d) => ({
      message: `${who(d)} present the same access key id (${d.accessKeyId ?? "…"})${profilesOf(d) ? `, for ${profilesOf(d)}` : ""}: one key for several identities`,
      fix: "give each profile keys of its own: its own user (or service account) and policy, in its own Secret",
    }),
  },
  "keys-of-another-profile": {
    label: "WRONG KEYS",
    words: (d) => ({
      message: `${who(d)} is denied its own prefixes but reaches ${profilesOf(d)}'s (${places(d.where)}): its Secret holds ${profilesOf(d)}'s keys`,
      fix: `put ${who(d)}'s own keys in its Secret, not ${profilesOf(d)}'s`,
    }),
  },
  public: {
    label: "PUBLIC",
    words: (d, bucket) => ({
      message: `anyone, without keys, can ${places(d.where)}`,
      fix: `remove the grant to everyone from bucket ${bucket}: a bucket policy statement with Principal "*" or a public ACL; on AWS turn on Block Public Access, on MinIO remove the anonymous policy (mc anonymous set none)`,
    }),
  },
  "denied-everything": {
    label: "DENIED ALL",
    words: (d) => ({
      message: `${who(d)} is denied every request, its own prefixes included: the store knows the keys but grants them nothing`,
      fix: "attach the role's policy to the user these keys belong to (or put the keys of the user that has the policy in the Secret)",
    }),
  },
  "mangled-requests": {
    label: "MANGLED",
    words: (d) => ({
      message: `the keys of ${who(d)} are right (the store takes their other requests), but the store or a proxy between mangles some requests, and refuses their signature: ${shapeWords(d)}`,
      fix: "check the proxy / the store's URL encoding: a request must reach the store as it was signed (its query percent-encoded as sent); the secret key is not at fault",
    }),
  },
  "wildcard-grant": {
    label: "WILDCARD",
    words: (d, bucket) => ({
      message:
        d.variant === "wildcard"
          ? `${who(d)} reaches a profile that exists nowhere (${places(d.where)}): its policy's resource has a wildcard`
          : `${who(d)} reaches near-miss names (${places(d.where)}): its policy's resource lacks the trailing slash`,
      fix: `write each resource with the profile's name and a trailing slash: arn:aws:s3:::${bucket}/artifacts/<profile>/* (and v2/artifacts/<profile>/*)`,
    }),
  },
};

/** The refused requests' shape: the calls, where their unusual characters ride, and which. */
function shapeWords(d: Diagnosis): string {
  const shape = d.shape;
  if (!shape) return `those to ${places(d.where)}`;
  const calls = shape.requests.length > 0 ? shape.requests.join(", ") : "the requests";
  const where = shape.parts.map((part) => (part === "query" ? "a query value (a listing's prefix)" : "the key in the path")).join(" or ");
  const characters = shape.characters.map((c) => `'${c}'`).join(", ");
  return `those with ${characters || "unusual characters"} in ${where}: ${calls} to ${places(d.where)}`;
}

export const diagnosisLabel = (kind: DiagnosisKind): string => DIAGNOSIS_WORDS[kind].label;

export function wordDiagnoses(diagnoses: Diagnosis[], bucket: string): WordedDiagnosis[] {
  return diagnoses.map((d) => ({ ...d, ...DIAGNOSIS_WORDS[d.kind].words(d, bucket) }));
}

/** What the words of a store failure need beyond it: where the store is, and whose keys were refused. */
export interface StoreFailureContext {
  endpoint: string;
  bucket: string;
  forcePathStyle: boolean;
  requestTimeoutMs: number;
  identities: { name: string; credentialSource: string; accessKeyId: string }[];
  /** The other addressing style, where the run tried it: its flag and whether the bucket answered. */
  otherAddressing?: { flag: string; answers: boolean };
  /** By identity: what kept its keys from it, where its credential chain failed. */
  credentialFailures?: ReadonlyMap<string, CredentialFailure>;
}

/** host:port of the endpoint, the port the scheme implies where it names none. */
function hostPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}

/** The endpoint in plain HTTP on the same host and port. */
function plainHttpEndpoint(url: URL): string {
  const path = url.pathname === "/" ? "" : url.pathname;
  return `http://${hostPort(url)}${path}`;
}

/** Whose keys: each identity with the end of its access key id and where they came from. */
function whoseKeys(failure: StoreFailure, context: StoreFailureContext): string {
  const of = (name: string) => {
    const identity = context.identities.find((i) => i.name === name);
    return identity ? `${name} (${identity.accessKeyId} from ${identity.credentialSource})` : name;
  };
  return fewAndMore(failure.identities.map(of), "more identities");
}

function bucketNotFound(failure: StoreFailure, context: StoreFailureContext, at: string): string {
  const other = context.otherAddressing;
  if (other?.answers) return `${at}: bucket ${context.bucket} answers only with the other addressing style: add ${other.flag}`;
  const tried = other ? " (path-style and virtual-hosted addressing both tried)" : "";
  return `${at}: bucket ${context.bucket} does not exist, or is not visible with ${fewAndMore(failure.identities)}'s keys${tried}: check --bucket`;
}

/** The fix for a credential chain that failed: the token file, STS's reach, or the role's trust policy. */
function chainFix(failure: CredentialFailure): string {
  if (failure.step === "token-file")
    return "check AWS_WEB_IDENTITY_TOKEN_FILE: the service account's projected token (on EKS, the role-arn annotation mounts it)";
  if (failure.timeoutMs !== undefined)
    return "check that STS is reachable from here (AWS_ENDPOINT_URL_STS, AWS_REGION, a proxy), or raise --credentials-timeout";
  if (failure.status === undefined)
    return "check that STS is reachable from here (AWS_ENDPOINT_URL_STS, AWS_REGION for its regional endpoint, a proxy)";
  const role = failure.roleArn ?? "AWS_ROLE_ARN";
  if (failure.errorName === "AccessDenied")
    return `check the trust policy of ${role}: it must trust this cluster's OIDC provider and this service account (its namespace and name)`;
  return `check the token (AWS_WEB_IDENTITY_TOKEN_FILE) and the trust policy of ${role}`;
}

/** One line per identity whose chain failed: who, the STS request or the token file and what came back, the fix. */
function chainFailureWords(failure: StoreFailure, context: StoreFailureContext): string[] {
  return failure.identities.map((name) => {
    const chain = context.credentialFailures?.get(name);
    const source = context.identities.find((i) => i.name === name)?.credentialSource ?? "credential chain";
    if (!chain) return `${name} (${source}): ${failure.reason ?? "the credential chain got no keys"}`;
    return `${name} (${source}): ${credentialFailureReason(chain)}: ${chainFix(chain)}`;
  });
}

/** A line, or a line per identity where each failed in its own way. */
type FailureWords = (failure: StoreFailure, context: StoreFailureContext, url: URL) => string | string[];

/** The line for each cause a run can fail with before it decides anything. */
const STORE_FAILURE_WORDS: Partial<Record<Cause, FailureWords>> = {
  unreachable: (f, _c, url) => `${hostPort(url)}: ${f.reason}: check --endpoint (host and port) and that the store is reachable from here`,
  dns: (f, c, url) =>
    `${hostPort(url)}: ${f.reason}: check the host name in --endpoint${c.forcePathStyle ? "" : ` (virtual-hosted addressing puts the bucket in it: ${c.bucket}.${url.hostname}; try --path-style)`}`,
  "tls-mismatch": (f, _c, url) =>
    url.protocol === "https:"
      ? `${hostPort(url)}: ${f.reason}: the store's certificate is not trusted: --ca-bundle FILE adds its CA (--insecure-skip-tls-verify only to diagnose)`
      : `${hostPort(url)}: ${f.reason}: use https://${hostPort(url)} in --endpoint`,
  "plain-http": (_f, _c, url) =>
    `the store speaks plain HTTP at ${hostPort(url)} (it answered the TLS handshake in HTTP): use --endpoint ${plainHttpEndpoint(url)}`,
  timeout: (_f, c, url) =>
    `${hostPort(url)}: no answer within --request-timeout (${c.requestTimeoutMs / 1000} s): check the endpoint and any proxy on the way, or raise --request-timeout`,
  "wrong-secret": (f, c, url) =>
    `${hostPort(url)}: the store rejected the signature of ${whoseKeys(f, c)}: the secret key does not match the access key id: check the secret key there (or a proxy rewrites the Host header: use the --endpoint the store sees)`,
  "unknown-key": (f, c, url) =>
    `${hostPort(url)}: the store does not know the access key id of ${whoseKeys(f, c)}: check that these are this store's keys`,
  "expired-token": (f, c, url) =>
    `${hostPort(url)}: the session token of ${whoseKeys(f, c)} has expired: refresh the credentials (AWS_SESSION_TOKEN, or the IRSA token)`,
  "credential-chain": (f, c) => chainFailureWords(f, c),
  "clock-skew": (_f, _c, url) => `${hostPort(url)}: this machine's clock differs from the store's by more than 15 minutes: set it right (NTP)`,
  "wrong-region": (f, c, url) =>
    f.bucketRegion
      ? `${hostPort(url)}: bucket ${c.bucket} is in region ${f.bucketRegion}: set --region ${f.bucketRegion}`
      : `${hostPort(url)}: bucket ${c.bucket} is in another region (${f.reason}): set --region to its region`,
  "no-such-bucket": (f, c, url) => bucketNotFound(f, c, hostPort(url)),
  "addressing-style": (_f, _c, url) => `${hostPort(url)}: the store refuses path-style requests: add --no-path-style`,
};

/** One line per store failure: where (host and port), what went wrong, and the fix. */
export function storeFailureLines(failures: StoreFailure[], context: StoreFailureContext): string[] {
  const url = new URL(context.endpoint);
  return failures.flatMap((failure) => {
    const words = STORE_FAILURE_WORDS[failure.cause];
    return words ? words(failure, context, url) : `${hostPort(url)}: ${failure.reason ?? failure.cause} (${fewAndMore(failure.identities)})`;
  });
}
