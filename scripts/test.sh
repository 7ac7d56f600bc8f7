#!/usr/bin/env bash
# test.sh: what `make test` runs. Installs what the tests need
# (scripts/test-deps.sh), vets and tests every module in the workspace (a
# failing module does not stop the others), then builds, vets and tests each
# module alone (GOWORK=off, so that every go.mod is complete), and ends with a
# summary: packages ok and failed, tests passed, failed and skipped.
#
# Environment: MODULES (the modules to test, from the Makefile), GO,
# TESTFLAGS (extra `go test` flags), TEST_LOG_DIR (where the per-module -v
# logs go; a new temporary folder by default).
# Exit status: 0 when every module passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TESTFLAGS=${TESTFLAGS:-}
read -r -a modules <<<"${MODULES:?MODULES is set by the Makefile}"
logdir=${TEST_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/codexgo-test.XXXXXX")}
mkdir -p "$logdir/workspace" "$logdir/alone"

bash scripts/test-deps.sh || exit 1

race=
if CGO_ENABLED=1 $GO env CC >/dev/null 2>&1 && command -v gcc >/dev/null; then race=-race; fi

status=0
failed_modules=()
# run MODULE LOG ENV...: vet and test one module (with the flags in testargs)
# into LOG and print its package lines; on failure, the failing parts too.
run() {
  local m=$1 log=$2; shift 2
  if (cd "$m" && env "$@" $GO vet ./... && env "$@" $GO test "${testargs[@]}" ./...) >"$log" 2>&1; then
    grep -E '^(ok |FAIL)' "$log" || true
  else
    status=1
    failed_modules+=("$log")
    grep -E '^(ok |FAIL)' "$log" || true
    echo "-- $m failed; the failing parts of $log:" >&2
    if grep -qE '^(--- FAIL|FAIL|panic:)' "$log"; then
      grep -E -B2 -A25 '^(--- FAIL|FAIL|panic:)' "$log" | head -300 >&2
    else
      tail -60 "$log" >&2 # a vet or build error
    fi
  fi
}

for m in "${modules[@]}"; do
  echo "== $m"
  testargs=($race -count=1 -v $TESTFLAGS)
  run "$m" "$logdir/workspace/$m.log" GOWORK=
done
for m in "${modules[@]}"; do
  echo "== $m (GOWORK=off)"
  testargs=(-count=1 $TESTFLAGS)
  run "$m" "$logdir/alone/$m.log" GOWORK=off
done

# count PATTERN LOG...: lines matching PATTERN in the logs.
count() { local p=$1; shift; cat "$@" | grep -cE -- "$p" || true; }
pkg_ok=$(count '^ok ' "$logdir"/*/*.log)
pkg_fail=$(count '^FAIL[[:space:]]' "$logdir"/*/*.log)
# Tests are counted in the workspace pass only (the GOWORK=off pass runs the same ones).
passed=$(count '--- PASS' "$logdir"/workspace/*.log)
tfailed=$(count '--- FAIL' "$logdir"/workspace/*.log)
skipped=$(count '--- SKIP' "$logdir"/workspace/*.log)
echo "== summary: packages $pkg_ok ok, $pkg_fail failed; tests $passed passed, $tfailed failed, $skipped skipped (logs in $logdir)"
if [ ${#failed_modules[@]} -gt 0 ]; then
  printf 'failed (see the log): %s\n' "${failed_modules[@]}" >&2
fi
exit "$status"
