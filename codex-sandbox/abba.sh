#!/usr/bin/env bash
# A/B of two commands in one benchtimer run, in ABBA order after bare
# /bin/true (bare, A, B, B, A, A, B, B, A), so that the slot a command
# runs in cancels out (the one right after bare is slower: the previous
# round's namespace teardown spills into it); prints each binary's mean
# of its four medians, as a ratio to bare and as the difference B - A.
# Compare binaries laid out alike (both rewritten by install(1): straight
# from the Go linker the same bytes start slower, see bench.sh).
# usage: codex-sandbox/abba.sh RUNS NAME_A 'COMMAND A' NAME_B 'COMMAND B'
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 RUNS NAME_A 'COMMAND A' NAME_B 'COMMAND B'" >&2; exit 2; }
runs=$1 a=$2 ca=$3 b=$4 cb=$5
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && GOWORK=off CGO_ENABLED=0 go build -o "$tmp/benchtimer" ./testdata/benchtimer)
echo "$(date -u +%T) $(uptime | sed 's/.*load/load/')"
"$tmp/benchtimer" "$runs" bare /bin/true "$a#1" "$ca" "$b#1" "$cb" "$b#2" "$cb" "$a#2" "$ca" \
  "$a#3" "$ca" "$b#3" "$cb" "$b#4" "$cb" "$a#4" "$ca" | tee "$tmp/out"
awk -v a="$a" -v b="$b" '
  $1 == "bare" { bare = $2 + 0 }
  index($1, a "#") == 1 { sa += $2 + 0; na++ }
  index($1, b "#") == 1 { sb += $2 + 0; nb++ }
  END { printf "mean of medians: %s %.3f ms (%.2fx)  %s %.3f ms (%.2fx)  %s - %s %+.3f ms\n",
        a, sa / na, sa / na / bare, b, sb / nb, sb / nb / bare, b, a, sb / nb - sa / na }' "$tmp/out"
echo "$(date -u +%T) $(uptime | sed 's/.*load/load/')"
