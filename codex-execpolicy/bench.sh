#!/usr/bin/env bash
# Whole-process speed of codex-execpolicy against a bare /bin/true
# baseline measured in the same run. Prints medians (ms), ratios, JSONL
# throughput and peak RSS. Usage: ./bench.sh [runs]   (default 30)
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Use the binary `make build` left in $BIN, else build one.
if [[ -n ${BIN:-} && -x $BIN/codex-execpolicy ]]; then
	bin="$BIN/codex-execpolicy"
else
	(cd "$here" && CGO_ENABLED=0 go build -o "$tmp/codex-execpolicy" ./cmd/codex-execpolicy)
	bin="$tmp/codex-execpolicy"
fi
export CODEX_HOME="$tmp/home"

# median_ms CMD...: median wall time of $runs runs, in milliseconds.
median_ms() {
	local i t0 t1 times=()
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 </dev/null || true
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f", m / 1000}'
}

# rss_mib CMD...: peak resident set of one run, MiB (GNU time); stdin is
# $rss_input (default /dev/null).
rss_mib() {
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null <"${rss_input:-/dev/null}" | tail -1 | awk '{printf "%.1f", $1 / 1024}'
	else
		echo "n/a"
	fi
}

# Inputs: a 10,000-rule policy, a 5,000-argument argv, 100k JSONL requests.
for ((i = 0; i < 10000; i++)); do
	printf 'prefix_rule(pattern=["tool%d", "sub%d"], decision="allow", justification="rule %d")\n' $((i % 97)) "$i" "$i"
done >"$tmp/big10000.rules"
mapfile -t many < <(for ((i = 0; i < 5000; i++)); do printf 'f%05d.txt\n' "$i"; done)
# The realistic mixed stream (testdata/bench/mixed.jsonl: everyday
# commands, scripts, wrappers, dangerous commands; gen.py) 50 times.
{
	for ((i = 0; i < 50; i++)); do
		cat "$here/testdata/bench/mixed.jsonl"
		echo
	done
} >"$tmp/stream100k.jsonl"

base=$(median_ms /bin/true)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a), runs per case: $runs"
printf '%-44s %10s %8s %9s\n' "case" "median ms" "x true" "RSS MiB"
row() {
	local name=$1
	shift
	local ms rss
	ms=$(median_ms "$@")
	rss=$(rss_mib "$@")
	printf '%-44s %10s %8s %9s\n' "$name" "$ms" "$(awk -v a="$ms" -v b="$base" 'BEGIN{printf "%.1f", (b > 0) ? a / b : 0}')" "$rss"
}
printf '%-44s %10s %8s %9s\n' "/bin/true (baseline)" "$base" "1.0" "$(rss_mib /bin/true)"
row "check -- git status" "$bin" check -- git status
row "check -- bash -lc 'ls && rm -rf /'" "$bin" check -- bash -lc 'ls && rm -rf /'
row "check --script (pipeline, heredoc)" "$bin" check --script $'cat <<EOF | wc -l\nhi\nEOF'
row "check -- cat + 5,000 args" "$bin" check -- cat "${many[@]}"
row "check --no-default --policy 10k rules" "$bin" check --no-default --policy "$tmp/big10000.rules" -- git status
row "check --format codex -r 10k rules" "$bin" check --format codex -r "$tmp/big10000.rules" -- tool3 sub3

# JSONL throughput over the mixed stream: best of 5 runs over 100k
# requests, with every core (the default) and with one worker.
jsonl() { # label, extra flags...
	local label=$1 best="" i t0 t1 ms lines
	shift
	for ((i = 0; i < 5; i++)); do
		t0=$(date +%s%N)
		"$bin" check --jsonl "$@" <"$tmp/stream100k.jsonl" >"$tmp/out.jsonl"
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
	done
	lines=$(wc -l <"$tmp/out.jsonl")
	awk -v l="$label" -v n="$lines" -v ms="$best" 'BEGIN{printf "jsonl %-12s %d verdicts in %d ms = %.0f decisions/s (best of 5)\n", l, n, ms, (ms > 0) ? n * 1000 / ms : 0}'
}
jsonl "all cores"
jsonl "1 worker" --workers 1
rss=$(rss_input="$tmp/stream100k.jsonl" rss_mib "$bin" check --jsonl)
echo "jsonl peak RSS: $rss MiB"
# CPU time is less sensitive to other load on the machine than wall time.
if [[ -x /usr/bin/time ]]; then
	cpu=$(/usr/bin/time -f '%U %S' "$bin" check --jsonl --workers 1 <"$tmp/stream100k.jsonl" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}')
	awk -v n="$(wc -l <"$tmp/out.jsonl")" -v s="$cpu" 'BEGIN{printf "jsonl cost: %.2f CPU-s for %d verdicts = %.0f decisions per CPU-second (goal: 100,000/s on 2 cores = 50,000 per CPU-second)\n", s, n, (s > 0) ? n / s : 0}'
fi
# Allocations per decision (in-process, GOGC off so nothing is freed).
(cd "$here" && go test -run '^$' -bench 'StreamMixed/workers=1$' -benchtime 5x . 2>/dev/null | awk '/allocs\/decision/{for (i = 1; i < NF; i++) if ($(i+1) == "allocs/decision") printf "jsonl allocations: %s per decision (BenchmarkStreamMixed)\n", $i}')
