// The words of a fix: a finding's cause and remedy, said as one sentence that names the IAM action,
// flag or setting to change. The only place where a remedy becomes text.
import type { Cause, Remedy } from "../core/cause.js";
import type { Muting } from "../core/mute.js";
import type { Operation } from "../core/operations.js";
import type { PlannedCheck } from "../core/plan.js";
import { type CheckResult, findingOf, type Observation } from "../core/verdict.js";
import type { Verdict } from "../core/verdicts.js";
import { statementsWords } from "./policy-words.js";

/** A list in a line: all of a few (joined by `last`), or the first two and how many more. */
export function fewAndMore(items: string[], more = "more", last = ", "): string {
  return items.length <= 3 ? items.join(last) : `${items.slice(0, 2).join(", ")} and ${items.length - 2} ${more}`;
}

/** --ignore-file's rules that muted nothing, each said: a rule that names a LEAK without its exact name mutes nothing. */
export function mutingNotes(muting: Muting, file: string): string[] {
  const unmatched = muting.unmatched.map(({ line, text }) => `--ignore-file ${file} line ${line} (${text}) matches no finding`);
  const leaks = muting.inexactLeaks.map(
    ({ rule, names }) =>
      `--ignore-file ${file} line ${rule.line} (${rule.text}) names ${names.length === 1 ? "a LEAK" : `${names.length} LEAKs`} but not exactly, so it stays: a LEAK is muted only by its exact name, CAUSE IDENTITY PREFIX OPERATION (${fewAndMore(names)})`,
  );
  return [...unmatched, ...leaks];
}

/** What a hint may need to know beyond the finding. */
export interface HintContext {
  bucket: string;
  /** The endpoint is https://. */
  tls: boolean;
}

/** The parts of a check a hint speaks of (a finding of the bucket, or a leftover, has no operation). */
export interface HintSubject {
  operation?: Operation;
  prefix: string | null;
  cause: Cause;
  remedy: Remedy;
}

function grantWords(subject: HintSubject, context: HintContext): string {
  const { remedy, operation } = subject;
  const actions = (remedy.actions ?? []).join(", ");
  const on = `${actions} on ${remedy.resource}`;
  if (subject.cause === "delete-needs-read") return `grant ${on}: KFP deletes through gocloud, which sends HeadObject first`;
  if (operation === "multipart") {
    return `grant ${on}: CreateMultipartUpload, UploadPart and CompleteMultipartUpload need it, and KFP uploads artifacts above 8 MiB (v2) or 16 MiB (Argo) in parts`;
  }
  if (operation === "list-bucket" && !context.tls) {
    return `grant ${on}; over plain HTTP, a bucket policy that requires aws:SecureTransport also answers 403: try https://`;
  }
  const prefixCondition = remedy.condition ? ` (with s3:prefix "${remedy.condition.values[0]}" at least)` : "";
  return `grant ${on}${prefixCondition}`;
}

/** The policy statements a remedy names (check-policy), each once: "Statement[1] of p.json, Resource …". */
const statementsIn = (remedy: Remedy): string | undefined => statementsWords(remedy.statements ?? []);

/** How to close a key-name exposure, without the sentence that names what is exposed. */
export function listRestrictionWords(remedy: Remedy): string {
  const where = statementsIn(remedy);
  return `grant s3:ListBucket on ${remedy.resource} only with a Condition StringLike s3:prefix on the profile's own prefixes${where ? ` (${where} grants it without one)` : ""}`;
}

function removalWords(remedy: Remedy): string {
  const actions = (remedy.actions ?? []).join(", ");
  const where = statementsIn(remedy);
  // Where the policies are in hand, the statement that grants it, not the cell the probe tried.
  if (where) return `remove ${actions} from ${where}, or narrow that Resource to this identity's own prefixes`;
  return `remove ${actions} on ${remedy.resource} from this identity's policy (check wildcards such as "*" or a resource without its trailing slash)`;
}

function exposureWords(subject: HintSubject): string {
  const where = subject.prefix !== null && subject.operation === "list" ? `key names under ${subject.prefix}` : "every key name in the bucket";
  return `this identity can list ${where}; to close it, ${listRestrictionWords(subject.remedy)}`;
}

