// Keeps a long run inside its bounds instead of being killed at them. Every quarter second it
// looks at the process's memory against the tightest bound it can know (the container's cgroup
// limit, V8's heap limit) and at how late the event loop runs; near a bound it collects garbage
// and halves the number of requests in flight, and says so in the report. A run whose CPU is
// shared (a pod's one core, other work on the node) slows itself rather than letting its own
// requests wait so long behind each other that they time out and turn cells into errors.
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Garbage allowed past what the run keeps before a collection is asked for (no heap ceiling set).
 * Backend + 100 profiles on Node 24 with 16 MB semi-spaces, peak RSS: 287–305 MB at 96 MB of
 * headroom, 250–254 at 48, 247 at 32 (npm run bench has the CPU it costs).
 */
const HEADROOM_BYTES = 32 * 1024 * 1024;
const CHECK_EVERY_MS = 250;
/** Share of a bound at which the run slows itself. */
const NEAR = 0.8;
/** An event loop this late (ms, worst of the last interval) means the process has more work than CPU. */
const LATE_LOOP_MS = 1000;
const MIN_CONCURRENCY = 4;

/** What the run's limiter lets the watcher change. */
interface Throttle {
  concurrency: number;
}

function gcFunction(): (() => void) | undefined {
  try {
    // The documented way to reach V8's gc() without starting node with --expose-gc.
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** The container's memory limit (cgroup v2, then v1), where there is one. */
export function cgroupMemoryLimit(read: (path: string) => string = (path) => readFileSync(path, "utf8")): number | undefined {
  for (const file of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try {
      const bytes = Number(read(file).trim());
      // v1 says "no limit" with a number near 2^63.
      if (Number.isFinite(bytes) && bytes > 0 && bytes < 2 ** 60) return bytes;
    } catch {
      // not this cgroup version, or not in a container
    }
  }
  return undefined;
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

export interface PressureWatch {
  /** The run's limiter, once it exists. */
  attach(throttle: Throttle): void;
  /** Checks decided so far, of all planned. */
  progress(done: number, total: number): void;
  /** Stops watching; what the run should say about it. */
  stop(): string[];
}

interface Bounds {
  /** The container's memory limit; looked up when not given. */
  memoryLimit?: number | undefined;
  /** The run's --timeout. */
  deadlineMs: number;
}

/** What slowed the run, and from how many requests in flight to how many. */
class Slowdown {
  private readonly reasons = new Map<string, string>();
  private from: number | undefined;
  private to: number | undefined;

  apply(throttle: Throttle | undefined, kind: string, why: string): void {
    if (!throttle || throttle.concurrency <= MIN_CONCURRENCY) return;
    this.from ??= throttle.concurrency;
    throttle.concurrency = Math.max(MIN_CONCURRENCY, Math.floor(throttle.concurrency / 2));
    this.to = throttle.concurrency;
    if (!this.reasons.has(kind)) this.reasons.set(kind, why);
  }

  note(): string[] {
    if (this.from === undefined) return [];
    return [`the run slowed itself, from ${this.from} requests in flight to ${this.to}: ${[...this.reasons.values()].join("; ")}`];
  }
}

/**
 * Full collections: whenever the heap grew by HEADROOM_BYTES since the last (unless the operator
 * set a heap ceiling: NODE_OPTIONS, the Job), and near a bound.
 */
class Collector {
  private kept = 0;

  constructor(
    private readonly gc: (() => void) | undefined,
    private readonly onGrowth: boolean,
  ) {}

  grew(used: number): void {
    if (this.onGrowth && used >= this.kept + HEADROOM_BYTES) this.collect();
  }

  // Near a bound, a collection is worth it only where garbage grew since the last one: a live set
  // that fills the bound by itself would get a full collection every tick and nothing back.
  nearBound(used: number): void {
    if (used > this.kept) this.collect();
  }

  private collect(): void {
    if (!this.gc) return;
    this.gc();
    this.kept = getHeapStatistics().used_heap_size;
  }
}

type HeapStatistics = ReturnType<typeof getHeapStatistics>;

/** The bound the process is near, if any: the container's memory limit, else the heap's ceiling. */
function boundNeared(heap: HeapStatistics, rss: number, memoryLimit: number | undefined): { kind: string; why: string } | undefined {
  if (memoryLimit !== undefined && rss > NEAR * memoryLimit) {
    return { kind: "memory", why: `memory neared the container's limit (${mib(rss)} of ${mib(memoryLimit)} MiB)` };
  }
  if (heap.used_heap_size > NEAR * heap.heap_size_limit) {
    return { kind: "heap", why: `the heap neared its ceiling (${mib(heap.used_heap_size)} of ${mib(heap.heap_size_limit)} MiB)` };
  }
  return undefined;
}

/** The pace note: past half of the deadline with fewer checks decided than time spent. */
function paceNote(done: number, total: number, elapsed: number, deadlineMs: number): string | undefined {
  if (total === 0 || elapsed < deadlineMs / 2 || done / total >= elapsed / deadlineMs) return undefined;
  return `at ${Math.round(elapsed / 1000)} s of its ${Math.round(deadlineMs / 1000)} s --timeout the run had decided ${done} of ${total} checks, too few to finish in time: raise --timeout (the Job's --deadline) or split the run with --shard`;
}

/** Starts watching memory, the event loop and the clock against the run's bounds. */
export function watchPressure(bounds: Bounds): PressureWatch {
  const memoryLimit = "memoryLimit" in bounds ? bounds.memoryLimit : cgroupMemoryLimit();
  const flags = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
  const collector = new Collector(gcFunction(), !/--max-old-space-size/.test(flags));
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  const slowdown = new Slowdown();
  const started = Date.now();
  let throttle: Throttle | undefined;
  let late: string | undefined;

  const timer = setInterval(() => {
    const heap = getHeapStatistics();
    collector.grew(heap.used_heap_size);
    const near = boundNeared(heap, process.memoryUsage.rss(), memoryLimit);
    if (near) {
      collector.nearBound(heap.used_heap_size);
      slowdown.apply(throttle, near.kind, near.why);
    }
    const lateMs = Math.round(loop.max / 1e6);
    if (lateMs > LATE_LOOP_MS) slowdown.apply(throttle, "cpu", `the CPU could not keep up (the event loop ran up to ${lateMs} ms late)`);
    loop.reset();
  }, CHECK_EVERY_MS);
  timer.unref();

  return {
    attach: (limiter) => {
      throttle = limiter;
    },
    progress: (done, total) => {
      late ??= paceNote(done, total, Date.now() - started, bounds.deadlineMs);
    },
    stop: () => {
      clearInterval(timer);
      loop.disable();
      return [...slowdown.note(), ...(late ? [late] : [])];
    },
  };
}
