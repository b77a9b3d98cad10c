// Starts the local Ceph RGW once for the integration suite. A server that cannot start fails the
// suite with the script's reason; nothing is skipped. A server that was already running (a
// developer's, or the demo's) is left running.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const script = `${projectRoot}/scripts/local-s3.sh`;

function run(command: string): string {
  return execFileSync("bash", [script, command], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function isRunning(): boolean {
  try {
    run("status");
    return true;
  } catch {
    return false;
  }
}

export default function setup(project: TestProject): () => void {
  const alreadyRunning = isRunning();
  if (!alreadyRunning) {
    try {
      execFileSync("bash", [script, "start"], { cwd: projectRoot, stdio: ["ignore", "inherit", "inherit"] });
    } catch (error) {
      throw new Error(`the local S3 server (Ceph RGW) did not start: see the output above (${String(error)})`);
    }
  }
  project.provide("localS3EnvFile", run("env").trim());
  return () => {
    if (!alreadyRunning) run("stop");
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    localS3EnvFile: string;
  }
}
