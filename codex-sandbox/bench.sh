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
  && go build -o "$tmp/benchtimer" ./testdata/benchtimer \
  && go build -trimpath -ldflags='-s -w' -o "$tmp/apibench" ./testdata/apibench)
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
# The floor for any Go supervisor: a static Go binary that only starts
# its argument and waits for it.
mkdir -p "$tmp/spawn"
cat > "$tmp/spawn/main.go" <<'GO'
package main

import (
	"os"
	"syscall"
)

func main() {
	pid, err := syscall.ForkExec(os.Args[1], os.Args[1:], &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}})
	if err != nil {
		os.Exit(127)
	}
	var ws syscall.WaitStatus
	_, _ = syscall.Wait4(pid, &ws, 0, nil)
	os.Exit(ws.ExitStatus())
}
GO
printf 'module spawn\ngo 1.24\n' > "$tmp/spawn/go.mod"
(cd "$tmp/spawn" && go build -trimpath -ldflags='-s -w' -o "$tmp/gospawn" .)
# The kernel's floor for the mount namespace that keeps every mount but
# the writable roots read-only (what blocks chmod outside the roots): a
# static Go binary that, as the helper does, unshares a mount namespace,
# clones each directory it is given, makes every mount read-only, mounts
# the clones back and execs. The namespace is torn down when the command
# exits, which the parent's wait includes. Root only.
mkdir -p "$tmp/mounts"
cat > "$tmp/mounts/main.go" <<'GO'
package main

import (
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

func main() {
	runtime.LockOSThread()
	var dirs []string
	i := 1
	for ; os.Args[i] != "--"; i++ {
		dirs = append(dirs, os.Args[i])
	}
	argv := os.Args[i+1:]
	must := func(_, _ uintptr, e syscall.Errno) {
		if e != 0 {
			println("mountfloor:", e.Error())
			os.Exit(125)
		}
	}
	if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
		os.Exit(125)
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		os.Exit(125)
	}
	at := func(s string) uintptr { p, _ := syscall.BytePtrFromString(s); return uintptr(unsafe.Pointer(p)) }
	const openTree, moveMount, mountSetattr = 428, 429, 442
	fds := make([]uintptr, len(dirs))
	for k, d := range dirs {
		fd, _, e := syscall.RawSyscall(openTree, ^uintptr(99), at(d), 1|syscall.O_CLOEXEC|0x8000)
		must(0, 0, e)
		fds[k] = fd
	}
	attr := [4]uint64{1, 0, 0, 0}
	must(syscall.RawSyscall6(mountSetattr, ^uintptr(99), at("/"), 0x8000, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0))
	for k, d := range dirs {
		must(syscall.RawSyscall6(moveMount, fds[k], at(""), ^uintptr(99), at(d), 4, 0))
	}
	_ = syscall.Exec(argv[0], argv, os.Environ())
	os.Exit(127)
}
GO
printf 'module mountfloor\ngo 1.24\n' > "$tmp/mounts/go.mod"
(cd "$tmp/mounts" && go build -trimpath -ldflags='-s -w' -o "$tmp/mountfloor" .)
# The floor for a helper in any language: a static C binary that only
# execs (when a C compiler is installed).
chop=()
if command -v cc >/dev/null && printf '#include <unistd.h>\nextern char **environ;\nint main(int c, char **v) { execve(v[1], v + 1, environ); return 127; }\n' > "$tmp/hop.c" \
  && cc -O2 -static -o "$tmp/chop" "$tmp/hop.c" 2>/dev/null; then
  chop=("static C binary that only execs (floor for any helper)" "$tmp/chop /bin/true"
    "Go fork+exec+wait of a C exec hop (floor: supervisor + init, as root)" "$tmp/gospawn $tmp/chop /bin/true")
fi
(cd "$here/../codex-linux-sandbox" && go build -trimpath -ldflags='-s -w' -o "$tmp/codex-linux-sandbox" ./cmd/codex-linux-sandbox)

# Every binary as `make install` leaves it (install(1) writes it anew):
# a file the Go linker has just written is in the page cache in small
# pieces, and each start then takes more and dearer page faults (here
# 0.27 ms more for the Go supervisor + hop floor and 0.66 ms more for
# codex-sandbox ww than the same bytes copied, ABBA-interleaved), which
# no installed binary pays.
for f in "$tmp"/codex-sandbox "$tmp"/codex-linux-sandbox "$tmp"/apibench "$tmp"/gohop "$tmp"/gospawn "$tmp"/mountfloor "$tmp"/chop; do
  [ -f "$f" ] || continue
  install -m 0755 "$f" "$f.installed" && mv "$f.installed" "$f"
done
ws=$tmp/ws
mkdir -p "$ws/.git" "$tmp/roots"
roots=""
adddirs=""
rootdirs=""
for i in $(seq 1 100); do
  mkdir -p "$tmp/roots/r$i"
  roots="$roots\"$tmp/roots/r$i\","
  adddirs="$adddirs --add-dir $tmp/roots/r$i"
  rootdirs="$rootdirs $tmp/roots/r$i"
