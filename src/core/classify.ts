// Turns what a store answered into allowed / denied / ambiguous / error, on the HTTP status first
// and the error name second (the README's "What is checked, and how it is decided").
import { type CredentialFailure, credentialFailureReason } from "./credential-failure.js";

/** What came back from one request, stripped of everything but what classification needs. */
export interface ResponseFacts {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** S3 error code or SDK error name (AccessDenied, NoSuchKey, NotFound, TimeoutError, ...). */
  errorName?: string;
  /** Node.js system or TLS error code (ECONNREFUSED, ENOTFOUND, DEPTH_ZERO_SELF_SIGNED_CERT, ...). */
  systemCode?: string;
  /** OpenSSL's reason for a failed handshake, where the error named one ("wrong version number"). */
  tlsReason?: string;
  /** The request was cancelled by the run (Ctrl-C, deadline). */
  aborted?: boolean;
  /** x-amz-bucket-region, which AWS sends even to callers without rights. */
  bucketRegion?: string;
  /** The server's Date header. */
  serverDate?: string;
  /** No request was sent: the identity's credential chain gave no keys (STS refused or was not reached). */
  credentialFailure?: CredentialFailure;
  /** What refused the request beyond the identity's policy, where the answer says so: object lock, or KMS (a denied key). */
  refusedBy?: "object-lock" | "kms";
}

export type Outcome = "allowed" | "denied" | "ambiguous" | "error";

export const ERROR_KINDS = [
  "connection",
  "dns",
  "tls",
  "plain-http",
  "timeout",
  "signature",
  "unknown-key",
  "expired-token",
  "clock-skew",
  "region",
  "no-such-bucket",
  "addressing",
  "credentials",
  "key-exists",
  "not-implemented",
  "throttled",
  "server",
  "aborted",
  "unexpected",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Errors after which nothing else this identity does can be trusted: the run stops with exit 3. */
export const FATAL_ERROR_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  "connection",
  "dns",
  "tls",
  "plain-http",
  "timeout",
  "signature",
  "unknown-key",
  "expired-token",
  "clock-skew",
  "region",
  "no-such-bucket",
  "addressing",
  "credentials",
]);

export interface Classification {
  outcome: Outcome;
  errorKind?: ErrorKind;
  reason?: string;
}

/**
 * What the request was about decides what a 403 or a 404 means:
 * - "bucket": a bucket-level request.
 * - "existing-object": the object is known to exist (written by this run, or listed).
 * - "missing-key": the key does not exist; a read answer proves nothing either way.
 * - "write": PutObject / DeleteObject, whose 403 is a denial whether the key exists or not.
 * - "missing-upload": AbortMultipartUpload of an upload id that does not exist: authorised before
 *   the lookup, so 404 NoSuchUpload means allowed and 403 denied.
 */
export type RequestSubject = "bucket" | "existing-object" | "missing-key" | "write" | "missing-upload";

