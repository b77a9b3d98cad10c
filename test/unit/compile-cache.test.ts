// Where the compile cache goes (the runs that use it are in test/integration/start.test.ts).
import { describe, expect, it } from "vitest";
import { compileCacheDir } from "../../src/cli/start/compile-cache.js";

describe("the compile cache's folder", () => {
  it.each([
    ["XDG_CACHE_HOME first", { XDG_CACHE_HOME: "/xdg", HOME: "/home/u" }, "/xdg/kfp-s3-probe"],
    ["else ~/.cache", { HOME: "/home/u" }, "/home/u/.cache/kfp-s3-probe"],
    ["a relative XDG_CACHE_HOME is ignored, as the XDG spec says", { XDG_CACHE_HOME: "cache", HOME: "/home/u" }, "/home/u/.cache/kfp-s3-probe"],
    ["no home: none, rather than a folder others can write", {}, undefined],
    ["an empty or relative HOME: none", { HOME: "" }, undefined],
    ["NODE_COMPILE_CACHE: Node's own, already on", { NODE_COMPILE_CACHE: "/c", HOME: "/home/u" }, undefined],
    ["NODE_DISABLE_COMPILE_CACHE: off", { NODE_DISABLE_COMPILE_CACHE: "1", XDG_CACHE_HOME: "/xdg" }, undefined],
  ])("%s", (_, env, folder) => {
    expect(compileCacheDir(env)).toBe(folder);
  });
});
