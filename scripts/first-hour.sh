#!/usr/bin/env bash
# first-hour.sh (make first-hour): a newcomer's first hour, end to end.
#
#  1. a fresh clone of this repository's HEAD in a temporary directory;
#  2. `make demo` in it, checked: exit 0, the edit made, the version stamped
#     from git (not "dev"), the answer printed once, the session file kept;
#  3. every example of the READMEs run as written, with the clone's bin/ on
#     PATH, a scratch HOME (~/.codex, ~/project: a git repository with a
#     Makefile), the local scripted model server as the model provider and
#     the npm MCP servers where an example needs one; each checked for its
#     exit status and its output;
#  4. coverage: every example line of the READMEs (the `$ ` lines of their
#     code blocks and the lines of the root README's sh blocks) is run here
#     or listed below with the reason it cannot be (a browser, the real
#     API), so that an example added or changed without this script fails.
#
# Exit status: 0 when everything passed, 1 otherwise (each failure says what
# ran, what was expected and what came out).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0 runs=0
covered=$tmp/covered
: >"$covered"

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

echo "== fresh clone of $(git -C "$src" rev-parse --short HEAD) in $tmp/clone"
git clone -q "$src" "$tmp/clone"
clone=$tmp/clone
cd "$clone"

echo "== make demo"
if ! make demo >"$tmp/demo.log" 2>&1; then
  fail "make demo exited non-zero:"; tail -30 "$tmp/demo.log" >&2
fi
grep -q '^+Hello, world!$' "$tmp/demo.log" || fail "make demo: the edit (+Hello, world!) is not in the diff it shows"
grep -Eq '^OpenAI Codex v[0-9]+\.[0-9]+\.[0-9]+' "$tmp/demo.log" || fail "make demo: the version is not stamped from git: $(grep 'OpenAI Codex' "$tmp/demo.log")"
answers=$(grep -c 'scripted demo answer' "$tmp/demo.log" || true)
[ "$answers" = 1 ] || fail "make demo prints the final answer $answers times, want once"
session=$(grep -o '/[^ ]*/rollout-[^ ]*\.jsonl' "$tmp/demo.log" | head -1 || true)
if [ -z "$session" ] || [ ! -s "$session" ]; then
  fail "make demo: the session file it points to ($session) is gone"
fi
kept=$(sed -n 's/^== the scratch repository, CODEX_HOME and answer stay in \([^ ]*\).*/\1/p' "$tmp/demo.log")
[ -n "$kept" ] && rm -rf "$kept"

# The scratch world the examples run in.
export HOME=$tmp/home
mkdir -p "$HOME/.codex" "$HOME/project" "$HOME/.local/bin"
npmdir=$clone/codex-mcp-client/testdata/npm
echo "== npm ci in $npmdir (the MCP servers of the examples)"
(cd "$npmdir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
export PATH=$clone/bin:$npmdir/node_modules/.bin:$PATH
export OPENAI_API_KEY=sk-test-1234567890ABCDEFGH
unset CODEX_HOME CODEX_API_KEY
(
  cd "$HOME/project"
  git init -q -b main
  printf 'Hello, wrold!\nThis file is edited by the codex-go demo.\n' >greeting.txt
  printf 'test:\n\t@echo tests pass | tee test.log\n' >Makefile
  printf '%s\n' '{"id":1,"argv":["git","status"]}' '{"id":2,"argv":["rm","-rf","/"]}' >requests.jsonl
  git add . && git -c user.name=t -c user.email=t@example.com commit -qm init
)

echo "== the local scripted model server (codex-agent model-server)"
setsid codex-agent model-server --script "$clone/codex-agent/testdata/demo-script.json" --loop --url-file "$tmp/model-url" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 600); do [ -s "$tmp/model-url" ] && break; sleep 0.05; done
[ -s "$tmp/model-url" ] || { echo "first-hour: the model server did not start" >&2; exit 1; }
cat >"$HOME/.codex/config.toml" <<EOF
# The examples' model: the local scripted server (the model's side is scripted).
model = "scripted-demo"
model_provider = "local"

[model_providers.local]
name = "local scripted model server"
base_url = "$(cat "$tmp/model-url")"
env_key = "OPENAI_API_KEY"
EOF

echo "== mcp-server-everything streamableHttp on 127.0.0.1:3001 (codex-mcp-client's HTTP example)"
PORT=3001 setsid mcp-server-everything streamableHttp >"$tmp/http.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do grep -q 'listening on port' "$tmp/http.log" 2>/dev/null && break; sleep 0.05; done
grep -q 'listening on port' "$tmp/http.log" || fail "mcp-server-everything did not listen on 127.0.0.1:3001 (port taken?): $(tail -3 "$tmp/http.log")"

