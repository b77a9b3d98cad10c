#!/usr/bin/env bash
# CI's run on Node.js 22, the floor: the unit tests, then one real run of the bundle against the
# local RGW (the backend and two reference profiles, which must exit 0). The full suite runs on
# Node 24 (npm test); this shows the floor still works.
set -euo pipefail
project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$project_root"
node22=$(bash scripts/node22.sh)
export PATH="$node22:$PATH"
printf 'ci-node22: %s\n' "$(node --version)" >&2
# Not through npx: npm puts node_modules/.bin (Node 24) first on PATH.
node node_modules/vitest/vitest.mjs run --project unit

started_here=false
bash scripts/local-s3.sh status 2>/dev/null || { bash scripts/local-s3.sh start; started_here=true; }
stop() { [ "$started_here" = true ] && bash scripts/local-s3.sh stop; return 0; }
trap stop EXIT
# shellcheck disable=SC1090
source "$(bash scripts/local-s3.sh env)"
secrets=$KFP_S3_LOCAL_SECRETS_DIR
code=0
node dist/bundle/kfp-s3-probe.mjs --endpoint "$KFP_S3_LOCAL_ENDPOINT" --bucket "$KFP_S3_LOCAL_BUCKET" \
  --identity "backend=$secrets/backend" --identity "team-1=$secrets/team-1" --identity "team-2=$secrets/team-2" \
  --quiet || code=$?
printf 'ci-node22: a real run of the backend and two reference profiles on %s: exit %s (expected 0)\n' "$(node --version)" "$code" >&2
[ "$code" -eq 0 ]