done
ro='{"mode":"read-only"}'
ww='{"mode":"workspace-write"}'
ww100="{\"mode\":\"workspace-write\",\"writable_roots\":[${roots%,}]}"
# /tmp excluded: then the 100 roots (all under mktemp's /tmp) are not
# nested in another writable root, the worst case.
wwx='{"mode":"workspace-write","exclude_slash_tmp":true,"exclude_tmpdir_env_var":true}'
wwx100="{\"mode\":\"workspace-write\",\"exclude_slash_tmp\":true,\"exclude_tmpdir_env_var\":true,\"writable_roots\":[${roots%,}]}"
cd "$ws"
h=$tmp/codex-linux-sandbox
s=$tmp/codex-sandbox
fused=()
if [ -n "${BIN:-}" ] && [ -x "$BIN/codex" ]; then
  # The fused binary, re-executed under the tools' names as the agent does.
  mkdir -p "$tmp/fused"
  ln -sf "$BIN/codex" "$tmp/fused/codex-linux-sandbox"
  ln -sf "$BIN/codex" "$tmp/fused/codex-sandbox"
  fused=(
    "bin/codex as codex-linux-sandbox, ww" "$tmp/fused/codex-linux-sandbox --sandbox-policy-cwd $ws --sandbox-policy $ww -- /bin/true"
    "bin/codex as codex-sandbox, ww" "$tmp/fused/codex-sandbox --sandbox workspace-write -- /bin/true"
  )
fi
mountfloor=()
if [ "$(id -u)" = 0 ]; then
  mountfloor=(
    "mount namespace, read-only, no roots (kernel floor)" "$tmp/mountfloor -- /bin/true"
    "mount namespace, read-only, 100 root mounts (kernel floor)" "$tmp/mountfloor $rootdirs -- /bin/true"
  )
fi
echo "runs: $runs per command, interleaved; $(nproc) cores; kernel $(uname -r); uid $(id -u)"
tsv=$tmp/medians.tsv
BENCHTIMER_TSV=$tsv "$tmp/benchtimer" "$runs" \
  "bare /bin/true" "/bin/true" \
  "Go exec hop, no sandbox (floor)" "$tmp/gohop /bin/true" \
  "helper read-only" "$h --sandbox-policy-cwd $ws --sandbox-policy $ro -- /bin/true" \
  "helper ww" "$h --sandbox-policy-cwd $ws --sandbox-policy $ww -- /bin/true" \
  "helper ww, GOMAXPROCS=1 (as codex-sandbox starts it)" "/usr/bin/env GOMAXPROCS=1 CODEX_SANDBOX_GOMAXPROCS_ORIG=unset $h --sandbox-policy-cwd $ws --sandbox-policy $ww -- /bin/true" \
  "  (same env hop, default GOMAXPROCS)" "/usr/bin/env CODEX_BENCH=1 $h --sandbox-policy-cwd $ws --sandbox-policy $ww -- /bin/true" \
  "helper ww + 100 roots inside /tmp" "$h --sandbox-policy-cwd $ws --sandbox-policy $ww100 -- /bin/true" \
  "helper ww, /tmp excluded" "$h --sandbox-policy-cwd $ws --sandbox-policy $wwx -- /bin/true" \
  "helper ww, /tmp excluded, + 100 roots" "$h --sandbox-policy-cwd $ws --sandbox-policy $wwx100 -- /bin/true" \
  "Go fork+exec+wait, no sandbox (floor)" "$tmp/gospawn /bin/true" \
  "Go fork+exec+wait of a Go exec hop (floor: supervisor + helper)" "$tmp/gospawn $tmp/gohop /bin/true" \
  "codex-sandbox read-only" "$s -- /bin/true" \
  "codex-sandbox ww" "$s --sandbox workspace-write -- /bin/true" \
  "codex-sandbox ww, through env(1)" "/usr/bin/env CODEX_BENCH=1 $s --sandbox workspace-write -- /bin/true" \
  "codex-sandbox ww, through env(1), helper process" "/usr/bin/env CODEX_SANDBOX_HELPER=1 $s --sandbox workspace-write -- /bin/true" \
  "codex-sandbox danger-full-access" "$s --sandbox danger-full-access -- /bin/true" \
  "codex-sandbox ww + 100 --add-dir inside /tmp" "$s --sandbox workspace-write $adddirs -- /bin/true" \
  "codex-sandbox ww, /tmp excluded" "$s --sandbox-policy $wwx -- /bin/true" \
  "codex-sandbox ww, /tmp excluded, + 100 --add-dir" "$s --sandbox-policy $wwx $adddirs -- /bin/true" \
  "${fused[@]}" "${chop[@]}" "${mountfloor[@]}"