# ex FILE DIR WANT_EXIT REGEX COMMAND: COMMAND must appear in FILE as
# written (its first line); it runs in DIR under bash; its exit status must
# be WANT_EXIT and its output (stdout and stderr) must match REGEX.
ex() {
  local file=$1 dir=$2 want=$3 re=$4 cmd=$5 first
  first=${cmd%%$'\n'*}
  echo "$file	$first" >>"$covered"
  runs=$((runs + 1))
  if ! grep -qF -- "$first" "$clone/$file"; then
    fail "$file no longer has the example: $first"
    return
  fi
  local out code=0
  out=$(cd "$dir" && timeout 120 bash -c "$cmd" 2>&1 </dev/null) || code=$?
  if [ "$code" != "$want" ]; then
    fail "$file: \`$first\` exited $code, want $want; output:"$'\n'"$(printf '%s\n' "$out" | tail -15)"
  elif ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
    fail "$file: \`$first\` output lacks /$re/:"$'\n'"$(printf '%s\n' "$out" | tail -15)"
  else
    echo "ok   $file: $first"
  fi
}

# skip FILE COMMAND REASON: an example that cannot run here, and why.
skip() {
  echo "$1	$2" >>"$covered"
  echo "skip $1: $2 ($3)"
}

P=$HOME/project
R=README.md

# The root README.
# make demo ran and was checked above, as the first thing a newcomer types.
grep -qF 'make demo    # builds everything and runs `codex exec` on a scratch repository against a local scripted model server' "$clone/$R" &&
  printf '%s\t%s\n' $R 'make demo    # builds everything and runs `codex exec` on a scratch repository against a local scripted model server' >>"$covered"
skip $R 'make test    # installs what the tests need, runs every module'"'"'s tests, prints a summary (what CI runs, with `make lint`)' "CI runs it itself, right before this script"
ex $R "$clone" 0 'linked [0-9]+ tools' 'bin/codex install-links ~/.local/bin    # codex-sandbox, codex-execpolicy, ... -> codex'
ex $R "$P" 0 '^codex [0-9]+\.[0-9]+\.[0-9]+' 'codex --version'
ex $R "$P" 0 'Commands:' 'codex help'
ex $R "$P" 0 'tests pass' 'codex sandbox --sandbox workspace-write -- make test'
ex $R "$P" 0 'scripted demo answer' 'codex exec -s workspace-write "make the failing test pass"'
ex $R "$P" 0 '"type":"item.completed"' 'echo "summarise this repo" | codex exec --json - | jq -c '"'"'select(.type=="item.completed")'"'"
ex $R "$P" 0 'scripted demo answer' 'codex exec resume --last "now add a changelog entry"'
git -C "$P" checkout -q -b feature
ex $R "$P" 0 '.' 'codex exec review --base main                      # a read-only review of this branch'
git -C "$P" checkout -q main
skip $R 'codex                          # start in the current repository' "interactive: codex-tui's tmux end-to-end tests drive it"
skip $R 'codex "explain the build"      # start with a prompt' "interactive: codex-tui's tmux end-to-end tests drive it"
skip $R 'codex resume --last' "interactive: codex-tui's tmux end-to-end tests drive it"
ex $R "$P" 0 'tests pass' 'codex sandbox --sandbox workspace-write -- make test        # writes only here, $TMPDIR and /tmp'
ex $R "$P" 0 '"writable_roots"' 'codex-sandbox --explain --sandbox workspace-write            # what the kernel enforces, as JSON'
ex $R "$P" 0 '"exit_code":0' 'echo '"'"'{"argv":["sh","-c","id; ls /"],"sandbox_policy":{"mode":"read-only"},"timeout_ms":5000}'"'"' | codex-sandbox --json'
ex $R "$P" 0 '"decision":"prompt"' 'codex-execpolicy check -- bash -lc '"'"'rg --pre ./x.sh foo; git status'"'"'   # prompt: rg --pre runs a program'
ex $R "$P" 11 '"decision":"forbidden"' 'codex-execpolicy check --exit-code -- git push --force origin main      # exit 11: forbidden'
ex $R "$P" 0 '"id":2,"decision":"forbidden"' 'codex-execpolicy check --jsonl < requests.jsonl                          # one verdict per line'
ex $R "$P" 0 'API key saved' 'printf '"'"'%s'"'"' "$OPENAI_API_KEY" | codex login --with-api-key'
ex $R "$P" 0 'API key configured' 'codex login status            # exit 0 logged in, 1 not'
skip $R 'curl -H "Authorization: Bearer $(codex-login token)" https://api.openai.com/v1/models' "the real OpenAI API"
ex $R "$P" 0 'Successfully logged out' 'codex logout'
ex $R "$npmdir" 0 '"tools":\[' 'codex-mcp-client -- npx -y @modelcontextprotocol/server-everything          # server info and tools'
ex $R "$npmdir" 0 'Echo: hi' 'codex-mcp-client call --args '"'"'{"message":"hi"}'"'"' echo -- npx -y @modelcontextprotocol/server-everything'
ex $R "$npmdir" 0 "Added global MCP server 'docs'" 'codex mcp add docs -- npx -y @modelcontextprotocol/server-everything'
ex $R "$npmdir" 0 '"name": *"docs"' 'codex mcp list --json'

