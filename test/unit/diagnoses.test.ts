// Diagnoses a local RGW cannot produce on demand: every hint names the action, flag or setting.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { classify, type RequestSubject } from "../../src/core/classify.js";
import { readClock } from "../../src/core/clock.js";
import { LAYOUTS } from "../../src/core/layout.js";
import type { PlannedCheck } from "../../src/core/plan.js";
import { judge, type Observation } from "../../src/core/verdict.js";
import { runProbe } from "../../src/probe/engine.js";
import { hintFor, resultHint } from "../../src/report/hint.js";
import { addressingNote, otherAddressing } from "../../src/s3/addressing.js";
import { callerArn } from "../../src/s3/caller.js";
import { createS3Client } from "../../src/s3/client.js";
import { factsFromError, SdkS3Port } from "../../src/s3/s3-port.js";
import { s3Error } from "../support/sdk-store.js";

const SECRET = "diagnoses-secret-value-0123456789abcdef";
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET };

const ownGet: PlannedCheck = {
  identity: "team-1",
  target: { prefix: "artifacts/team-1/", relation: "own", owner: "team-1", operations: ["get"] },
  operation: "get",
  expectation: "required",
};

function diagnose(error: unknown, subject: RequestSubject = "bucket", check: PlannedCheck = ownGet, tls = true) {
  const facts = factsFromError(error);
  const { outcome, errorKind, reason } = classify(facts, subject);
  const observation: Observation = {
    outcome,
    ...(errorKind ? { errorKind } : {}),
    ...(reason ? { reason } : {}),
    ...(facts.bucketRegion ? { bucketRegion: facts.bucketRegion } : {}),
    evidence: [],
  };
  const verdict = judge(check.expectation, observation, { strict: false });
  return { observation, verdict, hint: hintFor(check, observation, verdict, { bucket: "kfp", tls }) };
}

