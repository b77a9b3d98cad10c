// The command's entry point: bin/kfp-s3-probe for a checkout, dist/kfp-s3-probe.mjs as one file.
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: process,
});
