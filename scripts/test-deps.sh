#!/usr/bin/env bash
# test-deps.sh: installs what the tests need, so that `make test` passes on a
# fresh clone with nothing else done. Debian packages are installed only when
# their command is missing (a machine may already have Node.js from elsewhere,
# whose npm the Debian package would conflict with); npm packages are
# installed with `npm ci` into every */testdata/npm*/ folder that has a lock
# file, again only when the lock changed since the last install.
#
# Exit status: 0 when everything is there, 1 when something could not be
# installed (the message says what to install by hand).
set -euo pipefail
cd "$(dirname "$0")/.."

# command:package. tmux drives the TUI end to end, gcc gives -race, chromium
# opens the login success page headless, node and npm run the MCP servers and
# SDKs, python3 runs the protocol clients, GNU time measures peak RSS, jq
# runs the READMEs' examples (make first-hour).
need=(tmux:tmux gcc:gcc make:make git:git chromium:chromium node:nodejs npm:npm python3:python3 /usr/bin/time:time jq:jq)
missing=()
for pair in "${need[@]}"; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "make test: missing ${missing[*]}: install them (Debian: sudo apt-get install ${missing[*]}) and run make test again" >&2
    exit 1
  fi
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates "${missing[@]}" >/dev/null
fi

for lock in */testdata/npm*/package-lock.json; do
  [ -f "$lock" ] || continue
  d=$(dirname "$lock")
  stamp=$d/node_modules/.codexgo-lock.sha256
  sum=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    continue
  fi
  echo "== npm ci in $d"
  if ! (cd "$d" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "make test: npm ci failed in $d: check the network and the npm registry, then run make test again" >&2
    exit 1
  fi
  echo "$sum" >"$stamp"
done
