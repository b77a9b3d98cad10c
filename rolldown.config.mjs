// npm run build's last step: the CLI bundled with its dependencies into dist/bundle/, which runs
// with plain `node dist/bundle/kfp-s3-probe.mjs` and no node_modules (the container image ships
// only this folder). Split in chunks: the entry answers --help and --version on its own, and the
// parser, the AWS SDK and the engine load only when a command needs them. The file one runs,
// kfp-s3-probe.mjs, imports none of them statically: it first checks that every chunk of the build
// is beside it (an entry copied without its chunks/ folder says so in one line, exit 2, instead of
// dying on a module it cannot find), then loads the real entry.
import { readFileSync } from "node:fs";
import { defineConfig } from "rolldown";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
// --help at the common widths, rendered by the build step before this one (scripts/render-help.ts).
const helpTexts = readFileSync(new URL("./dist/help-texts.json", import.meta.url), "utf8").trim();
const license = `// kfp-s3-probe ${version}, bundled with its dependencies (see package-lock.json); Apache-2.0.`;
const ENTRY = "kfp-s3-probe.mjs";
// Exit 2, as for a Node too old (src/cli/start/node-gate.ts): the install is to fix, nothing was sent.
const BROKEN_INSTALL = 2;

/**
 * The file one runs: written in the plainest JavaScript (an old Node must get as far as the Node.js
 * floor's own line), it imports only Node's built-ins until the folder is known to be whole.
 */
function entrySource(main, chunks) {
  return `#!/usr/bin/env -S node --max-semi-space-size=16
${license}
// The young generation's size is set at start (src/node-flags.ts): in the shebang, for a bundle run as a command.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const chunks = ${JSON.stringify(chunks)};
const missing = chunks.filter((chunk) => !existsSync(new URL(chunk, import.meta.url)));
if (missing.length > 0) {
  const folder = fileURLToPath(new URL(".", import.meta.url));
  process.stderr.write(
    "kfp-s3-probe: " + folder + " lacks " + missing.length + " of the " + chunks.length + " chunks of this build (" + missing[0] +
      (missing.length > 1 ? ", …" : "") + "): copy the whole folder dist/bundle/ (${ENTRY} with its chunks/ folder), or rebuild it with npm run build\\n",
  );
  process.exit(${BROKEN_INSTALL});
}
// The bundled CommonJS dependencies call require() for Node's built-ins: they get one, as a global,
// since a chunk may declare a require of its own (yargs does).
if (!globalThis.require) globalThis.require = createRequire(import.meta.url);
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
await import(${JSON.stringify(`./${main}`)});
`;
}

/** Writes the entry once every chunk's name is known. */
const wholeFolderEntry = {
  name: "kfp-s3-probe-entry",
  generateBundle(_options, bundle) {
    const chunks = Object.values(bundle).filter((file) => file.type === "chunk");
    const main = chunks.find((chunk) => chunk.isEntry);
    if (!main) throw new Error("rolldown.config.mjs: no entry chunk");
    this.emitFile({ type: "asset", fileName: ENTRY, source: entrySource(main.fileName, chunks.map((chunk) => `./${chunk.fileName}`).sort()) });
  },
};

export default defineConfig({
  input: { "kfp-s3-probe": "dist/src/cli/entry.js" },
  platform: "node",
  transform: { define: { __KFP_S3_PROBE_VERSION__: JSON.stringify(version), __KFP_S3_PROBE_HELP__: helpTexts } },
  plugins: [wholeFolderEntry],
  output: {
    dir: "dist/bundle",
    // A rebuild leaves only its own chunks: the image copies the whole folder.
    cleanDir: true,
    format: "esm",
    entryFileNames: "chunks/[name]-[hash].mjs",
    chunkFileNames: "chunks/[name]-[hash].mjs",
    banner: license,
  },
});
