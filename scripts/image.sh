#!/usr/bin/env bash
# npm run image: the container image of the Dockerfile, built from dist/bundle/ with docker or podman.
#   npm run image                                           # kfp-s3-probe:<version>
#   IMAGE=registry.example/kfp-s3-probe:0.1.0 npm run image  # a name to push
#   CONTAINER_ENGINE=podman npm run image                   # the engine, where both are there
# Without an engine that answers it says so in one line, exit 2, before building anything.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p 'require("./package.json").version')
image=${IMAGE:-kfp-s3-probe:$version}

answers() { command -v "$1" >/dev/null 2>&1 && "$1" info >/dev/null 2>&1; }

engine=${CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
  for candidate in docker podman; do
    if answers "$candidate"; then engine=$candidate; break; fi
  done
fi
if [ -z "$engine" ] || ! answers "$engine"; then
  installed=$(for candidate in ${CONTAINER_ENGINE:-docker podman}; do command -v "$candidate" >/dev/null 2>&1 && printf '%s ' "$candidate"; done || true)
  if [ -n "$installed" ]; then
    echo "kfp-s3-probe: npm run image: ${installed% } is installed but does not answer ('${installed%% *} info' fails): start its daemon (or the podman machine), or build the Dockerfile elsewhere from dist/bundle/" >&2
  else
    echo "kfp-s3-probe: npm run image needs docker or podman, and ${CONTAINER_ENGINE:-neither} is on the PATH: install one, or build the Dockerfile with another builder (buildah, kaniko) after npm run build" >&2
  fi
  exit 2
fi

npm run build
"$engine" build -t "$image" .
echo "kfp-s3-probe: built $image; push it ($engine push $image) and name it: kfp-s3-probe job --image $image" >&2
