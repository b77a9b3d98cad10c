// The bench's floor part (KFP_S3_PROBE_BENCH_ONLY=floor): the CPU one request costs this process
// before any of the probe's own work, on the local RGW, so that the probe's CPU per request is
// read against what the parts it rests on cost. In one process, each after a warm-up, the same
// number of requests at the probe's concurrency (32): a HEAD of an object that exists (200) and of
// a key that does not (404, which the SDK turns into an error, as it does every denial)
//   - by node:http alone, unsigned, on a kept-alive agent (Node's HTTP, no SDK);
//   - by the SDK's S3Client as anyone builds it (every default middleware), signed;
//   - by the probe's own client and port (src/s3: the lean middleware stack, the shared agent).
// CPU is this process's user + system time (process.cpuUsage), the RGW's not counted.
import { Agent, request } from "node:http";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { createS3Client, type StoreSettings } from "../src/s3/client.js";
import { SdkS3Port } from "../src/s3/s3-port.js";
import { local } from "./kit.js";

const REQUESTS = 3000;
const CONCURRENCY = 32;
const BUCKET = local.bucket;
const MISSING = "pipelines/kfp-s3-probe-bench-floor/missing";
/** One of the objects the local server seeds (scripts/local-s3-fixture.ts). */
const EXISTING = "pipelines/hello-world/pipeline.yaml";

type Send = (key: string) => Promise<unknown>;

/** CPU milliseconds per request over `count` requests, `CONCURRENCY` in flight. */
async function cpuPerRequest(send: Send, key: string, count = REQUESTS): Promise<number> {
  const limit = pLimit(CONCURRENCY);
  await Promise.all(Array.from({ length: 200 }, () => limit(() => send(key)))); // warm-up
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: count }, () => limit(() => send(key))));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

function plainHttp(): Send {
  const agent = new Agent({ keepAlive: true });
  return (key) =>
    new Promise<void>((resolve, reject) => {
      const req = request(new URL(`${local.endpoint}/${BUCKET}/${key}`), { method: "HEAD", agent }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });
}

const credentials = () => ({ accessKeyId: local.adminAccessKeyId, secretAccessKey: local.adminSecretAccessKey });

function defaultSdk(): Send {
  const client = new S3Client({ endpoint: local.endpoint, region: local.region, forcePathStyle: true, credentials: credentials() });
  return (key) => client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).catch(() => undefined);
}

function probesOwn(): Send {
  const store: StoreSettings = { endpoint: local.endpoint, region: local.region, forcePathStyle: true, requestTimeoutMs: 10_000, maxAttempts: 3 };
  const port = new SdkS3Port(createS3Client(store, credentials()), BUCKET);
  return (key) => port.headObject(key, AbortSignal.timeout(10_000));
}

export async function floorBench(): Promise<void> {
  console.log(`the floor: CPU per request of this process, ${REQUESTS} HEADs each, ${CONCURRENCY} in flight, on the local RGW`);
  console.log(`  ${"".padEnd(30)} ${"exists (200)".padStart(13)} ${"missing (404)".padStart(14)}`);
  const rows: [string, Send][] = [
    ["node:http, unsigned", plainHttp()],
    ["the SDK's S3Client, defaults", defaultSdk()],
    ["the probe's client and port", probesOwn()],
  ];
  for (const [label, send] of rows) {
    const [found, missing] = [await cpuPerRequest(send, EXISTING), await cpuPerRequest(send, MISSING)];
    console.log(`  ${label.padEnd(30)} ${`${found.toFixed(3)} ms`.padStart(13)} ${`${missing.toFixed(3)} ms`.padStart(14)}`);
  }
  console.log("");
}