med() { awk -F'\t' -v n="$1" '$1 == n { print $2 }' "$tsv"; }
goal() { # name, measured ms, limit ms
  awk -v n="$1" -v m="$2" -v l="$3" 'BEGIN { printf "  %-58s %7.3f ms (limit %.3f ms) %s\n", n, m, l, (m <= l ? "met" : "NOT met") }'
}
# delta is the median of $1 minus the median of $2.
delta() { awk -v a="$(med "$1")" -v b="$(med "$2")" 'BEGIN { printf "%.3f", a - b }'; }
# goals reports every goal through $1 (goal or rgoal); $2 is the first
# goal's limit, bare + 1.5 ms in that reading.
goals() {
  $1 "helper ww <= bare + 1.5 ms" "$(med "helper ww")" "$2"
  $1 "codex-sandbox ww end to end <= 4 ms" "$(med "codex-sandbox ww")" 4
  $1 "100 roots add <= 1 ms: helper, nested in /tmp" "$(delta "helper ww + 100 roots inside /tmp" "helper ww")" 1
  $1 "100 roots add <= 1 ms: helper, not nested" "$(delta "helper ww, /tmp excluded, + 100 roots" "helper ww, /tmp excluded")" 1
  $1 "100 --add-dir add <= 1 ms: codex-sandbox, nested in /tmp" "$(delta "codex-sandbox ww + 100 --add-dir inside /tmp" "codex-sandbox ww")" 1
  $1 "100 --add-dir add <= 1 ms: codex-sandbox, not nested" "$(delta "codex-sandbox ww, /tmp excluded, + 100 --add-dir" "codex-sandbox ww, /tmp excluded")" 1
}
bare=$(med "bare /bin/true")
echo
echo "codex-sandbox ww as a ratio to bare /bin/true in this run (issue: bar 5.5x, goal 4x):"
floorname="Go fork+exec+wait of a Go exec hop (floor: supervisor + helper)"
floorwhat="a Go supervisor starting a Go hop (the helper)"
if [ "$(id -u)" = 0 ] && [ "${#chop[@]}" -gt 0 ]; then
  # As root codex-sandbox starts the C init itself (linuxsandbox.Launch).
  floorname="${chop[2]}"
  floorwhat="a Go supervisor starting a C hop (the init)"
fi
awk -v m="$(med "codex-sandbox ww")" -v b="$bare" -v f="$(med "$floorname")" -v w="$floorwhat" 'BEGIN {
  r = m / b; printf "  %.2fx (%s the 5.5x bar, %s the 4x goal); its floor, %s, is %.2fx\n", r, (r <= 5.5 ? "meets" : "does NOT meet"), (r <= 4 ? "meets" : "does NOT meet"), w, f / b }'
echo
echo "goals (medians of this run):"
goals goal "$(awk -v b="$bare" 'BEGIN { print b + 1.5 }')"
if [ "${#chop[@]}" -gt 0 ]; then
  echo "  (floors: a static C exec hop is bare + $(delta "${chop[0]}" "bare /bin/true") ms," \
    "the Go exec hop bare + $(delta "Go exec hop, no sandbox (floor)" "bare /bin/true") ms)"
fi
if [ "${#mountfloor[@]}" -gt 0 ]; then
  echo "  (floor: a read-only mount namespace alone costs $(delta "${mountfloor[0]}" "Go exec hop, no sandbox (floor)") ms" \
    "over the Go exec hop, set-up and teardown at exit)"
  echo "  (floor: 100 root mounts alone add $(delta "${mountfloor[2]}" "${mountfloor[0]}") ms" \
    "in the kernel, set-up and teardown, without Landlock or lookups)"
fi
# The issue states its goals in milliseconds on a machine where bare
# fork+exec took 0.55-0.87 ms, and asks for ratios to bare measured in the
# same run: the same goals as ratios, taking the slowest reference bare
# (0.87 ms), which gives the strictest ratio.
ref=0.87
rgoal() { # name, measured ms, limit ms on the reference machine
  awk -v n="$1" -v m="$2" -v l="$3" -v b="$bare" -v r="$ref" 'BEGIN {
    printf "  %-58s %6.2fx bare (limit %.2fx) %s\n", n, m / b, l / r, (m / b <= l / r ? "met" : "NOT met") }'
}
echo
echo "goals as ratios to bare (reference bare $ref ms):"
goals rgoal "$(awk -v r="$ref" 'BEGIN { print r + 1.5 }')"
echo
echo "stripped static binaries: codex-linux-sandbox $(stat -c %s "$h") bytes," \
  "codex-sandbox $(stat -c %s "$tmp/codex-sandbox") bytes"
echo
# The agent's own cost per sandboxed command: the Go API from a running
# Go program (the standalone binaries beside it, as make install lays
# them out), as its overhead over exec of /bin/true from that program.
echo "the agent's own cost per sandboxed command (goal <= 3 ms), medians of $runs interleaved runs:"
"$tmp/apibench" "$runs" "$ws" | awk -F'\t' '{ printf "  %-58s %7.3f ms  (+%.3f ms)\n", $1, $2, $3 }'
if [ "$(id -u)" != 0 ]; then
  echo "  (not root: the in-process shape falls back to a codex-sandbox process)"
fi
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
