#!/usr/bin/env bash
# Whole-process benchmark of `codex exec --json` on the two-turn scripted
# task of issue 6 (turn 1: one shell command; turn 2: the answer) against
# our local model server, which answers at once, so the figures are our
# own overhead. Prints medians of N runs and the ratio to a bare /bin/true
# measured in the same run. Needs GNU time (/usr/bin/time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
N=${N:-21}
work=$(mktemp -d)
trap 'kill "${srv_pid:-0}" 2>/dev/null || true; wait "${srv_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "bench.sh needs GNU time (apt-get install time)" >&2; exit 1; }

if [ -n "${BIN:-}" ] && [ -x "$BIN/codex" ] && "$BIN/codex" exec --help >/dev/null 2>&1; then
  codex=("$BIN/codex" exec)
else
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/codex-agent" ./cmd/codex-agent)
  codex=("$work/codex-agent" exec)
fi
server="$work/codex-agent"
[ -x "$server" ] || (cd "$here" && CGO_ENABLED=0 go build -o "$server" ./cmd/codex-agent)

cat > "$work/script.json" <<'JSON'
{"turns":[
 {"items":[{"type":"function_call","id":"fc_1","call_id":"call_1","name":"exec_command","arguments":"{\"cmd\":\"echo hello\"}","status":"completed"}]},
 {"items":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"done"}]}]}
]}
JSON
"$server" model-server --script "$work/script.json" --loop --url-file "$work/url" >/dev/null &
srv_pid=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.05; done
url=$(cat "$work/url")
mkdir -p "$work/repo" "$work/home" "$work/userhome"

# measure KEY LABEL CMD...: N runs of CMD; wall and CPU from bash's time
# (ms resolution), peak RSS from GNU time; prints and records the medians.
measure() {
  local key=$1 label=$2; shift 2
  : > "$work/times"
  local TIMEFORMAT='%3R %3U %3S'
  for _ in $(seq "$N"); do
    { time /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/err" </dev/null || { cat "$work/err" >&2; exit 1; }; } 2>"$work/t"
    echo "$(cat "$work/t") $(cat "$work/rss")" >> "$work/times"
  done
  awk -v key="$key" -v label="$label" -v out="$work/summary" '
    { wall[NR]=$1*1000; cpu[NR]=($2+$3)*1000; rss[NR]=$4/1024 }
    function median(a, n,   i, j, t) { for (i=1;i<=n;i++) for (j=i+1;j<=n;j++) if (a[j]<a[i]) { t=a[i]; a[i]=a[j]; a[j]=t }; return a[int((n+1)/2)] }
    END {
      w=median(wall,NR); c=median(cpu,NR); r=median(rss,NR)
      printf "%-30s wall %7.1f ms   cpu %7.1f ms   peak %6.1f MiB\n", label, w, c, r
      printf "%s %f %f %f\n", key, w, c, r >> out
    }' "$work/times"
}

echo "N=$N runs each; medians (each run under GNU time for the peak RSS)"
measure base "baseline /bin/true" /bin/true
cd "$work/repo"
measure exec "codex exec --json (2 turns)" env -i PATH="$PATH" HOME="$work/userhome" CODEX_HOME="$work/home" BENCH_KEY=x \
  "${codex[@]}" --json --ephemeral --skip-git-repo-check \
  -c model_provider=bench -c "model_providers.bench={name=\"bench\",base_url=\"$url\",env_key=\"BENCH_KEY\"}" \
  -m bench-model "say hello"
measure shell "the command alone (bash -lc)" env -i PATH="$PATH" HOME="$work/userhome" /bin/bash -lc 'echo hello'
awk '{ v[$1]=$2 } END {
  printf "wall ratio to /bin/true: %.1fx; our overhead per turn beyond the model and the command: %.1f ms\n", v["exec"]/v["base"], (v["exec"]-v["shell"]-v["base"])/2 }' "$work/summary"
