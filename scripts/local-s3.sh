#!/usr/bin/env bash
# A real, policy-enforcing S3 server on 127.0.0.1 for the tests and the demo: Ceph RGW from
# Debian's packages (one monitor, one memstore OSD, radosgw), provisioned with the KFP bucket,
# one user per identity in fixtures/local-identities.json and their IAM user policies.
#
#   scripts/local-s3.sh start    install packages if missing, boot, provision (no-op if running)
#   scripts/local-s3.sh stop     stop the daemons this script started (by recorded PID), remove state
#   scripts/local-s3.sh status   exit 0 if running
#   scripts/local-s3.sh env      print the path of the env file (endpoint, bucket, admin keys)
#
# State lives in $KFP_S3_LOCAL_DIR (default: .local-s3 in the project root).
set -euo pipefail

project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state_dir=${KFP_S3_LOCAL_DIR:-$project_root/.local-s3}
conf=$state_dir/ceph.conf
bucket=kubeflow-pipelines

say() { printf 'local-s3: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

is_running() {
  [ -f "$state_dir/ready" ] || return 1
  local name
  for name in mon osd rgw; do
    pid_alive "$(cat "$state_dir/pids/$name" 2>/dev/null)" || return 1
  done
}

install_packages() {
  local missing=()
  command -v ceph-mon >/dev/null || missing+=(ceph-mon)
  command -v ceph-osd >/dev/null || missing+=(ceph-osd)
  command -v radosgw >/dev/null || missing+=(radosgw)
  { command -v ceph >/dev/null && command -v radosgw-admin >/dev/null && command -v monmaptool >/dev/null; } || missing+=(ceph-common)
  command -v uuidgen >/dev/null || missing+=(uuid-runtime)
  command -v openssl >/dev/null || missing+=(openssl) # the TLS tests make a throwaway certificate
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "Debian packages missing (${missing[*]}); install them as root: apt-get install -y ${missing[*]}"
  say "installing Debian packages: ${missing[*]} (about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

random_token() { # length, alphabet
  LC_ALL=C tr -dc "$2" </dev/urandom | head -c "$1" || true
}

wait_for() { # seconds, description, command...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out waiting for $what (logs: $state_dir/log)"
    sleep 0.2
  done
}

start_daemon() { # name, command...
  local name=$1
  shift
  "$@" >"$state_dir/log/$name.stdout" 2>&1 &
  echo $! >"$state_dir/pids/$name"
}

boot() {
  rm -rf "$state_dir"
  mkdir -p "$state_dir"/{run,log,mon,osd,rgw,pids}
  local fsid mon_port rgw_port
  fsid=$(uuidgen)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms bind ipv6 = false
run dir = $state_dir/run
admin socket = $state_dir/run/\$name.asok
log file = $state_dir/log/\$name.log
pid file = $state_dir/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
[mon]
mon data = $state_dir/mon/\$id
[osd]
osd data = $state_dir/osd/\$id
osd objectstore = memstore
# RAM, used only as it fills: room for hundreds of multipart runs (5 MiB each) between collections.
memstore device bytes = 4294967296
[client.rgw.a]
# tcp_nodelay: without it every answer with a body on a kept-alive connection waits ~44 ms
# (Nagle against the client's delayed ACK), and tests and bench measure that stall.
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
ms mon client mode = crc
rgw data = $state_dir/rgw
# Deleted data is freed by RGW's garbage collector, by default 2 hours later: every 30 s here, so
# that long test sessions (fault runs, multipart uploads) do not fill the store.
rgw gc obj min wait = 30
rgw gc processor period = 30
rgw gc processor max time = 30
EOF
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$state_dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$state_dir/monmap" >/dev/null 2>&1 || die "ceph-mon --mkfs failed"
  start_daemon mon ceph-mon -c "$conf" -i a -f
  ceph -c "$conf" --connect-timeout 30 -s >/dev/null || die "the monitor did not answer (log: $state_dir/log/mon.a.log)"

  local osd_uuid osd_id
  osd_uuid=$(uuidgen)
  osd_id=$(ceph -c "$conf" osd new "$osd_uuid")
  mkdir -p "$state_dir/osd/$osd_id"
  ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1 || die "ceph-osd --mkfs failed"
  start_daemon osd ceph-osd -c "$conf" -i "$osd_id" -f
  wait_for 60 "osd.$osd_id up" bash -c "ceph -c '$conf' osd dump | grep -q '^osd.$osd_id up'"

  start_daemon rgw radosgw -c "$conf" -n client.rgw.a -f
  echo "http://127.0.0.1:$rgw_port" >"$state_dir/endpoint"
  wait_for 60 "radosgw on port $rgw_port" node -e "
    fetch('http://127.0.0.1:$rgw_port/').then(() => process.exit(0), () => process.exit(1));"
}

create_users() {
  local admin_key admin_secret
  admin_key=$(random_token 20 'A-Z0-9')
  admin_secret=$(random_token 40 'A-Za-z0-9')
  radosgw-admin -c "$conf" user create --uid=admin --display-name=admin \
    --access-key="$admin_key" --secret-key="$admin_secret" \
    --caps="users=*;buckets=*;metadata=*;usage=*;user-policy=*;roles=*" >/dev/null
  local endpoint
  endpoint=$(cat "$state_dir/endpoint")
  umask 077
  cat >"$state_dir/env" <<EOF
KFP_S3_LOCAL_ENDPOINT=$endpoint
KFP_S3_LOCAL_BUCKET=$bucket
KFP_S3_LOCAL_REGION=us-east-1
KFP_S3_LOCAL_ADMIN_ACCESS_KEY_ID=$admin_key
KFP_S3_LOCAL_ADMIN_SECRET_ACCESS_KEY=$admin_secret
KFP_S3_LOCAL_SECRETS_DIR=$state_dir/secrets
EOF
  local identity key secret
  for identity in $(node -e '
      const ids = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).identities;
      console.log(ids.map((i) => i.name).join(" "));' "$project_root/fixtures/local-identities.json"); do
    key=$(random_token 20 'A-Z0-9')
    secret=$(random_token 40 'A-Za-z0-9')
    radosgw-admin -c "$conf" user create --uid="$identity" --display-name="$identity" \
      --access-key="$key" --secret-key="$secret" >/dev/null
    mkdir -p "$state_dir/secrets/$identity"
    printf '%s' "$key" >"$state_dir/secrets/$identity/AWS_ACCESS_KEY_ID"
    printf '%s' "$secret" >"$state_dir/secrets/$identity/AWS_SECRET_ACCESS_KEY"
  done
}

start() {
  if is_running; then
    say "already running at $(cat "$state_dir/endpoint") (state: $state_dir)"
    return 0
  fi
  [ -d "$state_dir" ] && stop_daemons
  install_packages
  local started=$SECONDS
  boot
  create_users
  [ -f "$project_root/dist/scripts/provision-local-s3.js" ] || die "not built: run npm run build first"
  node "$project_root/dist/scripts/provision-local-s3.js" "$state_dir/env" "$project_root" >&2 \
    || die "provisioning the bucket and policies failed"
  touch "$state_dir/ready"
  say "running at $(cat "$state_dir/endpoint"), booted and provisioned in $((SECONDS - started)) s"
  say "settings: $state_dir/env; one secret directory per identity under $state_dir/secrets/"
}

stop_daemons() {
  local name pid
  for name in rgw osd mon; do
    pid=$(cat "$state_dir/pids/$name" 2>/dev/null || true)
    if pid_alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
      pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  return 0
}

stop() {
  [ -d "$state_dir" ] || { say "not running"; return 0; }
  stop_daemons
  rm -rf "$state_dir"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) is_running && say "running at $(cat "$state_dir/endpoint")" || { say "not running"; exit 1; } ;;
  env) is_running || die "not running: scripts/local-s3.sh start"; echo "$state_dir/env" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