/** A read with no object to read: what is left to do in this run (remedyInRun in src/core/summary.ts decides it). */
function noObjectWords(remedy: Remedy): string {
  const readOnly = remedy.settings?.includes("--read-only") === true;
  if (remedy.where === "flag")
    return "reads are decided on objects that exist, and --read-only writes none: run without --read-only, and the prefix's owner or the backend in this run writes one";
  if (remedy.change === "check")
    return "reads are decided on objects that exist: the prefix's owner or the backend in this run could not write one here, and its own findings say why";
  return `reads are decided on objects that exist: add the prefix's owner or the backend to the run${readOnly ? " and run without --read-only" : ""}, so that it can write one`;
}

/** The sentence for a finding; undefined where there is nothing to change. */
export function hintText(subject: HintSubject, context: HintContext): string | undefined {
  return CAUSE_WORDS[subject.cause].fix(subject, context);
}

/** The hint for one check as the engine would judge it: for tests and library users. */
export function hintFor(check: PlannedCheck, observation: Observation, verdict: Verdict, context: HintContext): string | undefined {
  const finding = findingOf(check, observation, verdict, context.bucket);
  if (!finding) return undefined;
  return hintText({ operation: check.operation, prefix: check.target?.prefix ?? null, ...finding }, context);
}

/** The hint of a finding that is no check's: the bucket's, or a leftover's. */
export function findingHint(finding: { cause: Cause; remedy: Remedy }, context: HintContext): string | undefined {
  return hintText({ prefix: null, ...finding }, context);
}

/** The hint of a judged check. */
export function resultHint(result: CheckResult, context: HintContext): string | undefined {
  if (!result.cause || !result.remedy) return undefined;
  return hintText({ operation: result.operation, prefix: result.target?.prefix ?? null, cause: result.cause, remedy: result.remedy }, context);
}

interface CauseWords {
  /** What the cause is, in a line: SARIF's rule text. */
  title: string;
  /** The fix in one sentence, naming the IAM action, flag or setting to change; undefined where there is nothing to change. */
  fix: (subject: HintSubject, context: HintContext) => string | undefined;
}

