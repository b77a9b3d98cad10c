// A run the store fails before anything is decided: which runs that is (core), and the one line
// each cause gets (words): where (host:port), what, and the fix.
import { describe, expect, it } from "vitest";
import { classify, type ResponseFacts } from "../../src/core/classify.js";
import { type DiagnosedIdentity, storeFailures } from "../../src/core/diagnoses.js";
import { assess, type CheckResult } from "../../src/core/verdict.js";
import { type StoreFailureContext, storeFailureLines } from "../../src/report/diagnosis-words.js";

const backend: DiagnosedIdentity = { name: "backend", role: { kind: "backend" } };
const team1: DiagnosedIdentity = { name: "team-1", role: { kind: "profile", profile: "team-1" } };
const anonymous: DiagnosedIdentity = { name: "anonymous", role: { kind: "anonymous" } };

/** An identity's first request (the bucket-wide list) as the store answered it. */
function preflight(identity: string, facts: ResponseFacts): CheckResult {
  const { outcome, errorKind, reason } = classify(facts, "bucket");
  const observation = {
    outcome,
    ...(errorKind ? { errorKind } : {}),
    ...(reason ? { reason } : {}),
    ...(facts.bucketRegion ? { bucketRegion: facts.bucketRegion } : {}),
    evidence: [],
  };
  return assess({ identity, target: null, operation: "list-bucket", expectation: "required" }, observation, { strict: false, bucket: "kfp" });
}

const refused: ResponseFacts = { systemCode: "ECONNREFUSED" };

describe("storeFailures: the run decided nothing of the keys", () => {
  it("every signed identity refused the same way: one failure naming them all; the anonymous caller does not count", () => {
    const results = [preflight("backend", refused), preflight("team-1", refused), preflight("anonymous", { status: 200 })];
    expect(storeFailures(results, [backend, team1, anonymous])).toEqual([
      { errorKind: "connection", cause: "unreachable", identities: ["backend", "team-1"], reason: "no connection to the endpoint (ECONNREFUSED)" },
    ]);
  });

  it("one identity got through: no store failure (its findings say the rest)", () => {
    const results = [preflight("backend", { status: 200 }), preflight("team-1", { status: 403, errorName: "SignatureDoesNotMatch" })];
    expect(storeFailures(results, [backend, team1])).toEqual([]);
  });

  it("different keys refused differently: one failure per cause", () => {
    const results = [
      preflight("backend", { status: 403, errorName: "InvalidAccessKeyId" }),
      preflight("team-1", { status: 403, errorName: "SignatureDoesNotMatch" }),
    ];
    expect(storeFailures(results, [backend, team1]).map((f) => [f.cause, f.identities])).toEqual([
      ["unknown-key", ["backend"]],
      ["wrong-secret", ["team-1"]],
    ]);
  });

  it("a denial or a throttled store is not a store failure: nothing fatal", () => {
    expect(storeFailures([preflight("backend", { status: 403, errorName: "AccessDenied" })], [backend])).toEqual([]);
    expect(storeFailures([preflight("backend", { status: 503, errorName: "SlowDown" })], [backend])).toEqual([]);
  });
});

describe("storeFailureLines: one line per failure, with host:port and the fix", () => {
  const context = (endpoint: string, extra: Partial<StoreFailureContext> = {}): StoreFailureContext => ({
    endpoint,
    bucket: "kfp",
    forcePathStyle: true,
    requestTimeoutMs: 10_000,
    identities: [{ name: "backend", credentialSource: "secret directory /secrets/backend", accessKeyId: "…WXYZ" }],
    ...extra,
  });
  const line = (facts: ResponseFacts, c: StoreFailureContext) => storeFailureLines(storeFailures([preflight("backend", facts)], [backend]), c);

  it.each<[string, ResponseFacts, StoreFailureContext, string]>([
    [
      "an untrusted certificate (https://, port implied)",
      { systemCode: "DEPTH_ZERO_SELF_SIGNED_CERT" },
      context("https://minio.example"),
      "minio.example:443: TLS handshake failed (DEPTH_ZERO_SELF_SIGNED_CERT): the store's certificate is not trusted: --ca-bundle FILE adds its CA (--insecure-skip-tls-verify only to diagnose)",
    ],
    [
      "http:// to a TLS port",
      { systemCode: "HPE_INVALID_CONSTANT" },
      context("http://minio.example:9000"),
      "minio.example:9000: the endpoint did not answer in HTTP (HPE_INVALID_CONSTANT): it may speak TLS: use https://minio.example:9000 in --endpoint",
    ],
    [
      "https:// to plain HTTP, with no port",
      { systemCode: "EPROTO", tlsReason: "wrong version number" },
      context("https://minio.example"),
      "the store speaks plain HTTP at minio.example:443 (it answered the TLS handshake in HTTP): use --endpoint http://minio.example:443",
    ],
    [
      "a host name that does not resolve, with virtual-hosted addressing",
      { systemCode: "ENOTFOUND" },
      context("https://s3.example", { forcePathStyle: false }),
      "s3.example:443: the endpoint's host name does not resolve (ENOTFOUND): check the host name in --endpoint (virtual-hosted addressing puts the bucket in it: kfp.s3.example; try --path-style)",
    ],
    [
      "the bucket in another region",
      { status: 301, errorName: "PermanentRedirect", bucketRegion: "eu-west-1" },
      context("https://s3.amazonaws.com"),
      "s3.amazonaws.com:443: bucket kfp is in region eu-west-1: set --region eu-west-1",
    ],
    [
      "a bucket that answers only in the other addressing style",
      { status: 404, errorName: "NoSuchBucket" },
      context("http://127.0.0.1:9000", { otherAddressing: { flag: "--no-path-style", answers: true } }),
      "127.0.0.1:9000: bucket kfp answers only with the other addressing style: add --no-path-style",
    ],
    [
      "an expired session token",
      { status: 400, errorName: "ExpiredToken" },
      context("https://s3.amazonaws.com"),
      "s3.amazonaws.com:443: the session token of backend (…WXYZ from secret directory /secrets/backend) has expired: refresh the credentials (AWS_SESSION_TOKEN, or the IRSA token)",
    ],
    [
      "a clock 15 minutes off",
      { status: 403, errorName: "RequestTimeTooSkewed" },
      context("http://[::1]:7480"),
      "[::1]:7480: this machine's clock differs from the store's by more than 15 minutes: set it right (NTP)",
    ],
  ])("%s", (_what, facts, c, expected) => {
    expect(line(facts, c)).toEqual([expected]);
  });
});
