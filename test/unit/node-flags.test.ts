// The V8 flags the tool starts with (src/node-flags.ts) are the same wherever it starts: the
// checkout's bin, the bundle run as a command, the image's entrypoint and the Job's NODE_OPTIONS.
// They must be given at start, so each of these carries them itself.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { JOB_NODE_OPTIONS } from "../../src/k8s/job.js";
import { NODE_FLAGS } from "../../src/node-flags.js";

const root = new URL("../..", import.meta.url).pathname;
const firstLine = (file: string) => readFileSync(join(root, file), "utf8").split("\n")[0] ?? "";

describe("the tool's V8 flags", () => {
  it.each(["bin/kfp-s3-probe", "dist/bundle/kfp-s3-probe.mjs"])("%s starts node with them in its shebang", (file) => {
    expect(firstLine(file)).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(" ")}`);
  });

  it("the image's entrypoint and the Job's NODE_OPTIONS carry them", () => {
    const entrypoint = readFileSync(join(root, "Dockerfile"), "utf8").match(/^ENTRYPOINT (.*)$/m)?.[1] ?? "";
    expect(JSON.parse(entrypoint)).toEqual(["node", ...NODE_FLAGS, "/app/kfp-s3-probe.mjs"]);
    for (const flag of NODE_FLAGS) expect(JOB_NODE_OPTIONS.split(" ")).toContain(flag);
  });

  it("bin/kfp-s3-probe runs as a command through its shebang (env -S)", () => {
    const path = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`;
    const out = execFileSync(join(root, "bin", "kfp-s3-probe"), ["--version"], {
      encoding: "utf8",
      env: { ...process.env, PATH: path },
    });
    expect(out).toMatch(/^kfp-s3-probe \d+\.\d+\.\d+\n$/);
  });
});
