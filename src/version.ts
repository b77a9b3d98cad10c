// The tool's version: set by the bundler in dist/bundle/, else read from package.json.
import { existsSync, readFileSync } from "node:fs";

declare const __KFP_S3_PROBE_VERSION__: string | undefined;

export function toolVersion(): string {
  if (typeof __KFP_S3_PROBE_VERSION__ === "string") return __KFP_S3_PROBE_VERSION__;
  // dist/src/version.js when built, src/version.ts when run from source (tests).
  const manifest = ["../../package.json", "../package.json"].map((path) => new URL(path, import.meta.url)).find((url) => existsSync(url));
  if (!manifest) return "unknown";
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}
