#!/usr/bin/env bash
# bench.sh: the whole `codex-mcp-client -- mcp-server-everything` round trip
# (spawn, initialize, tools/list, print, stop and reap the server) against
# the server's own start-up time, measured in the same run as the time from
# spawning it to its tools/list answer, with the handshake written straight
# to its stdin and the process then killed (no client, no shutdown).
#
# Usage: ./bench.sh [RUNS]   (default 9; prints medians in ms and ratios)
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-9}

npmdir=testdata/npm
server=$npmdir/node_modules/.bin/mcp-server-everything
if [[ ! -x $server ]]; then
  (cd "$npmdir" && npm ci --no-audit --no-fund >/dev/null)
fi
server=$(cd "$(dirname "$server")" && pwd)/$(basename "$server")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOWORK=off CGO_ENABLED=0 go build -trimpath -o "$tmp/codex-mcp-client" ./cmd/codex-mcp-client
client=$tmp/codex-mcp-client

init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}'
inited='{"jsonrpc":"2.0","method":"notifications/initialized"}'
list='{"jsonrpc":"2.0","id":2,"method":"tools/list"}'

usec() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# The server alone: spawn, handshake, tools/list answer; then SIGKILL.
baseline_once() {
  local t0 t1 line
  t0=$(usec)
  coproc SRV { exec "$server" 2>/dev/null; }
  printf '%s\n%s\n%s\n' "$init" "$inited" "$list" >&"${SRV[1]}"
  while IFS= read -r line <&"${SRV[0]}"; do
    [[ $line == *'"id":2'* ]] && break
  done
  t1=$(usec)
  kill -9 "$SRV_PID" 2>/dev/null || true
  wait "$SRV_PID" 2>/dev/null || true
  echo $(((t1 - t0) / 1000))
}

client_once() {
  local t0 t1
  t0=$(usec)
  "$client" --server-stderr discard "$@" -- "$server" >/dev/null
  t1=$(usec)
  echo $(((t1 - t0) / 1000))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Interleaved, so a change in machine load hits all three alike.
: >"$tmp/base"; : >"$tmp/full"; : >"$tmp/fast"
for _ in $(seq "$runs"); do
  baseline_once >>"$tmp/base"
  client_once >>"$tmp/full"
  client_once --shutdown-grace 0 >>"$tmp/fast"
done
base=$(median <"$tmp/base")
full=$(median <"$tmp/full")
fast=$(median <"$tmp/fast")

printf 'runs: %d (medians)\n' "$runs"
printf '%-62s %6d ms\n' "server start-up alone (spawn -> tools/list answer)" "$base"
printf '%-62s %6d ms  x%s\n' "codex-mcp-client -- mcp-server-everything (default 500ms grace)" "$full" \
  "$(awk -v a="$full" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"
printf '%-62s %6d ms  x%s\n' "codex-mcp-client --shutdown-grace 0 -- mcp-server-everything" "$fast" \
  "$(awk -v a="$fast" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"
