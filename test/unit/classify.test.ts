import { describe, expect, it } from "vitest";
import { classify, FATAL_ERROR_KINDS, type RequestSubject } from "../../src/core/classify.js";
import { factsFromError, normaliseBucketLocation } from "../../src/s3/s3-port.js";
import { s3Error } from "../support/sdk-store.js";

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

function classifyError(error: unknown, subject: RequestSubject) {
  return classify(factsFromError(error), subject);
}

describe("classification of S3 answers", () => {
  it("a 2xx answer is allowed", () => {
    expect(classify({ status: 200 }, "write")).toEqual({ outcome: "allowed" });
    expect(classify({ status: 204 }, "write")).toEqual({ outcome: "allowed" });
  });

  it.each<[string, number, RequestSubject, string]>([
    ["AccessDenied", 403, "write", "denied"],
    ["AccessDenied", 403, "existing-object", "denied"],
    ["AccessDenied", 403, "bucket", "denied"],
    // HEAD errors have no body: the SDK names them Forbidden, 403 or Unknown.
    ["Forbidden", 403, "existing-object", "denied"],
    ["403", 403, "existing-object", "denied"],
    ["Unknown", 403, "bucket", "denied"],
  ])("%s %i on %s is %s", (name, status, subject, outcome) => {
    expect(classifyError(s3Error(name, status), subject).outcome).toBe(outcome);
  });

  it("a 404 on a missing key is ambiguous, never proof of read access (RGW and MinIO answer 404 when denied)", () => {
    const result = classifyError(s3Error("NoSuchKey", 404), "missing-key");
    expect(result.outcome).toBe("ambiguous");
    expect(result.reason).toMatch(/proves nothing/);
    expect(classifyError(s3Error("NotFound", 404), "missing-key").outcome).toBe("ambiguous");
  });

  it("a 403 on a missing key is ambiguous (AWS answers 403 to callers without s3:ListBucket)", () => {
    const result = classifyError(s3Error("AccessDenied", 403), "missing-key");
    expect(result.outcome).toBe("ambiguous");
    expect(result.reason).toMatch(/ListBucket/);
  });

  it("a 404 on a delete (a few stores) is ambiguous, not allowed", () => {
    expect(classifyError(s3Error("NoSuchKey", 404), "write").outcome).toBe("ambiguous");
  });

  it.each<[string, number, string]>([
    ["SignatureDoesNotMatch", 403, "signature"],
    ["InvalidAccessKeyId", 403, "unknown-key"],
    ["ExpiredToken", 400, "expired-token"],
    ["RequestTimeTooSkewed", 403, "clock-skew"],
    ["PermanentRedirect", 301, "region"],
    ["AuthorizationHeaderMalformed", 400, "region"],
    ["NoSuchBucket", 404, "no-such-bucket"],
    ["PreconditionFailed", 412, "key-exists"],
    ["NotImplemented", 501, "not-implemented"],
    ["SlowDown", 503, "throttled"],
    ["InternalError", 500, "server"],
  ])("%s (%i) is an error of kind %s", (name, status, kind) => {
    const result = classifyError(s3Error(name, status), "write");
    expect(result.outcome).toBe("error");
    expect(result.errorKind).toBe(kind);
  });

  it("a 301 without a name (HEAD) is a region error; a 404 on a bucket request is a missing bucket", () => {
    expect(classifyError(s3Error("Unknown", 301), "bucket").errorKind).toBe("region");
    expect(classifyError(s3Error("NotFound", 404), "bucket").errorKind).toBe("no-such-bucket");
  });

  it.each<[string, string]>([
    ["ECONNREFUSED", "connection"],
    ["ECONNRESET", "connection"],
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
    ["EPROTO", "tls"],
    ["ETIMEDOUT", "timeout"],
  ])("system error %s is an error of kind %s", (code, kind) => {
    const result = classifyError(systemError(code), "bucket");
    expect(result).toMatchObject({ outcome: "error", errorKind: kind });
  });

  it("https:// to a plain-HTTP store: OpenSSL's 'wrong version number' (or its code) is plain-http, any other handshake failure tls", () => {
    const handshake = (reason: string) =>
      Object.assign(
        new Error(`write EPROTO 40FDE2FBC47F0000:error:0A00010B:SSL routines:tls_validate_record_header:${reason}:../deps/openssl/ssl.c:77:`),
        {
          code: "EPROTO",
        },
      );
    expect(classifyError(handshake("wrong version number"), "bucket")).toMatchObject({
      errorKind: "plain-http",
      reason: "the TLS handshake was answered in plain HTTP (EPROTO: wrong version number)",
    });
    expect(classifyError(Object.assign(new Error("fetch failed"), { cause: handshake("packet length too long") }), "bucket").errorKind).toBe(
      "plain-http",
    );
    expect(classifyError(systemError("ERR_SSL_WRONG_VERSION_NUMBER"), "bucket").errorKind).toBe("plain-http");
    expect(classifyError(handshake("sslv3 alert handshake failure"), "bucket").errorKind).toBe("tls");
    expect(FATAL_ERROR_KINDS.has("plain-http")).toBe(true);
  });

  it("reads the system code from the error's cause too", () => {
    const wrapped = Object.assign(new Error("fetch failed"), { cause: systemError("ECONNREFUSED") });
    expect(classifyError(wrapped, "bucket").errorKind).toBe("connection");
  });

  it("the SDK's request timeout and an abort are told apart", () => {
    expect(classifyError(Object.assign(new Error("timed out"), { name: "TimeoutError" }), "bucket").errorKind).toBe("timeout");
    expect(classifyError(Object.assign(new Error("aborted"), { name: "AbortError" }), "bucket").errorKind).toBe("aborted");
  });

  it("connection, TLS and authentication failures are fatal; throttling and missing features are not", () => {
    for (const kind of [
      "connection",
      "dns",
      "tls",
      "timeout",
      "signature",
      "unknown-key",
      "expired-token",
      "clock-skew",
      "region",
      "no-such-bucket",
    ] as const) {
      expect(FATAL_ERROR_KINDS.has(kind)).toBe(true);
    }
    for (const kind of ["throttled", "not-implemented", "server", "key-exists", "aborted", "unexpected"] as const) {
      expect(FATAL_ERROR_KINDS.has(kind)).toBe(false);
    }
  });

  it("an answer nobody expects is an error with the status and name in the reason", () => {
    const result = classifyError(s3Error("InvalidArgument", 400), "write");
    expect(result).toMatchObject({ outcome: "error", errorKind: "unexpected" });
    expect(result.reason).toContain("400 InvalidArgument");
  });
});

describe("GetBucketLocation answers", () => {
  it("normalises null, empty and EU; keeps Ceph's zonegroup names", () => {
    expect(normaliseBucketLocation(undefined)).toBe("us-east-1");
    expect(normaliseBucketLocation("")).toBe("us-east-1");
    expect(normaliseBucketLocation("EU")).toBe("eu-west-1");
    expect(normaliseBucketLocation("default")).toBe("default");
    expect(normaliseBucketLocation("ap-south-1")).toBe("ap-south-1");
  });
});
