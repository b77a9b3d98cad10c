// The waves of a run (sets of requests in flight together, each sent once the wave before it was
// answered; testkit/waves.ts) for the backend and 2 profiles on the in-memory store. Fewer waves
// for the same requests: what is independent goes out together.
import { describe, expect, it } from "vitest";
import { longestChain, type Span, wavesOf } from "../../testkit/waves.js";

const TWO = ["team-1", "team-2"];
/** Above the widest wave: only what waits on an answer makes a new wave. */
const UNBOUNDED = 1000;

describe("waves of a backend + 2 profiles run", () => {
  it("at the default concurrency (32): 11 waves for 258 requests", async () => {
    const clock = await wavesOf(TWO, 32);
    expect(clock.requests).toHaveLength(258);
    expect(clock.waves).toBe(11);
  });

  it("unbounded, the longest chain of requests that wait on each other: 7", async () => {
    const clock = await wavesOf(TWO, UNBOUNDED);
    expect(clock.requests).toHaveLength(258);
    expect(clock.waves).toBe(7);
  });

  it("the seeds and the objects to read go out with the first checks, right after discovery", async () => {
    const clock = await wavesOf(TWO, UNBOUNDED);
    const third = clock.byWave()[2] ?? [];
    expect(third.filter((r) => r.method === "putObjectIfAbsent" && /\/seed(-for-[^/]+)?$/.test(r.subject))).toHaveLength(22);
    expect(third.filter((r) => r.method === "listObjects" && r.identity === "backend").length).toBeGreaterThanOrEqual(5);
    expect(third.filter((r) => r.method === "createMultipartUpload")).toHaveLength(6);
    expect(third.filter((r) => r.method === "headBucket")).toHaveLength(3);
  });

  it("under a prefix, the list and the canary's write go out together", async () => {
    const clock = await wavesOf(TWO, UNBOUNDED);
    const waveOf = (method: string, subject: string) =>
      clock.requests.find((r) => r.identity === "team-1" && r.method === method && r.subject === subject)?.wave;
    const canary = "artifacts/team-1/.kfp-s3-probe/20261124T000000Z-000000000000/team-1";
    expect(waveOf("listObjects", "artifacts/team-1/")).toBe(3);
    expect(waveOf("putObjectIfAbsent", canary)).toBe(3);
    expect(waveOf("getObject", canary)).toBe(4);
    expect(waveOf("deleteObject", canary)).toBe(5);
  });

  it("cleanup in one wave: who may list open uploads, the namespaces' listings and the removal of what the store said it wrote", async () => {
    const clock = await wavesOf(TWO, UNBOUNDED);
    const last = clock.byWave().at(-1) ?? [];
    expect(last.filter((r) => r.method === "listMultipartUploads").map((r) => r.identity)).toEqual(["backend", "team-1", "team-2"]);
    expect(last.filter((r) => r.method === "listObjects")).toHaveLength(21);
    expect(last.filter((r) => r.method === "deleteObject")).toHaveLength(29);
  });

  it("discovery lists the layout's roots in one wave", async () => {
    const clock = await wavesOf(TWO, UNBOUNDED);
    const waveOf = (root: string) => clock.requests.find((r) => r.method === "listObjects" && r.subject === root)?.wave;
    expect(waveOf("artifacts/")).toBe(2);
    expect(waveOf("v2/artifacts/")).toBe(2);
  });
});

describe("the longest chain on a real store's clock", () => {
  const span = (start: number, end: number): Span => ({ identity: "x", method: "listObjects", subject: "", start, end });

  it("counts a request sent after another was answered, and not two in flight together", () => {
    expect(longestChain([])).toBe(0);
    expect(longestChain([span(0, 10), span(1, 9), span(2, 11)])).toBe(1);
    expect(longestChain([span(0, 10), span(10, 20), span(5, 30), span(21, 22)])).toBe(3);
  });
});