/** The answer was not HTTP at all: often plain HTTP sent to a TLS port. */
const NOT_HTTP_CODES = new Set(["HPE_INVALID_CONSTANT", "HPE_INVALID_VERSION", "HPE_INVALID_HEADER_TOKEN", "ERR_INVALID_HTTP_RESPONSE"]);
const TLS_CODES = new Set([
  "EPROTO",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);
/**
 * A TLS handshake answered in plain HTTP: OpenSSL reads "HTTP/1.1 400" as a record of a TLS
 * version that does not exist (or of an absurd length). Node says EPROTO with OpenSSL's reason, or
 * names the reason in its code.
 */
const PLAIN_HTTP_TLS_CODES = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_HTTP_REQUEST"]);
const PLAIN_HTTP_TLS_REASONS = new Set(["wrong version number", "packet length too long", "http request", "record layer failure"]);
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ECONNABORTED"]);
const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN"]);
const TIMEOUT_NAMES = new Set(["TimeoutError", "RequestTimeout", "ETIMEDOUT"]);
const DENIED_NAMES = new Set(["AccessDenied", "Forbidden", "AllAccessDisabled"]);
const MISSING_KEY_NAMES = new Set(["NoSuchKey", "NotFound"]);

function error(errorKind: ErrorKind, reason: string): Classification {
  return { outcome: "error", errorKind, reason };
}

export function classify(facts: ResponseFacts, subject: RequestSubject): Classification {
  const classified = classifyAnswer(facts, subject);
  if (classified.errorKind === "region" && facts.bucketRegion) {
    return { ...classified, reason: `the bucket is in region ${facts.bucketRegion} (${facts.errorName ?? facts.status})` };
  }
  return classified;
}

/** No HTTP answer, or one that is not HTTP: the connection, DNS, TLS or a timeout. */
function transportError(facts: ResponseFacts): Classification | undefined {
  const { status, errorName = "", systemCode = "" } = facts;
  if (DNS_CODES.has(systemCode)) return error("dns", `the endpoint's host name does not resolve (${systemCode})`);
  if (NOT_HTTP_CODES.has(systemCode)) return error("tls", `the endpoint did not answer in HTTP (${systemCode}): it may speak TLS`);
  if (CONNECTION_CODES.has(systemCode)) return error("connection", `no connection to the endpoint (${systemCode})`);
  if (PLAIN_HTTP_TLS_CODES.has(systemCode) || PLAIN_HTTP_TLS_REASONS.has(facts.tlsReason ?? "")) {
    return error("plain-http", `the TLS handshake was answered in plain HTTP (${[systemCode, facts.tlsReason].filter(Boolean).join(": ")})`);
  }
  if (TLS_CODES.has(systemCode) || systemCode.startsWith("ERR_SSL_") || systemCode.startsWith("CERT_")) {
    return error("tls", `TLS handshake failed (${systemCode})`);
  }
  if (TIMEOUT_NAMES.has(errorName) || TIMEOUT_NAMES.has(systemCode)) return error("timeout", "no answer in time");
  if (status === undefined) return error("unexpected", `no HTTP response (${errorName || systemCode || "unknown error"})`);
  return undefined;
}

/** S3 error codes that say what is wrong whatever the status. */
function namedError(errorName: string, status: number): Classification | undefined {
  switch (errorName) {
    case "SignatureDoesNotMatch":
      return error("signature", "the store rejected the request signature");
    case "InvalidAccessKeyId":
      return error("unknown-key", "the store does not know this access key id");
    case "ExpiredToken":
    case "TokenRefreshRequired":
      return error("expired-token", "the session token has expired");
    case "RequestTimeTooSkewed":
      return error("clock-skew", "this machine's clock differs too much from the store's");
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
    case "IllegalLocationConstraintException":
      return error("region", `the bucket is in another region (${errorName})`);
    case "NoSuchBucket":
      return error("no-such-bucket", "the bucket does not exist");
    case "SecondLevelDomainForbidden":
      return error("addressing", "the store refuses path-style requests (SecondLevelDomainForbidden)");
    case "PreconditionFailed":
      return error("key-exists", "the key already exists; the probe never overwrites");
    case "NotImplemented":
      return error("not-implemented", "the store does not implement this request");
    case "SlowDown":
    case "ServiceUnavailable":
      return error("throttled", `the store asked to slow down (${status})`);
    default:
      return undefined;
  }
}

/** Statuses that decide without a known error name: redirects, missing buckets, 5xx. */
function statusError(status: number, errorName: string, subject: RequestSubject): Classification | undefined {
  if (status === 404 && subject === "missing-upload" && (errorName === "NoSuchUpload" || errorName === "NotFound" || errorName === "")) {
    return { outcome: "allowed" };
  }
  if (status === 301) return error("region", "the bucket is in another region (301)");
  if (status === 404 && subject === "bucket") return error("no-such-bucket", "the bucket does not exist");
  if (status === 501) return error("not-implemented", "the store does not implement this request");
  if (status === 503) return error("throttled", "the store asked to slow down (503)");
  if (status >= 500) return error("server", `the store failed (${status} ${errorName})`.trim());
  return undefined;
}

/** 403 and 404: what they mean depends on what the request was about. */
function denialOrMissing(status: number, errorName: string, subject: RequestSubject): Classification {
  if (status === 403 && (DENIED_NAMES.has(errorName) || errorName === "" || errorName === "Unknown" || errorName === "403")) {
    if (subject === "missing-key") {
      return { outcome: "ambiguous", reason: "403 on a missing key: AWS answers so to callers without s3:ListBucket, allowed or not" };
    }
    return { outcome: "denied" };
  }
  if (status === 404 && MISSING_KEY_NAMES.has(errorName || "NotFound")) {
    if (subject === "write") return { outcome: "ambiguous", reason: "404 on a write: the store does not say whether it was allowed" };
    if (subject === "existing-object") return { outcome: "ambiguous", reason: "the object disappeared while the probe read it" };
    return { outcome: "ambiguous", reason: "404 on a missing key proves nothing about read access (RGW and MinIO answer so when denied)" };
  }
  return error("unexpected", `unexpected answer ${status} ${errorName}`.trim());
}

function classifyAnswer(facts: ResponseFacts, subject: RequestSubject): Classification {
  const { status, errorName = "" } = facts;
  if (facts.aborted) return error("aborted", "cancelled before an answer arrived");
  if (facts.credentialFailure) return error("credentials", credentialFailureReason(facts.credentialFailure));
  if (status !== undefined && status >= 200 && status < 300 && !errorName) return { outcome: "allowed" };
  const transport = transportError(facts);
  if (transport || status === undefined) return transport ?? error("unexpected", "no HTTP response");
  return namedError(errorName, status) ?? statusError(status, errorName, subject) ?? denialOrMissing(status, errorName, subject);
}
