// npm run bundle: the CLI as one file, dist/kfp-s3-probe.mjs, that runs with plain
// `node kfp-s3-probe.mjs` and no node_modules (the container image ships only this file).
import { readFileSync } from "node:fs";
import { defineConfig } from "rolldown";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

export default defineConfig({
  input: "dist/src/cli/entry.js",
  platform: "node",
  transform: { define: { __KFP_S3_PROBE_VERSION__: JSON.stringify(version) } },
  output: {
    file: "dist/kfp-s3-probe.mjs",
    format: "esm",
    codeSplitting: false,
    banner:
      "#!/usr/bin/env node\n// kfp-s3-probe " +
      version +
      ", bundled with its dependencies (see package-lock.json); Apache-2.0.\n" +
      'import { createRequire as __kfpCreateRequire } from "node:module"; const require = __kfpCreateRequire(import.meta.url);\n' +
      'process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";',
  },
});
