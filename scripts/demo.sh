#!/usr/bin/env bash
# The README's first command (npm run demo): probes the local S3 server (Ceph RGW with real IAM
# user policies) first with the reference deployKF policies, then with a policy that is wrong.
# Keys come from Kubernetes-style secret directories, as in a cluster.
set -uo pipefail
project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
env_file=$(bash "$project_root/scripts/local-s3.sh" env) || exit 1
# shellcheck disable=SC1090
source "$env_file"
secrets=$KFP_S3_LOCAL_SECRETS_DIR

run() { # expected exit code, what it shows, probe arguments...
  local expected=$1 what=$2
  shift 2
  # The command as it runs, endpoint and bucket included, so that it can be pasted (SECRETS=… as said at the end).
  local store=(--endpoint "$KFP_S3_LOCAL_ENDPOINT" --bucket "$KFP_S3_LOCAL_BUCKET")
  printf '\n=== %s\n$ kfp-s3-probe %s\n\n' "$what" "$(printf '%q ' "${store[@]}" "$@" | sed "s#$secrets#\$SECRETS#g")"
  "$project_root/bin/kfp-s3-probe" "${store[@]}" "$@"
  local code=$?
  echo "(exit $code, expected $expected)"
  [ "$code" -eq "$expected" ]
}

status=0
run 0 "The reference policies: the backend and two profiles in one run" \
  --identity "backend=$secrets/backend" --identity "team-1=$secrets/team-1" --identity "team-2=$secrets/team-2" || status=1

config=$(mktemp --suffix=.yaml)
trap 'rm -f "$config"' EXIT
cat >"$config" <<YAML
identities:
  - backend: true
    credentials: { dir: $secrets/backend }
  - profile: team-1
    credentials: { dir: $secrets/team-1 }
  - name: wrong-artifacts-wildcard
    profile: team-3
    credentials: { dir: $secrets/wrong-artifacts-wildcard }
YAML
run 1 "A profile whose policy grants artifacts/* instead of artifacts/team-3/*" --config "$config" || status=1

policies=$(mktemp -d)
trap 'rm -f "$config"; rm -rf "$policies"' EXIT
cp "$project_root/fixtures/policies/metrics-wildcard.json" "$policies/wrong-metrics-read.json"
metrics=(--profile team-7 --name wrong-metrics-read --credentials-dir "$secrets/wrong-metrics-read" --quiet)
run 0 "A profile that also reads every team's metrics/ (artifacts/*/metrics/*), on sample keys: no sample lies there" \
  "${metrics[@]}" || status=1
run 1 "The same with its policy in hand (--policy-dir): decided for all keys, the hidden grant is a LEAK" \
  "${metrics[@]}" --policy-dir "$policies" || status=1

echo
echo "The server keeps running: scripts/local-s3.sh stop ends it. More identities with wrong"
echo "policies are described in fixtures/local-identities.json; their keys are under $secrets"
echo "(to paste a command above: SECRETS=$secrets)."
exit $status
