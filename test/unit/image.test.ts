// The image: the Dockerfile copies the bundle's folder as the build makes it and starts its entry
// with the tool's V8 flags; .dockerignore lets that folder (and nothing else) into the build
// context; `npm run image` (scripts/image.sh) builds it with docker or podman, or says in one line
// why it cannot. No container engine answers on this machine: the image itself is not built here,
// what it is made of is run as its entrypoint would run it.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import type { Ignore } from "@balena/dockerignore";
import { describe, expect, it } from "vitest";
import { NODE_FLAGS } from "../../src/node-flags.js";

const root = new URL("../..", import.meta.url).pathname;
const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
const nodeDir = dirname(process.execPath);
// Docker's own .dockerignore rules (moby's patternmatcher), as a library. It is CommonJS
// (module.exports is the factory) while its types declare a default export, which NodeNext reads
// as a property: required, it is the factory.
const dockerignore: () => Ignore = createRequire(import.meta.url)("@balena/dockerignore");

/** An instruction's arguments: COPY's as words, ENTRYPOINT's exec form as its JSON array. */
function instruction(name: string): string {
  const line = new RegExp(`^${name} (.*)$`, "m").exec(dockerfile)?.[1];
  if (line === undefined) throw new Error(`Dockerfile: no ${name}`);
  return line;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

describe("the Dockerfile", () => {
  const [source, destination] = instruction("COPY").split(" ");
  const entrypoint = JSON.parse(instruction("ENTRYPOINT")) as string[];

  it("copies the folder the build makes (dist/bundle/: the entry and its chunks) and starts its entry with the tool's flags", () => {
    expect(source).toBe("dist/bundle/");
    expect(destination).toBe("/app/");
    expect(entrypoint).toEqual(["node", ...NODE_FLAGS, "/app/kfp-s3-probe.mjs"]);
    const script = entrypoint.at(-1) ?? "";
    const copied = join(root, source ?? "", relative(destination ?? "", script));
    expect(readFileSync(copied, "utf8")).toMatch(/^#!\/usr\/bin\/env -S node/);
    expect(readdirSync(join(root, "dist", "bundle", "chunks")).length).toBeGreaterThan(10);
  });

  it("its ENTRYPOINT runs, with the folder where COPY puts it and nothing else beside it", () => {
    const image = mkdtempSync(join(tmpdir(), "kfp-s3-probe-image-"));
    const app = join(image, destination ?? "");
    cpSync(join(root, source ?? ""), app, { recursive: true });
    const [, ...args] = entrypoint.map((arg) => (arg.startsWith(destination ?? "") ? join(image, arg) : arg));
    const version = spawnSync(process.execPath, [...args, "--version"], { cwd: image, encoding: "utf8", env: { NO_COLOR: "1" } });
    expect(version.stdout).toMatch(/^kfp-s3-probe \d+\.\d+\.\d+\n$/);
    expect(version.status).toBe(0);
    const job = spawnSync(process.execPath, [...args, "job", "--values", join(root, "fixtures", "deploykf", "values.yaml")], {
      cwd: image,
      encoding: "utf8",
    });
    expect(job.status, job.stderr).toBe(0);
    expect(job.stdout).toContain("kind: Job");
  });

  it(".dockerignore lets the bundle into the build context, and keeps node_modules, the sources and the tests out", () => {
    const ignore = dockerignore().add(readFileSync(join(root, ".dockerignore"), "utf8"));
    const bundle = filesUnder(join(root, "dist", "bundle"));
    expect(bundle.length).toBeGreaterThan(10);
    expect(bundle.filter((file) => ignore.ignores(file))).toEqual([]);
    for (const outside of ["node_modules/yargs/package.json", "src/cli/entry.ts", "test/unit/image.test.ts", "dist/src/cli/entry.js", ".git/HEAD"]) {
      expect(ignore.ignores(outside), outside).toBe(true);
    }
  });
});

/** A bin folder of stand-ins: each records its arguments in LOG and exits as told. */
function standIns(commands: Record<string, string>): { path: string; log: string } {
  const bin = mkdtempSync(join(tmpdir(), "kfp-s3-probe-bin-"));
  const log = join(bin, "calls.log");
  for (const [name, body] of Object.entries(commands)) {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  // node for the script's version, the system's tools; not /usr/local/bin, where this machine has a docker CLI.
  return { path: [bin, nodeDir, "/usr/bin", "/bin"].join(":"), log };
}

function npmRunImage(path: string, env: Record<string, string> = {}) {
  return spawnSync("bash", [join(root, "scripts", "image.sh")], { cwd: root, encoding: "utf8", env: { PATH: path, HOME: tmpdir(), ...env } });
}

describe("npm run image", () => {
  it("is the package's image script", () => {
    expect((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.image).toBe(
      "bash scripts/image.sh",
    );
  });

  it("without docker or podman: one line, exit 2, nothing built", () => {
    const { path, log } = standIns({ npm: "exit 0" });
    const result = npmRunImage(path);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "kfp-s3-probe: npm run image needs docker or podman, and neither is on the PATH: install one, or build the Dockerfile with another builder (buildah, kaniko) after npm run build\n",
    );
    expect(() => readFileSync(log, "utf8")).toThrow();
  });

  it("a docker whose daemon does not answer: one line naming it, exit 2, nothing built", () => {
    const { path, log } = standIns({ docker: 'if [ "$1" = info ]; then exit 1; fi', npm: "exit 0" });
    const result = npmRunImage(path);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^kfp-s3-probe: npm run image: docker is installed but does not answer \('docker info' fails\): start its daemon/);
    expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(readFileSync(log, "utf8")).toBe("docker info\n");
  });

  it("with an engine that answers: the bundle is built, then the image, under IMAGE's name; podman where docker is not", () => {
    const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
    const docker = standIns({ docker: "exit 0", npm: "exit 0" });
    const built = npmRunImage(docker.path, { IMAGE: "registry.example/kfp-s3-probe:test" });
    expect(built.status, built.stderr).toBe(0);
    expect(readFileSync(docker.log, "utf8")).toBe("docker info\ndocker info\nnpm run build\ndocker build -t registry.example/kfp-s3-probe:test .\n");
    expect(built.stderr).toContain("kfp-s3-probe job --image registry.example/kfp-s3-probe:test");
    const podman = standIns({ podman: "exit 0", npm: "exit 0" });
    expect(npmRunImage(podman.path).status).toBe(0);
    expect(readFileSync(podman.log, "utf8")).toContain(`podman build -t kfp-s3-probe:${version} .\n`);
  });
});
