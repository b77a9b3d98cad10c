// npm run build's last step: the CLI bundled with its dependencies into dist/bundle/, which runs
// with plain `node dist/bundle/kfp-s3-probe.mjs` and no node_modules (the container image ships
// only this folder). Split in chunks: the entry answers --help and --version on its own, and the
// parser, the AWS SDK and the engine load only when a command needs them.
import { readFileSync } from "node:fs";
import { defineConfig } from "rolldown";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
// --help at the common widths, rendered by the build step before this one (scripts/render-help.ts).
const helpTexts = readFileSync(new URL("./dist/help-texts.json", import.meta.url), "utf8").trim();

export default defineConfig({
  input: { "kfp-s3-probe": "dist/src/cli/entry.js" },
  platform: "node",
  transform: { define: { __KFP_S3_PROBE_VERSION__: JSON.stringify(version), __KFP_S3_PROBE_HELP__: helpTexts } },
  output: {
    dir: "dist/bundle",
    // A rebuild leaves only its own chunks: the image copies the whole folder.
    cleanDir: true,
    format: "esm",
    entryFileNames: "[name].mjs",
    chunkFileNames: "chunks/[name]-[hash].mjs",
    // The bundled CommonJS dependencies call require() for Node's built-ins: the entry gives them one,
    // as a global, since a chunk may declare a require of its own (yargs does).
    banner: (chunk) =>
      chunk.isEntry
        ? // The young generation's size is set at start (src/node-flags.ts): in the shebang, for a bundle run as a command.
          "#!/usr/bin/env -S node --max-semi-space-size=16\n" +
          `// kfp-s3-probe ${version}, bundled with its dependencies (see package-lock.json); Apache-2.0.\n` +
          'import { createRequire as __kfpCreateRequire } from "node:module"; globalThis.require ??= __kfpCreateRequire(import.meta.url);\n' +
          'process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";'
        : `// kfp-s3-probe ${version}, bundled with its dependencies (see package-lock.json); Apache-2.0.`,
  },
});