# codex-agent/README.md
A=codex-agent/README.md
ex $A "$P" 0 'scripted demo answer' 'codex exec -s workspace-write "Fix the typo in greeting.txt"'
ex $A "$P" 0 '"type":"task_complete"' 'printf '"'"'%s\n'"'"' '"'"'{"id":"1","op":{"type":"user_input","items":[{"type":"text","text":"say hi"}]}}'"'"' | codex-agent proto -C ~/project'

# codex-execpolicy/README.md
ex codex-execpolicy/README.md "$P" 0 '"decision":"forbidden"' 'codex-execpolicy check --cwd /w --writable-root /w --script '"'"'git -C sub log --oneline -3 | tee log.txt && rm -rf "$HOME"'"'"

# codex-linux-sandbox/README.md
L=codex-linux-sandbox/README.md
ex $L "$HOME" 0 '^$' 'cd ~/project'
ex $L "$P" 2 'cannot create /etc/motd: Read-only file system' 'codex-linux-sandbox --sandbox-policy-cwd "$PWD" \
    --sandbox-policy '"'"'{"mode":"workspace-write"}'"'"' -- sh -c '"'"'echo hi > notes.txt; echo x > .git/config; echo x > /etc/motd'"'"

# codex-login/README.md
G=codex-login/README.md
# codex-login's README starts from a shell without an API key variable.
unset OPENAI_API_KEY
ex $G "$P" 0 'API key saved' 'printf '"'"'sk-test-1234567890ABCDEFGH'"'"' | codex-login login --with-api-key'
ex $G "$P" 0 'API key configured - sk-test-\*\*\*DEFGH' 'codex-login status'
ex $G "$P" 0 '"OPENAI_API_KEY": "sk-test-1234567890ABCDEFGH"' 'cat ~/.codex/auth.json'
skip $G 'codex-login                      # browser login with ChatGPT' "a browser and OpenAI's issuer; codex-login's tests run the flow against a local issuer"
skip $G 'curl -H "Authorization: Bearer $(codex-login token)" ...' "the real OpenAI API"
ex $G "$P" 0 'Successfully logged out' 'codex-login logout'

export OPENAI_API_KEY=sk-test-1234567890ABCDEFGH

# codex-mcp-client/README.md
M=codex-mcp-client/README.md
ex $M "$npmdir" 0 'Echo: hi' 'codex-mcp-client call --args '"'"'{"message":"hi"}'"'"' echo -- mcp-server-everything'
ex $M "$npmdir" 0 '"serverInfo"' 'codex-mcp-client --server-stderr discard -- mcp-server-everything'
ex $M "$npmdir" 0 '"structuredContent"' 'codex-mcp-client call --url http://127.0.0.1:3001/mcp --args '"'"'{"location":"Chicago"}'"'"' get-structured-content'
ex $M "$npmdir" 0 'The sum of 2 and 3 is 5' 'printf '"'"'%s\n'"'"' '"'"'{"id":1,"method":"tools/call","params":{"name":"get-sum","arguments":{"a":2,"b":3}}}'"'"' \
               '"'"'{"id":2,"method":"prompts/get","params":{"name":"simple-prompt"}}'"'"' |
  codex-mcp-client --jsonl --server-stderr discard -- mcp-server-everything'
ex $M "$npmdir" 1 'timed out after 1s' 'codex-mcp-client --timeout 1s call --args '"'"'{"duration":5}'"'"' trigger-long-running-operation -- mcp-server-everything'
skip $M './bench.sh 9' "a benchmark: make bench runs it"

# codex-sandbox/README.md
S=codex-sandbox/README.md
ex $S "$HOME" 0 '^$' 'cd ~/project'
ex $S "$P" 6 '^ok$' 'codex-sandbox --sandbox workspace-write -- sh -c '"'"'echo hi > notes.txt && echo ok; echo x > .git/config; echo x > /etc/motd; curl -sS http://example.com'"'"
ex $S "$P" 0 '^[0-9]+$' 'echo $?'

# codex-tui/README.md
skip codex-tui/README.md 'codex-tui -C ~/src/project "explain the failing test"' "interactive: codex-tui's tmux end-to-end tests drive it"

echo "== every README example is covered"
examples() {
  for f in README.md */README.md; do
    awk -v F="$f" '
      /^```/ { if (!inb) { inb = 1; lang = substr($0, 4) } else inb = 0; next }
      inb && /^\$ / { print F "\t" substr($0, 3); next }
      inb && F == "README.md" && (lang == "sh" || lang == "bash") && NF { print F "\t" $0 }
    ' "$f"
  done
}
while IFS= read -r line; do
  if ! grep -qxF -- "$line" "$covered"; then
    fail "${line%%	*}: example not run by scripts/first-hour.sh (add it with ex, or skip with a reason): ${line#*	}"
  fi
done < <(examples)

echo "first-hour: $runs examples run, $(grep -c . "$covered") covered, $fails failed"
[ "$fails" -eq 0 ]
