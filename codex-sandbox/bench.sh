#!/usr/bin/env bash
# Whole-process speed of codex-sandbox and codex-linux-sandbox, as medians
# and ratios against bare /bin/true measured in the same run.
# usage: codex-sandbox/bench.sh [RUNS]   (default 300)
set -euo pipefail
runs=${1:-300}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GOWORK=off CGO_ENABLED=0
(cd "$here" && go build -trimpath -ldflags='-s -w' -o "$tmp/codex-sandbox" ./cmd/codex-sandbox \
  && go build -o "$tmp/benchtimer" ./testdata/benchtimer)
# The floor for any Go helper on this machine: a static Go binary that
# only execs its argument.
mkdir -p "$tmp/hop"
cat > "$tmp/hop/main.go" <<'GO'
package main

import (
	"os"
	"syscall"
)

func main() { _ = syscall.Exec(os.Args[1], os.Args[1:], os.Environ()) }
GO
printf 'module hop\ngo 1.24\n' > "$tmp/hop/go.mod"
(cd "$tmp/hop" && go build -trimpath -ldflags='-s -w' -o "$tmp/gohop" .)
(cd "$here/../codex-linux-sandbox" && go build -trimpath -ldflags='-s -w' -o "$tmp/codex-linux-sandbox" ./cmd/codex-linux-sandbox)

ws=$tmp/ws
mkdir -p "$ws/.git" "$tmp/roots"
roots=""
for i in $(seq 1 100); do mkdir -p "$tmp/roots/r$i"; roots="$roots\"$tmp/roots/r$i\","; done
ro='{"mode":"read-only"}'
ww='{"mode":"workspace-write"}'
ww100="{\"mode\":\"workspace-write\",\"writable_roots\":[${roots%,}]}"
ww1="{\"mode\":\"workspace-write\",\"writable_roots\":[\"$tmp/roots/r1\"]}"
cd "$ws"
h=$tmp/codex-linux-sandbox
echo "runs: $runs per command, interleaved; $(nproc) cores; kernel $(uname -r); uid $(id -u)"
"$tmp/benchtimer" "$runs" \
  "bare /bin/true" "/bin/true" \
  "Go exec hop, no sandbox (floor)" "$tmp/gohop /bin/true" \
  "helper read-only" "$h --sandbox-policy-cwd $ws --sandbox-policy $ro -- /bin/true" \
  "helper workspace-write" "$h --sandbox-policy-cwd $ws --sandbox-policy $ww -- /bin/true" \
  "helper workspace-write, GOMAXPROCS=1" "/usr/bin/env GOMAXPROCS=1 CODEX_SANDBOX_GOMAXPROCS_ORIG=unset $h --sandbox-policy-cwd $ws --sandbox-policy $ww -- /bin/true" \
  "  (same env hop, default GOMAXPROCS)" "/usr/bin/env CODEX_BENCH=1 $h --sandbox-policy-cwd $ws --sandbox-policy $ww -- /bin/true" \
  "helper workspace-write, 1 extra root" "$h --sandbox-policy-cwd $ws --sandbox-policy $ww1 -- /bin/true" \
  "helper workspace-write, 100 roots" "$h --sandbox-policy-cwd $ws --sandbox-policy $ww100 -- /bin/true" \
  "codex-sandbox read-only" "$tmp/codex-sandbox -- /bin/true" \
  "codex-sandbox workspace-write" "$tmp/codex-sandbox --sandbox workspace-write -- /bin/true" \
  "codex-sandbox danger-full-access" "$tmp/codex-sandbox --sandbox danger-full-access -- /bin/true"
echo
echo "stripped static binaries: codex-linux-sandbox $(stat -c %s "$h") bytes," \
  "codex-sandbox $(stat -c %s "$tmp/codex-sandbox") bytes"
if [ -x /usr/bin/time ]; then
  # Peak RSS of the whole tree (wait4 folds in waited-for descendants);
  # median of 5.
  rss() {
    for _ in 1 2 3 4 5; do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p
  }
  echo "peak RSS, median of 5 (/usr/bin/time -f %M):"
  echo "  bare /bin/true                    $(rss /bin/true) KiB"
  echo "  helper workspace-write            $(rss "$h" --sandbox-policy-cwd "$ws" --sandbox-policy "$ww" -- /bin/true) KiB"
  echo "  codex-sandbox workspace-write     $(rss "$tmp/codex-sandbox" --sandbox workspace-write -- /bin/true) KiB"
else
  echo "peak RSS: /usr/bin/time not installed (apt-get install time)"
fi
