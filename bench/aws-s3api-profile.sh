#!/usr/bin/env bash
# The checks the probe makes for the backend and one profile, as an operator would script them with
# the aws CLI: one `aws s3api` call per request. npm run bench times it beside the probe.
#   bench/aws-s3api-profile.sh ENDPOINT BUCKET BACKEND_SECRETS_DIR PROFILE_SECRETS_DIR PROFILE
# Each SECRETS_DIR holds AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY files. Prints the number of
# requests sent. Writes only under .kfp-s3-probe/aws-bench/ and deletes what it wrote.
set -u
endpoint=$1 bucket=$2 backend_dir=$3 profile_dir=$4 profile=$5
requests=0

s3api() { # DIR ARGS...: one request as the identity whose keys are in DIR; the answer is not needed
  local dir=$1
  shift
  requests=$((requests + 1))
  AWS_ACCESS_KEY_ID=$(cat "$dir/AWS_ACCESS_KEY_ID") AWS_SECRET_ACCESS_KEY=$(cat "$dir/AWS_SECRET_ACCESS_KEY") \
    AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url "$endpoint" s3api "$@" --bucket "$bucket" >/dev/null 2>&1 || true
}

prefix_checks() { # DIR PREFIX: list, write a canary, read it back, delete it
  local dir=$1 prefix=$2 key="$2.kfp-s3-probe/aws-bench/canary"
  s3api "$dir" list-objects-v2 --prefix "$prefix" --max-keys 20
  s3api "$dir" put-object --key "$key" --body "$0"
  s3api "$dir" head-object --key "$key"
  s3api "$dir" get-object --key "$key" /dev/null
  s3api "$dir" delete-object --key "$key"
}

identity_checks() { # DIR PREFIX...
  local dir=$1
  shift
  s3api "$dir" head-bucket
  s3api "$dir" get-bucket-location
  s3api "$dir" list-objects-v2 --max-keys 1
  for prefix in "$@"; do prefix_checks "$dir" "$prefix"; done
}

identity_checks "$backend_dir" pipelines/ artifacts/ v2/artifacts/
identity_checks "$profile_dir" "artifacts/$profile/" "v2/artifacts/$profile/" pipelines/ \
  artifacts/kfp-s3-probe-nobody/ v2/artifacts/kfp-s3-probe-nobody/ \
  "artifacts/${profile}0/" "v2/artifacts/${profile}0/" "artifacts/$profile-x/" "v2/artifacts/$profile-x/" \
  "artifacts/$profile" "v2/artifacts/$profile"
echo "$requests"
