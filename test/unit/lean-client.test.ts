// The probe's lean S3 client against the SDK's client as it comes, on the same configuration:
// the middleware it drops, the requests it forms (URL, addressing, headers, checksums, signing
// scope) for each of the probe's operations, and signatures recomputed independently.
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { Command, HttpRequest } from "@aws-sdk/types";
import { describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import { Ledger } from "../../src/probe/ledger.js";
import { RunState } from "../../src/probe/run-state.js";
import { crc32Base64, payloadSha256 } from "../../src/s3/body-digests.js";
import { ANONYMOUS, createS3Client, type StoreSettings, sdkConfig } from "../../src/s3/client.js";
import { DROPPED_CHECKSUM_MIDDLEWARES, DROPPED_CLIENT_MIDDLEWARES, DROPPED_COMMAND_MIDDLEWARES, USER_AGENT } from "../../src/s3/lean-stack.js";
import { SdkS3Port } from "../../src/s3/s3-port.js";
import { captureRequests } from "../support/capture.js";
import { expectedSignature, parseAuthorization } from "../support/sigv4.js";

const KEYS = { accessKeyId: "AKIDLEANCLIENTTEST", secretAccessKey: "lean/client+test/secret" };
const signal = new AbortController().signal;
const body = new TextEncoder().encode("kfp-s3-probe canary of run lean; safe to delete\n");
const part = new Uint8Array(64 * 1024).fill(7);

function store(overrides: Partial<StoreSettings> = {}): StoreSettings {
  return { endpoint: "http://127.0.0.1:7480", region: "us-east-1", forcePathStyle: true, requestTimeoutMs: 1000, maxAttempts: 1, ...overrides };
}

const STORES: [string, StoreSettings, string][] = [
  ["path-style on a custom endpoint", store(), "kubeflow-pipelines"],
  [
    "virtual-hosted on a custom endpoint",
    store({ endpoint: "http://minio.example:9000", region: "eu-west-1", forcePathStyle: false }),
    "kubeflow-pipelines",
  ],
  [
    "virtual-hosted on AWS",
    store({ endpoint: "https://s3.eu-central-1.amazonaws.com", region: "eu-central-1", forcePathStyle: false, checksums: "WHEN_SUPPORTED" }),
    "kfp-bucket",
  ],
  [
    "a dotted bucket over https (the SDK falls back to path-style)",
    store({ endpoint: "https://s3.example.com", forcePathStyle: false }),
    "kfp.artifacts",
  ],
  ["virtual-hosted asked of an IP endpoint", store({ endpoint: "http://127.0.0.1:9000", forcePathStyle: false }), "kubeflow-pipelines"],
];

/** Every request SdkS3Port makes, in one order. */
async function everyOperation(port: SdkS3Port): Promise<void> {
  await port.headBucket(signal);
  await port.getBucketLocation(signal);
  await port.listObjects("artifacts/team-1/", 1000, signal, { delimiter: "/", startAfter: "artifacts/team-1/a b", continuationToken: "t+1/=" });
  await port.putObjectIfAbsent("artifacts/team-1/kfp-s3-probe/canary", body, signal);
  await port.putObjectIfAbsent("artifacts/team-1/kfp-s3-probe/crc32", body, signal, { crc32: true });
  await port.headObject("artifacts/team-1/kfp-s3-probe/canary", signal);
  await port.getObject("artifacts/team-2/run/main.log", true, signal);
  await port.getObject("artifacts/team-1/kfp-s3-probe/canary", false, signal);
  await port.deleteObject("artifacts/team-1/kfp-s3-probe/canary", "v1", signal);
  await port.createMultipartUpload("artifacts/team-1/kfp-s3-probe/mpu", signal);
  await port.uploadPart("artifacts/team-1/kfp-s3-probe/mpu", "upload-1", 1, part, signal);
  await port.completeMultipartUpload("artifacts/team-1/kfp-s3-probe/mpu", "upload-1", [{ partNumber: 1, etag: '"e"' }], signal);
  await port.abortMultipartUpload("artifacts/team-1/kfp-s3-probe/mpu", "upload-2", signal);
  await port.listMultipartUploads("artifacts/team-1/", signal);
}

/** What must match, less what differs by design (user agent) or by the moment (date, ids, signature). */
function formed(request: HttpRequest) {
  const {
    authorization,
    "user-agent": _ua,
    "x-amz-user-agent": _sdkUa,
    "amz-sdk-invocation-id": _id,
    "x-amz-date": _date,
    ...headers
  } = request.headers;
  const auth = authorization ? parseAuthorization(authorization) : undefined;
  return {
    url: `${request.method} ${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ""}${request.path}`,
    query: request.query,
    headers,
    ...(auth ? { scope: auth.scope.replace(/^\d{8}\//, ""), signed: auth.signedHeaders.filter((h) => h !== "x-amz-user-agent") } : {}),
  };
}

async function sentBy(client: S3Client, bucket: string): Promise<HttpRequest[]> {
  const sent = captureRequests(client);
  await everyOperation(new SdkS3Port(client, bucket));
  return sent;
}

describe("requests are formed as the SDK's own client forms them", () => {
  it.each(STORES)("%s", async (_name, settings, bucket) => {
    const lean = await sentBy(createS3Client(settings, KEYS), bucket);
    const stock = await sentBy(new S3Client(sdkConfig(settings, KEYS)), bucket);
    expect(lean).toHaveLength(14);
    expect(lean.map(formed)).toEqual(stock.map(formed));
  });

  it("for the anonymous caller: the same requests, unsigned", async () => {
    const lean = await sentBy(createS3Client(store(), ANONYMOUS), "kubeflow-pipelines");
    const stock = await sentBy(new S3Client(sdkConfig(store(), ANONYMOUS)), "kubeflow-pipelines");
    expect(lean.map(formed)).toEqual(stock.map(formed));
    for (const request of lean) expect(Object.keys(request.headers)).not.toContain("authorization");
  });

  it("with the user agent of the probe, not the SDK's", async () => {
    const [request] = await sentBy(createS3Client(store(), KEYS), "kubeflow-pipelines");
    expect(request?.headers["user-agent"]).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^kfp-s3-probe\/\d+\.\d+\.\d+/);
    expect(request?.headers).not.toHaveProperty("x-amz-user-agent");
  });
});

describe("signatures", () => {
  it.each(STORES)("verify on every request, %s", async (_name, settings, bucket) => {
    const sent = await sentBy(createS3Client(settings, KEYS), bucket);
    for (const request of sent) {
      const auth = parseAuthorization(request.headers.authorization);
      expect(auth.accessKeyId).toBe(KEYS.accessKeyId);
      expect(auth.scope).toMatch(new RegExp(`^\\d{8}/${settings.region}/s3/aws4_request$`));
      expect(auth.signedHeaders).toEqual(expect.arrayContaining(["host", "x-amz-content-sha256", "x-amz-date"]));
      expect(auth.signature).toBe(expectedSignature(request, KEYS.secretAccessKey));
    }
  });

  it("sign the body's own SHA-256, taken from the digests computed once per body", async () => {
    const sent = await sentBy(createS3Client(store(), KEYS), "kubeflow-pipelines");
    const puts = sent.filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.headers["x-amz-content-sha256"])).toEqual([
      ...[body, body, part].map((b) => createHash("sha256").update(b).digest("hex")),
    ]);
    expect(payloadSha256(body)).toBe(puts[0]?.headers["x-amz-content-sha256"]);
  });

  it("come from one signer per client", async () => {
    const client = createS3Client(store(), KEYS);
    expect(await client.config.signer()).toBe(await client.config.signer());
  });
});

describe("bodies", () => {
  it("are hashed once: a body changed after it was sent would keep its first hash (the probe's never change)", async () => {
    const client = createS3Client(store(), KEYS);
    const sent = captureRequests(client);
    const port = new SdkS3Port(client, "kubeflow-pipelines");
    const once = new TextEncoder().encode("sent twice");
    const first = createHash("sha256").update(once).digest("hex");
    await port.putObjectIfAbsent("k1", once, signal);
    once[0] = 0;
    await port.putObjectIfAbsent("k2", once, signal);
    expect(sent.map((r) => r.headers["x-amz-content-sha256"])).toEqual([first, first]);
  });

  it("of the run's canaries are one byte array per text", () => {
    const options = { bucket: "b", layout: LAYOUTS.deploykf, runId: "20261201T000000Z-0123456789ab", readOnly: false, strict: false };
    const state = new RunState([], { ...options, concurrency: 1, signal, cleanupTimeoutMs: 1000 }, new Ledger());
    expect(state.canaryBody("canary")).toBe(state.canaryBody("canary"));
    expect(state.canaryBody("seed for team-1")).not.toBe(state.canaryBody("canary"));
    expect(new TextDecoder().decode(state.canaryBody("canary"))).toBe("kfp-s3-probe canary of run 20261201T000000Z-0123456789ab; safe to delete\n");
  });
});

describe("checksums", () => {
  it("the CRC32 upload carries the checksum the SDK computes itself", async () => {
    const stock = new S3Client(sdkConfig(store(), KEYS));
    const sent = captureRequests(stock);
    await stock.send(new PutObjectCommand({ Bucket: "kubeflow-pipelines", Key: "k", Body: body, ChecksumAlgorithm: "CRC32" }));
    expect(sent[0]?.headers["x-amz-checksum-crc32"]).toBe(crc32Base64(body));
    expect(crc32Base64(new TextEncoder().encode("123456789"))).toBe(Buffer.from("cbf43926", "hex").toString("base64"));
  });
});

describe("the endpoint", () => {
  it("is resolved by the SDK's rules once per bucket, not per request", async () => {
    const client = createS3Client(store({ endpoint: "http://minio.example:9000", forcePathStyle: false }), KEYS);
    const resolve = client.config.endpointProvider;
    const buckets: unknown[] = [];
    Object.assign(client.config, {
      endpointProvider: (...args: Parameters<typeof resolve>) => {
        buckets.push(args[0].Bucket);
        return resolve(...args);
      },
    });
    const sent = captureRequests(client);
    await everyOperation(new SdkS3Port(client, "kubeflow-pipelines"));
    await new SdkS3Port(client, "other-bucket").headBucket(signal);
    expect(buckets).toEqual(["kubeflow-pipelines", "other-bucket"]);
    expect(sent.map((r) => r.hostname)).toEqual([...Array(14).fill("kubeflow-pipelines.minio.example"), "other-bucket.minio.example"]);
  });
});

type ProbeCommand<I extends ServiceInputTypes, O extends ServiceOutputTypes> = Command<
  ServiceInputTypes,
  I,
  ServiceOutputTypes,
  O,
  S3ClientResolvedConfig
>;

/** The names in the stack a command is sent through (the client's joined with the command's own). */
function stackOf<I extends ServiceInputTypes, O extends ServiceOutputTypes>(client: S3Client, command: ProbeCommand<I, O>): string[] {
  command.resolveMiddleware(client.middlewareStack, client.config, undefined);
  return client.middlewareStack
    .concat(command.middlewareStack)
    .identify()
    .map((entry) => entry.split(" ")[0] as string);
}

/** The stack of each command the probe sends, on a client. */
const STACKS: [string, (client: S3Client) => string[]][] = [
  ["HeadBucket", (c) => stackOf(c, new HeadBucketCommand({ Bucket: "b" }))],
  ["GetBucketLocation", (c) => stackOf(c, new GetBucketLocationCommand({ Bucket: "b" }))],
  ["ListObjectsV2", (c) => stackOf(c, new ListObjectsV2Command({ Bucket: "b" }))],
  ["PutObject", (c) => stackOf(c, new PutObjectCommand({ Bucket: "b", Key: "k" }))],
  ["HeadObject", (c) => stackOf(c, new HeadObjectCommand({ Bucket: "b", Key: "k" }))],
  ["GetObject", (c) => stackOf(c, new GetObjectCommand({ Bucket: "b", Key: "k" }))],
  ["DeleteObject", (c) => stackOf(c, new DeleteObjectCommand({ Bucket: "b", Key: "k" }))],
  ["CreateMultipartUpload", (c) => stackOf(c, new CreateMultipartUploadCommand({ Bucket: "b", Key: "k" }))],
  ["UploadPart", (c) => stackOf(c, new UploadPartCommand({ Bucket: "b", Key: "k", UploadId: "u", PartNumber: 1 }))],
  ["CompleteMultipartUpload", (c) => stackOf(c, new CompleteMultipartUploadCommand({ Bucket: "b", Key: "k", UploadId: "u" }))],
  ["AbortMultipartUpload", (c) => stackOf(c, new AbortMultipartUploadCommand({ Bucket: "b", Key: "k", UploadId: "u" }))],
  ["ListMultipartUploads", (c) => stackOf(c, new ListMultipartUploadsCommand({ Bucket: "b" }))],
];

const KEPT = [
  "validateBucketNameMiddleware",
  "httpAuthSchemeMiddleware",
  "endpointV2Middleware",
  "serializerMiddleware",
  "contentLengthMiddleware",
  "hostHeaderMiddleware",
  "retryMiddleware",
  "httpSigningMiddleware",
  "deserializerMiddleware",
];

describe("the middleware stack", () => {
  const dropped = [
    ...Object.keys(DROPPED_CLIENT_MIDDLEWARES),
    ...Object.keys(DROPPED_COMMAND_MIDDLEWARES),
    ...Object.keys(DROPPED_CHECKSUM_MIDDLEWARES),
  ];

  it("of the SDK's own client has every middleware the lean one drops (so the names are the SDK's)", () => {
    const stock = new S3Client(sdkConfig(store(), KEYS));
    const names = new Set(STACKS.flatMap(([, stackIn]) => stackIn(stock)));
    expect(dropped.filter((name) => !names.has(name))).toEqual([]);
  });

  it.each(STACKS)("of %s keeps what the request needs and nothing dropped", (_name, stackIn) => {
    const names = stackIn(createS3Client(store(), KEYS));
    expect(names).toEqual(expect.arrayContaining(KEPT));
    expect(names.filter((name) => dropped.includes(name))).toEqual([]);
  });

  it("keeps the flexible checksums where checksums are WHEN_SUPPORTED (AWS)", () => {
    const names = stackOf(createS3Client(store({ checksums: "WHEN_SUPPORTED" }), KEYS), new PutObjectCommand({ Bucket: "b", Key: "k" }));
    expect(names).toEqual(expect.arrayContaining(Object.keys(DROPPED_CHECKSUM_MIDDLEWARES)));
  });

  it("keeps the 200-with-an-error check where the SDK has it", () => {
    const names = stackOf(createS3Client(store(), KEYS), new CompleteMultipartUploadCommand({ Bucket: "b", Key: "k", UploadId: "u" }));
    expect(names).toContain("throw200ExceptionsMiddleware");
  });
});
