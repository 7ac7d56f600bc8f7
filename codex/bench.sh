#!/usr/bin/env bash
# Start-up cost of the fused binary: each tool run through a link named
# after it (bin/codex dispatching on argv[0]) against its standalone
# binary, measured alternately in the same invocation; the goal is a ratio
# <= 1.1 (bar 1.25), `codex --version` <= 3 ms. Prints medians (ms), the
# ratio, peak RSS and the package initialisers' allocations.
# Usage: BIN=path/to/bin ./bench.sh [runs]   (default 40)
set -euo pipefail
runs=${1:-40}
here=$(cd "$(dirname "$0")" && pwd)
: "${BIN:=$here/../bin}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CODEX_HOME="$tmp/home"
mkdir -p "$CODEX_HOME"
for t in codex-sandbox codex-execpolicy codex-login codex-mcp-client codex-agent codex-tui codex-linux-sandbox; do
	ln -s "$BIN/codex" "$tmp/$t"
done

# one CMD...: wall time of one run in microseconds.
one() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 </dev/null || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f", m / 1000}'; }
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null </dev/null | tail -1 | awk '{printf "%.1f", $1 / 1024}'; }

# CPU time and page faults (perf stat, when it works here): steadier
# than wall medians on a shared machine.
perfok=0
if command -v perf >/dev/null && perf stat -x, -e task-clock,page-faults true >/dev/null 2>&1; then perfok=1; fi
# pstat CMD...: "CPU-ms faults", mean of $runs runs.
pstat() {
	{ perf stat -x, -e task-clock,page-faults -r "$runs" "$@" 2>&1 >/dev/null </dev/null || true; } |
		awk -F, '$3 ~ /task-clock/ {c = $1} $3 ~ /page-faults/ {p = $1} END {printf "%.2f %d", c, p}'
}
# cpurow NAME ALONE-CMD... :: LINKED-CMD...: one line of CPU time and faults.
cpurow() {
	local name=$1 a b
	shift
	local -a alone=() linked=()
	while [[ $1 != :: ]]; do alone+=("$1"); shift; done
	shift
	linked=("$@")
	a=$(pstat "${alone[@]}")
	b=$(pstat "${linked[@]}")
	awk -v n="$name" -v a="$a" -v b="$b" 'BEGIN{split(a, x, " "); split(b, y, " "); printf "  %-50s CPU %6.2f -> %6.2f ms (%.2f), page faults %d -> %d\n", n, x[1], y[1], (x[1] > 0) ? y[1] / x[1] : 0, x[2], y[2]}'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), runs per case: $runs (standalone and linked alternate)"
printf '%-52s %10s %10s %7s %9s %9s\n' case "alone ms" "linked ms" ratio "alone MiB" "link MiB"
# pair NAME TOOL ARGS...: the standalone tool and the link, alternately.
pair() {
	local name=$1 tool=$2 i
	shift 2
	: >"$tmp/a"
	: >"$tmp/b"
	for ((i = 0; i < runs; i++)); do
		one "$BIN/$tool" "$@" >>"$tmp/a"
		one "$tmp/$tool" "$@" >>"$tmp/b"
	done
	local a b
	a=$(median <"$tmp/a")
	b=$(median <"$tmp/b")
	printf '%-52s %10s %10s %7s %9s %9s\n' "$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", (a > 0) ? b / a : 0}')" \
		"$(rss "$BIN/$tool" "$@")" "$(rss "$tmp/$tool" "$@")"
	if ((perfok)); then cpurow "(perf stat: standalone -> linked)" "$BIN/$tool" "$@" :: "$tmp/$tool" "$@"; fi
}
pair "codex-sandbox --sandbox workspace-write -- /bin/true" codex-sandbox --sandbox workspace-write -- /bin/true
# The same from a directory holding only the fused file and its links
# (the `make dist` layout, where selfexec re-executes the fused file),
# against the standalone tools. As root codex-sandbox starts no helper
# (it sets the sandbox up itself), so when run as root this row runs both
# sides as uid 65534, where codex-sandbox re-executes the helper: an
# ordinary user's path, two starts of the fused file.
mkdir -p "$tmp/only"
cp "$BIN/codex" "$tmp/only/codex"
ln -s codex "$tmp/only/codex-sandbox"
ln -s codex "$tmp/only/codex-linux-sandbox"
as=()
label="the same, fused file alone"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as=(setpriv --reuid 65534 --regid 65534 --clear-groups)
	chmod 755 "$tmp" "$tmp/only"
	label="the same as uid 65534 (+ helper), fused file alone"