/** Every cause in words, one record each, which every format reads (what a cause means as data is CAUSES, src/core/cause.ts). */
export const CAUSE_WORDS: Record<Cause, CauseWords> = {
  "missing-action": {
    title: "An identity lacks an action KFP needs",
    fix: grantWords,
  },
  "delete-needs-read": {
    title: "DeleteObject without GetObject: KFP deletes through gocloud, which reads first",
    fix: grantWords,
  },
  "recommended-action": {
    title: "A recommended action is missing (s3:AbortMultipartUpload)",
    fix: ({ remedy }) =>
      `grant ${(remedy.actions ?? []).join(", ")} on ${remedy.resource} (the reference policies do not): an upload that fails half-way leaves its parts behind, stored and billed; or add a lifecycle rule with AbortIncompleteMultipartUpload`,
  },
  "grant-too-wide": {
    title: "An identity may reach what it must not",
    fix: ({ remedy }) => removalWords(remedy),
  },
  "key-names-listable": {
    title: "Key names of other prefixes are listable",
    fix: exposureWords,
  },
  "public-access": {
    title: "Anyone, without keys, may do it",
    fix: ({ remedy }) =>
      `anyone can do this without keys: remove ${(remedy.actions ?? []).join(", ")} on ${remedy.resource} for everyone from ${statementsIn(remedy) ?? 'the bucket policy (a Principal "*" statement)'} or the bucket's ACL; on AWS turn on Block Public Access, on MinIO remove the anonymous policy (mc anonymous set none); not this identity's own policy`,
  },
  "no-object-to-read": {
    title: "A read could not be decided: no object to read",
    fix: ({ remedy }) => noObjectWords(remedy),
  },
  "undecided-answer": {
    title: "The store's answer does not decide",
    fix: () => undefined,
  },
  "policy-not-evaluated": {
    title: "The policy uses something the offline evaluator does not read",
    fix: () =>
      'offline, only Allow/Deny, Action/NotAction, Resource/NotResource, Principal "*" and the String operators on s3:prefix and s3:delimiter are read: probe the store itself to decide this cell',
  },
  "not-run": {
    title: "A check was not run",
    fix: () => undefined,
  },
  "checksum-rejected": {
    title: "The store rejects uploads with a CRC32 checksum",
    fix: () =>
      "this store rejects uploads with a CRC32 checksum (x-amz-checksum-crc32), which KFP v2's launcher sends: v2 artifact uploads will fail here; update the store to one that accepts it",
  },
  unreachable: {
    title: "No connection to the endpoint",
    fix: (_subject, { tls }) =>
      `check --endpoint (host and port) and that the store is reachable from here${tls ? "" : "; if the store speaks TLS, use https://"}`,
  },
  dns: {
    title: "The endpoint's host name does not resolve",
    fix: () => "check the host name in --endpoint (with virtual-hosted addressing the bucket name is part of it: try --path-style)",
  },
  "tls-mismatch": {
    title: "TLS or plain HTTP mismatch, or an untrusted certificate",
    fix: (_subject, { tls }) =>
      tls
        ? "the store's certificate is not trusted: --ca-bundle FILE adds your CA to the public roots (--insecure-skip-tls-verify only to diagnose); if the store speaks plain HTTP, use http://"
        : "the endpoint did not answer plain HTTP: if it speaks TLS, use https:// in --endpoint",
  },
  "plain-http": {
    title: "The store speaks plain HTTP where https:// was given",
    fix: () => "the store speaks plain HTTP there: use http:// in --endpoint",
  },
  timeout: {
    title: "No answer in time",
    fix: () => "the store did not answer in --request-timeout; check the endpoint, a proxy, or raise the timeout",
  },
  "wrong-secret": {
    title: "The secret key does not match the access key id",
    fix: () =>
      "the secret key does not match the access key id: check AWS_SECRET_ACCESS_KEY (or a proxy rewrites the Host header or the port: use the --endpoint the store sees)",
  },
  "unknown-key": {
    title: "The store does not know the access key id",
    fix: () => "the store does not know this access key id: check the identity's AWS_ACCESS_KEY_ID",
  },
  "expired-token": {
    title: "The session token has expired",
    fix: () => "the session token has expired: refresh the credentials (AWS_SESSION_TOKEN, or the IRSA token)",
  },
  "request-mangled": {
    title: "The store refused the signature of some requests the same keys sign right",
    fix: () =>
      "the keys are right (the store takes their other requests): the store or a proxy between changes this request's URL on the way, so its signature no longer matches; check the proxy / the store's URL encoding (see the diagnosis)",
  },
  "credential-chain": {
    title: "The credential chain got no keys: STS refused or was not reached, or the token file is unreadable",
    fix: () =>
      "the credential chain is set up (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) but STS gave no keys: check the role's trust policy for this service account, the token file, and that STS is reachable (AWS_ENDPOINT_URL_STS, AWS_REGION)",
  },
  "clock-skew": {
    title: "The clocks differ by more than 15 minutes",
    fix: () => "set this machine's clock right (NTP): signatures are only valid for 15 minutes",
  },
  "wrong-region": {
    title: "The bucket is in another region",
    fix: ({ remedy }) => (remedy.value ? `set --region ${remedy.value}` : "set --region to the bucket's region"),
  },
  "no-such-bucket": {
    title: "The bucket does not exist",
    fix: () => "check --bucket: the bucket does not exist on this endpoint (or try the other addressing style: --path-style / --no-path-style)",
  },
  "addressing-style": {
    title: "The store refuses this addressing style",
    fix: () => "this store needs virtual-hosted addressing: --no-path-style",
  },
  "key-exists": {
    title: "A probe key existed before the run",
    fix: () => "a probe key already existed and was left untouched: rerun, and the new run id gives new keys",
  },
  "not-implemented": {
    title: "The store does not implement a request KFP needs",
    fix: () =>
      "the store does not implement this request, and KFP needs it: check --provider and the store's S3 compatibility, or use a store that implements it",
  },
  throttled: {
    title: "The store kept asking to slow down",
    fix: () => "the store kept asking to slow down after retries with backoff; rerun later or lower --concurrency",
  },
  "store-failure": {
    title: "The store failed (5xx)",
    fix: () => "the store failed after 3 tries with backoff: check its logs and health, then rerun; raise --request-timeout if it is only slow",
  },
  interrupted: {
    title: "The run was cut short",
    fix: () => "the run was cancelled before this check answered: rerun, with a larger --timeout if the deadline cut it",
  },
  "unexpected-answer": {
    title: "An answer the probe does not know",
    fix: () => "the store answered something the probe does not know: see the evidence (--output json shows every request, status and error name)",
  },
  "kms-denied": {
    title: "KMS refused the key of the bucket's encryption",
    fix: ({ remedy }) =>
      `the store refused this for KMS, not S3: grant ${(remedy.actions ?? []).join(" and ")} on ${remedy.resource} (in this identity's policy or the key's policy): KFP's writes need kms:GenerateDataKey, its reads kms:Decrypt`,
  },
  "bucket-policy-condition": {
    title: "A Deny of the bucket policy refuses KFP's client",
    fix: ({ remedy }) => {
      const condition = remedy.condition
        ? `${remedy.condition.operator} ${remedy.condition.key} ${remedy.condition.values.join(", ")}`
        : "a condition";
      const why =
        remedy.condition?.key.toLowerCase() === "aws:securetransport"
          ? "use https:// for KFP's endpoint"
          : "KFP's client sends no encryption header: set the bucket's default encryption instead of requiring the header";
      return `the bucket policy denies this write on ${remedy.resource} unless ${condition} is met, which KFP's client does not meet: ${why}, or change that Deny`;
    },
  },
  "versions-kept": {
    title: "Versioned bucket without a noncurrent-version expiration",
    fix: ({ remedy }) =>
      `every delete of KFP's on ${remedy.resource} leaves a noncurrent version, stored and billed for good: add a lifecycle rule with NoncurrentVersionExpiration (and ExpiredObjectDeleteMarker) for the whole bucket${remedy.value ? ` (${remedy.value}: check them)` : ""}`,
  },
  "default-retention": {
    title: "Object lock with a default retention",
    fix: ({ remedy }) =>
      `every object written to ${remedy.resource} is kept ${remedy.value ?? "for the default retention"}: KFP's deletes only add delete markers and no version can be removed until then (nor the probe's); use a bucket without a default retention for KFP, or accept what it keeps`,
  },
  "kms-encryption": {
    title: "The bucket encrypts with SSE-KMS by default",
    fix: ({ remedy }) =>
      `KFP's writes need ${remedy.actions?.[0] ?? "kms:GenerateDataKey"} and its reads ${remedy.actions?.[1] ?? "kms:Decrypt"} on ${remedy.resource}, for every identity: grant them in the identities' or the key's policy`,
  },
  "component-client": {
    title: "A KFP component's own client settings fail where the probe's do not",
    fix: ({ remedy }) =>
      `KFP's component sends to ${remedy.value ?? "the store"} as its settings say, which fails there: set ${(remedy.settings ?? []).join(", ")} to the endpoint, scheme and addressing the probe reached the store with`,
  },
  "launcher-config-missing": {
    title: "A profile's namespace has no kfp-launcher ConfigMap: the v2 launcher falls back to KFP's built-in MinIO root",
    fix: ({ remedy }) =>
      `create the ${(remedy.settings ?? ["kfp-launcher ConfigMap"]).join(", ")} ${remedy.value ?? ""}, with the providers' endpoint and Secret of this store, as the profile's installer does (deployKF, KFP's profile controller)`,
  },
  "launcher-root-parameters": {
    title: "The v2 launcher's pipeline root has query parameters KFP's URL opener refuses: it cannot open the bucket",
    fix: ({ remedy }) =>
      `in ${(remedy.settings ?? ["the kfp-launcher ConfigMap"]).join(", ")}, give the root's query string as gocloud's SDK v2 opener reads it: ${remedy.value ?? "disable_https, use_path_style"} (disableSSL and s3ForcePathStyle are aws-sdk-go v1's names, refused since KFP 2.4.1)`,
  },
  "delete-version-denied": {
    title: "A version or delete marker the probe wrote could not be removed",
    fix: ({ remedy }) =>
      `grant ${(remedy.actions ?? []).join(", ")} on ${remedy.resource} (the probe's namespaces) to the identities of the run, or add a lifecycle rule with NoncurrentVersionExpiration and ExpiredObjectDeleteMarker; then remove what is left with kfp-s3-probe sweep --delete`,
  },
  "object-lock-retention": {
    title: "A version under object lock retention",
    fix: ({ remedy }) =>
      `object lock keeps this version${remedy.value ? ` until ${remedy.value}` : ""}: no one can remove it before (governance mode: only with s3:BypassGovernanceRetention); remove it then with kfp-s3-probe sweep --delete`,
  },
};
