#!/usr/bin/env bash
# Headless Chromium for the HTML report's browser test (test/integration/html-report.test.ts) and
# the bench: Debian's package, installed when missing (as root, as on CI); playwright-core drives
# it at /usr/bin/chromium and never downloads a browser of its own.
#
#   scripts/chromium.sh          install if missing, print the browser's path
set -euo pipefail

say() { printf 'chromium: %s\n' "$*" >&2; }

browser=${KFP_S3_PROBE_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$browser" ]; then
  [ "$(id -u)" -eq 0 ] || { say "error: $browser missing; install it as root: apt-get install -y chromium"; exit 1; }
  say "installing Debian's chromium (a minute or two)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || { say "error: apt-get update failed"; exit 1; }
  apt-get install -y -qq chromium >&2 || { say "error: apt-get install chromium failed"; exit 1; }
fi
"$browser" --version >&2
printf '%s\n' "$browser"