fi
: >"$tmp/a"
: >"$tmp/b"
for ((i = 0; i < runs; i++)); do
	one "${as[@]}" "$BIN/codex-sandbox" --sandbox workspace-write -- /bin/true >>"$tmp/a"
	one "${as[@]}" "$tmp/only/codex-sandbox" --sandbox workspace-write -- /bin/true >>"$tmp/b"
done
a=$(median <"$tmp/a")
b=$(median <"$tmp/b")
printf '%-52s %10s %10s %7s\n' "$label" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", (a > 0) ? b / a : 0}')"
if ((perfok)); then
	cpurow "(perf stat: standalone -> fused file alone)" "${as[@]}" "$BIN/codex-sandbox" --sandbox workspace-write -- /bin/true :: \
		"${as[@]}" "$tmp/only/codex-sandbox" --sandbox workspace-write -- /bin/true
fi
pair "codex-execpolicy check -- git status" codex-execpolicy check -- git status
pair "codex-login status" codex-login status
pair "codex-mcp-client --help" codex-mcp-client --help
pair "codex-agent --help" codex-agent --help
pair "codex-tui --version" codex-tui --version
: >"$tmp/a"
: >"$tmp/b"
for ((i = 0; i < runs; i++)); do
	one /bin/true >>"$tmp/a"
	one "$BIN/codex" --version >>"$tmp/b"
done
a=$(median <"$tmp/a")
b=$(median <"$tmp/b")
printf '%-52s %10s %10s %7s\n' "codex --version against /bin/true (goal <= 3 ms)" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", (a > 0) ? b / a : 0}')"
if ((perfok)); then
	cpurow "(perf stat: /bin/true -> codex --version)" /bin/true :: "$BIN/codex" --version
	{ perf stat -r "$runs" "$BIN/codex" --version 2>&1 >/dev/null || true; } | awk '/elapsed/{printf "  codex --version wall (perf stat, no shell or date in the loop): %.2f ms\n", $1 * 1000}'
	# The floor: a static Go program that prints one line.
	mkdir -p "$tmp/hello"
	printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' >"$tmp/hello/main.go"
	if (cd "$tmp/hello" && printf 'module hello\n' >go.mod && GOWORK=off CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o hello . 2>/dev/null); then
		cpurow "(perf stat: Go hello world -> codex --version)" "$tmp/hello/hello" :: "$BIN/codex" --version
		{ perf stat -r "$runs" "$tmp/hello/hello" 2>&1 >/dev/null || true; } | awk '/elapsed/{printf "  Go hello world wall (perf stat): %.2f ms\n", $1 * 1000}'
	fi
fi
# inits LABEL CMD...: the package initialisers that run before CMD's
# code does (GODEBUG=inittrace=1). codex --help runs after all of them;
# codexversion answers --version and package early runs the light tools
# (and codex-login status) before most (codex/internal/early).
inits() {
	local label=$1
	shift
	GODEBUG=inittrace=1 "$@" 2>&1 >/dev/null </dev/null |
		awk -v l="$label" '/^init/{n++; a+=$(NF-1); b+=$(NF-3)} END{printf "  %-44s %3d packages, %4d allocations, %4.0f KiB\n", l, n, a, b / 1024}'
}
echo "package initialisers run:"
inits "codex --help (all)" "$BIN/codex" --help
inits "codex --version" "$BIN/codex" --version
inits "codex-execpolicy check -- git status (link)" "$tmp/codex-execpolicy" check -- git status
inits "codex-sandbox ... -- /bin/true (link)" "$tmp/codex-sandbox" --sandbox workspace-write -- /bin/true
inits "codex-login status (link)" "$tmp/codex-login" status
inits "codex-execpolicy (standalone)" "$BIN/codex-execpolicy" check -- git status
