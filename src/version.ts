// The tool's version: set by the bundler in dist/kfp-s3-probe.mjs, else read from package.json.
import { readFileSync } from "node:fs";

declare const __KFP_S3_PROBE_VERSION__: string | undefined;

export function toolVersion(): string {
  if (typeof __KFP_S3_PROBE_VERSION__ === "string") return __KFP_S3_PROBE_VERSION__;
  const manifest = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}
