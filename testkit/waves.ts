// Counts a run's waves: sets of requests in flight together, each wave sent once the one before
// it has been answered. Every request made through a wrapped port is held until the next wave,
// when all held requests are answered at once; a request sent in answer to one of them waits for
// the wave after. With a concurrency bound above the widest wave, the number of waves is the
// longest chain of requests each of which waited on the one before.
import { LAYOUTS } from "../src/core/layout.js";
import type { Role } from "../src/core/plan.js";
import { type ProbeIdentity, runProbe } from "../src/probe/engine.js";
import type { S3Port } from "../src/probe/port.js";
import { MemoryStore, within } from "./memory-store.js";

export interface HeldRequest {
  wave: number;
  identity: string;
  method: string;
  /** The key or prefix the request names. */
  subject: string;
}

type Method = keyof S3Port;

/** Every request of the port (a class's methods are not its own keys, so they are named here). */
const METHODS: { [M in Method]: M } = {
  headBucket: "headBucket",
  getBucketLocation: "getBucketLocation",
  listObjects: "listObjects",
  putObjectIfAbsent: "putObjectIfAbsent",
  headObject: "headObject",
  getObject: "getObject",
  deleteObject: "deleteObject",
  createMultipartUpload: "createMultipartUpload",
  uploadPart: "uploadPart",
  completeMultipartUpload: "completeMultipartUpload",
  abortMultipartUpload: "abortMultipartUpload",
  listMultipartUploads: "listMultipartUploads",
  listObjectVersions: "listObjectVersions",
  getBucketVersioning: "getBucketVersioning",
  getObjectLockConfiguration: "getObjectLockConfiguration",
  getBucketEncryption: "getBucketEncryption",
  getBucketLifecycle: "getBucketLifecycle",
  getBucketPolicy: "getBucketPolicy",
};

export class WaveClock {
  readonly requests: HeldRequest[] = [];
  private held: (() => void)[] = [];
  private count = 0;

  get waves(): number {
    return this.count;
  }

  /** The port with each of its requests held until the next wave. */
  wrap(identity: string, port: S3Port): S3Port {
    const wrapped = {} as Record<Method, unknown>;
    for (const method of Object.values(METHODS)) {
      const send = port[method] as (...args: unknown[]) => Promise<unknown>;
      wrapped[method] = (...args: unknown[]) =>
        new Promise((resolve, reject) => {
          const subject = typeof args[0] === "string" ? args[0] : "";
          this.held.push(() => {
            this.requests.push({ wave: this.count, identity, method, subject });
            send.apply(port, args).then(resolve, reject);
          });
        });
    }
    return wrapped as unknown as S3Port;
  }

  /** Runs `work` to its end, answering the held requests a wave at a time once nothing else can move. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    const done = work().finally(() => {
      settled = true;
    });
    while (!settled) {
      // Every promise reaction has run once setImmediate fires: whatever is held now is one wave.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.held.length === 0) continue;
      const wave = this.held;
      this.held = [];
      this.count += 1;
      for (const answer of wave) answer();
    }
    return done;
  }

  /** The requests of each wave, for a person reading where the waves go. */
  byWave(): HeldRequest[][] {
    const waves: HeldRequest[][] = Array.from({ length: this.count }, () => []);
    for (const request of this.requests) waves[request.wave - 1]?.push(request);
    return waves;
  }
}

/** A request as a clock saw it: sent at `start`, answered at `end`. */
export interface Span {
  identity: string;
  method: string;
  subject: string;
  start: number;
  end: number;
}

/** The port with each request's send and answer times added to `spans` (a real store's waves). */
export function timed(identity: string, port: S3Port, spans: Span[]): S3Port {
  const wrapped = {} as Record<Method, unknown>;
  for (const method of Object.values(METHODS)) {
    const send = port[method] as (...args: unknown[]) => Promise<unknown>;
    wrapped[method] = async (...args: unknown[]) => {
      const start = performance.now();
      try {
        return await send.apply(port, args);
      } finally {
        spans.push({ identity, method, subject: typeof args[0] === "string" ? args[0] : "", start, end: performance.now() });
      }
    };
  }
  return wrapped as unknown as S3Port;
}

/**
 * The longest chain of requests each sent after the one before it was answered: the run's waves
 * as measured on a real store (a request that merely waited for a free slot counts as sequential).
 */
export function longestChain(spans: readonly Span[]): number {
  const byEnd = [...spans].sort((a, b) => a.end - b.end);
  const depth = new Map<Span, number>();
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    let before = 0;
    for (const earlier of byEnd) {
      if (earlier.end > span.start) break;
      before = Math.max(before, depth.get(earlier) ?? 0);
    }
    depth.set(span, before + 1);
  }
  return Math.max(0, ...depth.values());
}

/** The backend and these profiles under the reference policies, on the in-memory store, wave by wave. */
export async function wavesOf(profiles: string[], concurrency: number): Promise<WaveClock> {
  const store = new MemoryStore();
  const clock = new WaveClock();
  const identities: ProbeIdentity[] = [
    { name: "backend", role: { kind: "backend" }, port: clock.wrap("backend", store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"]))) },
    ...profiles.map((name) => ({
      name,
      role: { kind: "profile", profile: name } as Role,
      port: clock.wrap(name, store.portFor(within([`artifacts/${name}/`, `v2/artifacts/${name}/`]))),
    })),
  ];
  await clock.run(() =>
    runProbe(identities, {
      bucket: "kubeflow-pipelines",
      layout: LAYOUTS.deploykf,
      runId: "20261124T000000Z-000000000000",
      readOnly: false,
      strict: false,
      concurrency,
      signal: new AbortController().signal,
      cleanupTimeoutMs: 10_000,
    }),
  );
  return clock;
}
