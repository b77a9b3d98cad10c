#!/usr/bin/env bash
# The README's first command (npm run demo): probes the local S3 server with the backend's keys
# and two profiles' keys, each read from a Kubernetes-style secret directory.
set -uo pipefail
project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
env_file=$(bash "$project_root/scripts/local-s3.sh" env) || exit 1
# shellcheck disable=SC1090
source "$env_file"

probe() {
  echo
  echo "\$ kfp-s3-probe $* --endpoint $KFP_S3_LOCAL_ENDPOINT --bucket $KFP_S3_LOCAL_BUCKET --credentials-dir .../$identity"
  "$project_root/bin/kfp-s3-probe" "$@" --endpoint "$KFP_S3_LOCAL_ENDPOINT" --bucket "$KFP_S3_LOCAL_BUCKET" \
    --credentials-dir "$KFP_S3_LOCAL_SECRETS_DIR/$identity"
  echo "(exit $?)"
}

status=0
identity=backend; probe --backend || status=1
identity=team-1; probe --profile team-1 || status=1
identity=team-2; probe --profile team-2 || status=1
echo
echo "The server keeps running for more: scripts/local-s3.sh stop ends it. Identities with wrong"
echo "policies to try are in fixtures/local-identities.json (secrets under $KFP_S3_LOCAL_SECRETS_DIR)."
exit $status
