// Installs Chromium where missing (scripts/chromium.sh), then boots a local Ceph RGW of the suite's own (state in .local-s3-test/, apart from the demo's), so
// the tests start from the seeded bucket and nothing else. A server that cannot start fails the
// suite with the script's reason; nothing is skipped.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const script = `${projectRoot}/scripts/local-s3.sh`;

const env = { ...process.env, KFP_S3_LOCAL_DIR: `${projectRoot}/.local-s3-test` };

function run(command: string, stdio: "pipe" | "inherit" = "pipe"): string {
  return execFileSync("bash", [script, command], { cwd: projectRoot, env, encoding: "utf8", stdio: ["ignore", stdio, stdio] }) ?? "";
}

export default function setup(project: TestProject): () => void {
  // Debian's Chromium for the HTML report's browser test, installed when missing (as the RGW's packages are).
  execFileSync("bash", [`${projectRoot}/scripts/chromium.sh`], { cwd: projectRoot, stdio: ["ignore", "ignore", "inherit"] });
  try {
    run("stop", "inherit");
    run("start", "inherit");
  } catch (error) {
    throw new Error(`the local S3 server (Ceph RGW) did not start: see the output above (${String(error)})`);
  }
  project.provide("localS3EnvFile", run("env").trim());
  return () => {
    run("stop", "inherit");
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    localS3EnvFile: string;
  }
}
