// The pool the checks are pulled through, and waiting for work under way before a failure is told.
import { describe, expect, it } from "vitest";
import { forEachBounded, settled } from "../../src/probe/pool.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("forEachBounded", () => {
  it("after a failure starts nothing more, and throws it only once the tasks under way have ended", async () => {
    const started: number[] = [];
    const ended: number[] = [];
    const run = forEachBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new Error("task 1 failed");
      await tick();
      ended.push(n);
    });
    await expect(run).rejects.toThrow("task 1 failed");
    expect(ended).toEqual(started.filter((n) => n !== 1));
    expect(started).toEqual([1, 2]);
  });
});

describe("settled", () => {
  it("gives every value, in order", async () => {
    const [a, b] = await settled([Promise.resolve(1), Promise.resolve("two")]);
    expect([a, b]).toEqual([1, "two"]);
  });

  it("throws the first failure only once every one has ended", async () => {
    let ended = false;
    const slow = tick().then(() => {
      ended = true;
    });
    await expect(settled([Promise.reject(new Error("first")), slow])).rejects.toThrow("first");
    expect(ended).toBe(true);
  });
});
