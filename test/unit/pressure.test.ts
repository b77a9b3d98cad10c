// A run near its bounds slows itself and says so: memory against the container's limit, an event
// loop that runs late (the CPU shared), and a pace that will not finish within --timeout.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { cgroupMemoryLimit, watchPressure } from "../../src/cli/run/pressure.js";

const files = (contents: Record<string, string>) => (path: string) => {
  const text = contents[path];
  if (text === undefined) throw new Error(`ENOENT ${path}`);
  return text;
};

describe("the container's memory limit", () => {
  it("cgroup v2's memory.max, v1's limit_in_bytes, and none where unlimited or absent", () => {
    expect(cgroupMemoryLimit(files({ "/sys/fs/cgroup/memory.max": "402653184\n" }))).toBe(384 * 2 ** 20);
    expect(cgroupMemoryLimit(files({ "/sys/fs/cgroup/memory.max": "max\n" }))).toBeUndefined();
    expect(cgroupMemoryLimit(files({ "/sys/fs/cgroup/memory/memory.limit_in_bytes": "268435456" }))).toBe(256 * 2 ** 20);
    expect(cgroupMemoryLimit(files({ "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712" }))).toBeUndefined();
    expect(cgroupMemoryLimit(files({}))).toBeUndefined();
  });
});

describe("a run near its bounds", () => {
  it("memory past 80% of the limit: fewer requests in flight, down to 4, and one note naming the limit", async () => {
    const watch = watchPressure({ memoryLimit: 64 * 2 ** 20, deadlineMs: 60_000 });
    const throttle = { concurrency: 32 };
    watch.attach(throttle);
    await sleep(1400);
    const notes = watch.stop();
    expect(throttle.concurrency).toBe(4);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^the run slowed itself, from 32 requests in flight to 4: memory neared the container's limit \(\d+ of 64 MiB\)$/);
  });

  it("room to spare: nothing changes and nothing is said", async () => {
    const watch = watchPressure({ memoryLimit: 64 * 2 ** 40, deadlineMs: 60_000 });
    const throttle = { concurrency: 32 };
    watch.attach(throttle);
    await sleep(600);
    expect(watch.stop()).toEqual([]);
    expect(throttle.concurrency).toBe(32);
  });

  it("an event loop a second and more late (the CPU shared): halved, and said", async () => {
    const watch = watchPressure({ memoryLimit: undefined, deadlineMs: 60_000 });
    const throttle = { concurrency: 32 };
    watch.attach(throttle);
    await sleep(100);
    const until = Date.now() + 1300;
    while (Date.now() < until) {
      // the process busy with work it cannot get through
    }
    await sleep(400);
    const notes = watch.stop();
    expect(throttle.concurrency).toBe(16);
    expect(notes[0]).toMatch(/the CPU could not keep up \(the event loop ran up to \d{4,} ms late\)/);
  });

  it("past half of --timeout with fewer than half of the checks decided: says it will not finish", async () => {
    const watch = watchPressure({ memoryLimit: undefined, deadlineMs: 1000 });
    watch.progress(10, 100);
    await sleep(600);
    watch.progress(20, 100);
    const notes = watch.stop();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^at \d+ s of its 1 s --timeout the run had decided 20 of 100 checks, too few to finish in time: raise --timeout/);
  });

  it("on pace: nothing said", async () => {
    const watch = watchPressure({ memoryLimit: undefined, deadlineMs: 1000 });
    await sleep(600);
    watch.progress(90, 100);
    expect(watch.stop()).toEqual([]);
  });
});