describe("diagnoses with a fix each", () => {
  it("a wrong region: 301 with x-amz-bucket-region names the right one", () => {
    const { observation, hint } = diagnose(s3Error("PermanentRedirect", 301, { "x-amz-bucket-region": "eu-west-1" }));
    expect(observation).toMatchObject({ outcome: "error", errorKind: "region", reason: "the bucket is in region eu-west-1 (PermanentRedirect)" });
    expect(hint).toBe("set --region eu-west-1");
  });

  it("AuthorizationHeaderMalformed without a region header still says to set --region", () => {
    expect(diagnose(s3Error("AuthorizationHeaderMalformed", 400)).hint).toBe("set --region to the bucket's region");
  });

  it.each<[string, number, string, RegExp]>([
    ["RequestTimeTooSkewed", 403, "clock-skew", /NTP/],
    ["ExpiredToken", 400, "expired-token", /AWS_SESSION_TOKEN/],
    ["SignatureDoesNotMatch", 403, "signature", /proxy rewrites the Host header or the port/],
    ["InvalidAccessKeyId", 403, "unknown-key", /AWS_ACCESS_KEY_ID/],
    ["NoSuchBucket", 404, "no-such-bucket", /--bucket/],
    ["SlowDown", 503, "throttled", /retries with backoff.*--concurrency/],
    ["InternalError", 500, "server", /tries with backoff/],
    ["SecondLevelDomainForbidden", 403, "addressing", /--no-path-style/],
  ])("%s → %s", (name, status, kind, hint) => {
    const diagnosis = diagnose(s3Error(name, status));
    expect(diagnosis.observation.errorKind).toBe(kind);
    expect(diagnosis.hint).toMatch(hint);
  });

  it("TLS: an untrusted certificate points to --ca-bundle; plain HTTP to a TLS port points to https://", () => {
    const selfSigned = Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    expect(diagnose(selfSigned, "bucket", ownGet, true).hint).toMatch(/--ca-bundle FILE adds your CA to the public roots/);
    const notHttp = Object.assign(new Error("Parse Error: Expected HTTP/"), { code: "HPE_INVALID_CONSTANT" });
    const plain = diagnose(notHttp, "bucket", ownGet, false);
    expect(plain.observation).toMatchObject({ errorKind: "tls", reason: expect.stringMatching(/may speak TLS/) });
    expect(plain.hint).toMatch(/use https:\/\//);
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(diagnose(refused, "bucket", ownGet, false).hint).toMatch(/if the store speaks TLS, use https:\/\//);
  });

  it("NotImplemented: on a CRC32 upload, KFP v2 uploads will fail; on an optional GetBucketLocation (R2), fine", () => {
    const crc32: PlannedCheck = { ...ownGet, operation: "put-checksum" };
    const upload = diagnose(s3Error("NotImplemented", 501), "write", crc32);
    expect(upload.verdict).toBe("error");
    expect(upload.hint).toMatch(/rejects uploads with a CRC32 checksum \(x-amz-checksum-crc32\), which KFP v2's launcher sends/);
    const location: PlannedCheck = { identity: "team-1", target: null, operation: "get-bucket-location", expectation: "optional" };
    expect(diagnose(s3Error("NotImplemented", 501), "bucket", location).verdict).toBe("ok");
  });

  it("over plain HTTP, a denied bucket list mentions a bucket policy that requires TLS", () => {
    const list: PlannedCheck = { identity: "backend", target: null, operation: "list-bucket", expectation: "required" };
    expect(diagnose(s3Error("AccessDenied", 403), "bucket", list, false).hint).toMatch(/aws:SecureTransport also answers 403: try https:\/\//);
  });

  it("AbortMultipartUpload of an upload that does not exist: 404 NoSuchUpload is allowed, 403 denied", () => {
    expect(classify(factsFromError(s3Error("NoSuchUpload", 404)), "missing-upload").outcome).toBe("allowed");
    expect(classify(factsFromError(s3Error("AccessDenied", 403)), "missing-upload").outcome).toBe("denied");
  });

  it("the store's clock: within 15 minutes a reading, beyond an error", () => {
    const now = Date.parse("2026-11-24T12:00:00Z");
    expect(readClock("Tue, 24 Nov 2026 12:00:03 GMT", now)).toEqual({ skewSeconds: 3, tooFar: false });
    expect(readClock("Tue, 24 Nov 2026 12:20:00 GMT", now)).toEqual({ skewSeconds: 1200, tooFar: true });
    expect(readClock(undefined, now)).toBeUndefined();
  });
});

describe("KFP deletes through gocloud: HeadObject first", () => {
  // Created here, not at collection: the fake server below needs the real transport back.
  let s3: AwsClientStub<S3Client>;
  beforeAll(() => {
    s3 = mockClient(S3Client);
  });
  afterEach(() => s3.reset());
  afterAll(() => s3.restore());

  it("a policy with DeleteObject but no GetObject: the delete is MISSING, with a fix naming s3:GetObject", async () => {
    s3.on(ListObjectsV2Command).resolves({ $metadata: { httpStatusCode: 200 }, Contents: [] });
    s3.on(HeadBucketCommand).resolves({ $metadata: { httpStatusCode: 200 } });
    s3.on(GetBucketLocationCommand).resolves({ $metadata: { httpStatusCode: 200 } });
    s3.on(PutObjectCommand).resolves({ $metadata: { httpStatusCode: 200 } });
    s3.on(HeadObjectCommand).rejects(s3Error("Forbidden", 403));
    s3.on(GetObjectCommand).rejects(s3Error("AccessDenied", 403));
    s3.on(DeleteObjectCommand).resolves({ $metadata: { httpStatusCode: 204 } });
    const client = createS3Client(
      { endpoint: "http://127.0.0.1:9", region: "us-east-1", forcePathStyle: true, requestTimeoutMs: 1000, maxAttempts: 1 },
      credentials,
    );
    const run = await runProbe([{ name: "backend", role: { kind: "backend" }, port: new SdkS3Port(client, "kfp") }], {
      bucket: "kfp",
      layout: LAYOUTS.deploykf,
      runId: "20261124T120000Z-0123456789ab",
      readOnly: false,
      strict: false,
      multipart: false,
      concurrency: 4,
      signal: new AbortController().signal,
      cleanupTimeoutMs: 1000,
    });
    const del = run.results.find((r) => r.target?.prefix === "pipelines/" && r.operation === "delete");
    expect(del?.verdict).toBe("missing");
    expect(del?.observation.reason).toMatch(/gocloud, which sends HeadObject first/);
    expect(del && resultHint(del, { bucket: "kfp", tls: false })).toBe(
      "grant s3:GetObject on arn:aws:s3:::kfp/pipelines/*: KFP deletes through gocloud, which sends HeadObject first",
    );
  });

  it("the caller on AWS: sts:GetCallerIdentity's ARN, or a reason without the secret", async () => {
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:sts::123456789012:assumed-role/kfp-team-1/irsa", $metadata: {} });
    expect(await callerArn(credentials, "eu-west-1", 1000)).toEqual({ arn: "arn:aws:sts::123456789012:assumed-role/kfp-team-1/irsa" });
    sts.on(GetCallerIdentityCommand).rejects(s3Error("InvalidClientTokenId", 403));
    const failed = await callerArn(credentials, "eu-west-1", 1000);
    expect(failed).toEqual({ problem: "403 InvalidClientTokenId" });
    expect(JSON.stringify(failed)).not.toContain(SECRET);
    sts.restore();
  });

  it("addressing: when one style fails, the other is tried once and named", async () => {
    s3.on(ListObjectsV2Command).callsFake(async (_input: unknown, getClient: () => S3Client) => {
      if (getClient().config.forcePathStyle) return { $metadata: { httpStatusCode: 200 }, Contents: [] };
      throw s3Error("SecondLevelDomainForbidden", 403);
    });
    const store = { endpoint: "http://127.0.0.1:9", region: "us-east-1", forcePathStyle: false, requestTimeoutMs: 1000, maxAttempts: 1 };
    expect(await otherAddressing(store, credentials, "kfp")).toEqual({ flag: "--path-style", answers: true });
    expect(addressingNote(await otherAddressing(store, credentials, "kfp"))).toBe(
      "with path-style addressing (--path-style) the bucket answers: this store needs it",
    );
    expect(addressingNote(await otherAddressing({ ...store, forcePathStyle: true }, credentials, "kfp"))).toBe(
      "virtual-hosted addressing (--no-path-style) fails too",
    );
  });
});

describe("a fake S3 server on 127.0.0.1: what needs the SDK's own middleware", () => {
  let server: Server;
  let endpoint: string;
  let answers: ((req: IncomingMessage, res: ServerResponse) => void)[] = [];
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      // Answers in order; the last one repeats.
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      req.resume();
      req.on("end", () => (answer ? answer(req, res) : res.writeHead(500).end()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const slowDown = (_req: IncomingMessage, res: ServerResponse) =>
    res
      .writeHead(503, { "content-type": "application/xml" })
      .end("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
  const listing = (_req: IncomingMessage, res: ServerResponse) =>
    res
      .writeHead(200, { "content-type": "application/xml" })
      .end('<?xml version="1.0"?><ListBucketResult><Name>kfp</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>');

  function port(maxAttempts = 3) {
    return new SdkS3Port(
      createS3Client({ endpoint, region: "us-east-1", forcePathStyle: true, requestTimeoutMs: 5000, maxAttempts }, credentials),
      "kfp",
    );
  }

  it("SlowDown is retried with backoff, and the answer after it counts", async () => {
    requests = 0;
    answers = [slowDown, slowDown, listing];
    const answer = await port().listObjects("", 1, new AbortController().signal);
    expect(requests).toBe(3);
    expect(classify(answer, "bucket").outcome).toBe("allowed");
  });

  it("SlowDown on every try is reported as throttling after the retries", async () => {
    requests = 0;
    answers = [slowDown];
    const answer = await port().listObjects("", 1, new AbortController().signal);
    expect(requests).toBe(3);
    expect(classify(answer, "bucket")).toMatchObject({ outcome: "error", errorKind: "throttled" });
  });

  it("HeadBucket hands over the store's Date and x-amz-bucket-region headers", async () => {
    answers = [(_req, res) => res.writeHead(200, { date: "Tue, 24 Nov 2026 12:00:00 GMT", "x-amz-bucket-region": "eu-central-1" }).end()];
    const answer = await port().headBucket(new AbortController().signal);
    expect(answer).toMatchObject({ status: 200, serverDate: "Tue, 24 Nov 2026 12:00:00 GMT", bucketRegion: "eu-central-1" });
  });

  it("a GetObject body is read back whole", async () => {
    answers = [(_req, res) => res.writeHead(200, { "content-length": "5" }).end("hello")];
    const answer = await port().getObject("k", false, new AbortController().signal);
    expect(Buffer.from(answer.body ?? new Uint8Array()).toString()).toBe("hello");
  });
});
