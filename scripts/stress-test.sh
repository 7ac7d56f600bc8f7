#!/usr/bin/env bash
# stress-test.sh [MODULE[/PKG]...]: run the Go tests while every core is kept
# busy, several times and with several GOMAXPROCS, to find tests that depend
# on timing (a deadline that a loaded machine misses) or on one error text
# where several are correct (EOF versus "connection refused"). The project's
# tests must pass on a loaded 2-core machine; this is that machine, made on
# purpose.
#
#   LOAD=N     busy loops (`yes > /dev/null`) besides the tests (default: one per core)
#   COUNT=N    runs of each test (go test -count, default 3)
#   CPU=LIST   GOMAXPROCS values (go test -cpu, default 1,2)
#   RUN=REGEXP only the tests matching (go test -run)
#   TIMEOUT=D  per package (go test -timeout, default 30m)
#
# Without arguments it runs every module of go.work. Exit status: 0 when
# every package passed every run, 1 otherwise (the failing tests are listed).
set -euo pipefail
cd "$(dirname "$0")/.."
load=${LOAD:-$(nproc)}
count=${COUNT:-3}
cpu=${CPU:-1,2}
timeout=${TIMEOUT:-30m}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's|^[[:space:]]*\./\([^[:space:]]*\)$|\1|p' go.work)
fi

busy=()
stop_load() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_load EXIT
for _ in $(seq "$load"); do
  yes >/dev/null &
  busy+=($!)
done
echo "== $load busy loops on $(nproc) cores; go test -count=$count -cpu=$cpu${RUN:+ -run=$RUN}"

logs=$(mktemp -d)
status=0
for t in "${targets[@]}"; do
  mod=${t%%/*} pkg=./...
  [ "$t" != "$mod" ] && pkg=./${t#*/}
  [ -n "$(find "$mod" -name '*_test.go' -not -path '*/node_modules/*' -print -quit)" ] || continue
  log=$logs/${t//\//_}.log
  start=$(date +%s)
  if (cd "$mod" && go test -count="$count" -cpu="$cpu" -timeout="$timeout" ${RUN:+-run="$RUN"} "$pkg") >"$log" 2>&1; then
    echo "ok   $t ($(($(date +%s) - start))s)"
  else
    status=1
    echo "FAIL $t ($(($(date +%s) - start))s):"
    grep -E '^(--- FAIL|FAIL|panic:)' "$log" | sort | uniq -c | sed 's/^/     /'
  fi
done
echo "logs: $logs"
exit "$status"
