#!/usr/bin/env bash
# make demo: run `codex exec` on a scratch git repository against our local
# model server. The model's side is SCRIPTED (testdata/demo-script.json):
# no model thinks here. Everything else is real: the commands go through
# the execution policy and the sandbox, the patch through our apply_patch
# engine, and the repository ends up with a real edit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
# The scratch repository and its CODEX_HOME stay after the demo (the
# session it points to can be read or resumed); only a failed run is
# cleaned up.
trap 'kill "${srv_pid:-0}" 2>/dev/null || true; wait "${srv_pid:-0}" 2>/dev/null || true; [ "${ok:-}" = 1 ] || rm -rf "$work"' EXIT

if [ -n "${BIN:-}" ] && [ -x "$BIN/codex" ] && "$BIN/codex" exec --help >/dev/null 2>&1; then
  codex=("$BIN/codex" exec)
  server=("$BIN/codex-agent" model-server)
  [ -x "$BIN/codex-agent" ] || { (cd "$here" && CGO_ENABLED=0 go build -o "$work/codex-agent" ./cmd/codex-agent); server=("$work/codex-agent" model-server); }
else
  echo "== building codex-agent"
  (cd "$here" && CGO_ENABLED=0 go build -o "$work/codex-agent" ./cmd/codex-agent)
  codex=("$work/codex-agent" exec)
  server=("$work/codex-agent" model-server)
fi

repo=$work/repo
mkdir -p "$repo" "$work/home" "$work/userhome"
cd "$repo"
git init -q
printf 'Hello, wrold!\nThis file is edited by the codex-go demo.\n' > greeting.txt
git add greeting.txt
git -c user.name=demo -c user.email=demo@example.com commit -qm "initial"

echo "== starting the local model server (SCRIPTED turns: $here/testdata/demo-script.json)"
"${server[@]}" --script "$here/testdata/demo-script.json" --url-file "$work/url" >/dev/null &
srv_pid=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.05; done
url=$(cat "$work/url")

echo "== codex exec in $repo (its progress on stderr; the final answer alone on stdout, kept in $work/answer.txt)"
HOME=$work/userhome CODEX_HOME=$work/home DEMO_KEY=demo "${codex[@]}" -s workspace-write \
  -c model_provider=demo \
  -c "model_providers.demo={name=\"local scripted model server\",base_url=\"$url\",env_key=\"DEMO_KEY\"}" \
  -m scripted-demo "Fix the typo in greeting.txt" </dev/null >"$work/answer.txt"

echo
echo "== the edit left in the repository (git diff)"
git --no-pager diff
echo "== session recorded (the whole run, as JSONL):"
find "$work/home/sessions" -name 'rollout-*.jsonl' -printf '%p (%s bytes)\n'
echo "== the scratch repository, CODEX_HOME and answer stay in $work (rm -rf it when done)"
ok=1
