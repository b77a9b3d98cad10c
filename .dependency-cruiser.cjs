// The layer rules of docs/architecture.md, checked by `npm run lint`: imports point one way, from
// the outside in (core ← probe ← adapters ← cli), and nothing runs in a circle.
const ADAPTERS = "^src/(s3|iam|credentials|deploykf|k8s|report)/";
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "a cycle hides which layer owns a concept", from: {}, to: { circular: true } },
    {
      name: "core-is-pure",
      severity: "error",
      comment: "core knows nothing of the network, the terminal or the other layers",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: ["^src/core/"] },
    },
    {
      name: "core-does-no-io",
      severity: "error",
      comment: "core does no I/O: no file system, network, processes or terminal",
      from: { path: "^src/core/" },
      to: { dependencyTypes: ["core"], path: "^(node:)?(fs|net|http|https|tls|child_process|dgram|dns|readline|tty|worker_threads|fs/promises)$" },
    },
    {
      name: "probe-knows-core-only",
      severity: "error",
      comment: "the probe works over an S3Port: no SDK, no adapter, no CLI",
      from: { path: "^src/probe/" },
      to: { path: ["^src/", "@aws-sdk", "@smithy"], pathNot: ["^src/(core|probe)/"] },
    },
    {
      name: "adapters-never-import-the-cli",
      severity: "error",
      from: { path: ADAPTERS },
      to: { path: "^src/cli/" },
    },
    {
      name: "tests-and-bench-stay-out-of-src",
      severity: "error",
      comment: "src/ imports no test, testkit or bench code",
      from: { path: "^src/" },
      to: { path: "^(test|testkit|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
