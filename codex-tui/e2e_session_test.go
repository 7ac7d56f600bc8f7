package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2ENewAfterTurn: /new after a turn starts a new conversation (a new
// session header, a working composer); the old agent's shutdown does not
// end the program.
func TestE2ENewAfterTurn(t *testing.T) {
	tm := startTerm(t, 100, 40, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "hi there")
	tm.keys("Enter")
	tm.waitFor(`You said: hi there(?s).*echo fenced`)
	tm.keys("-l", "/new")
	tm.waitFor(`› /new`)
	tm.keys("Enter")
	tm.waitFor(`(?s)echo fenced.*>_ Codex.*› Ask Codex`)
	tm.keys("-l", "second conversation")
	tm.keys("Enter")
	s := tm.waitFor(`You said: second conversation`)
	if strings.Contains(s, "codex-tui exited") || strings.Contains(s, "the agent exited") {
		t.Fatalf("the program ended:\n%s", s)
	}
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2EExitSummary: on exit the token usage and the command that
// continues the session are printed.
func TestE2EExitSummary(t *testing.T) {
	tm := startTerm(t, 100, 30, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "hi there")
	tm.keys("Enter")
	tm.waitFor(`You said: hi there(?s).*echo fenced`)
	tm.keys("C-d")
	tm.waitFor(`(?s)Token usage: total=15,500 input=15,000 output=500\s*\nTo continue this session, run codex-tui resume fake-session\s*\n\[codex-tui exited 0\]`)
}

// writeRollout saves a session whose first user messages are the blocks
// Codex injects (AGENTS.md, environment) and then prompt, last written at
// used.
func writeRollout(t *testing.T, home, day, id, prompt string, used time.Time) {
	t.Helper()
	dir := filepath.Join(home, "sessions", "2026", "01", day)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	user := func(text string) string {
		return `{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":` + jsonString(text) + `}]}}` + "\n"
	}
	body := `{"timestamp":"2026-01-` + day + `T10:00:00Z","type":"session_meta","payload":{"id":"` + id + `","timestamp":"2026-01-` + day + `T10:00:00Z"}}` + "\n" +
		user("# AGENTS.md instructions for /src\n\n<INSTRUCTIONS>\nRun make test.\n</INSTRUCTIONS>") +
		user("<environment_context>\n  <cwd>/src</cwd>\n</environment_context>") + user(prompt)
	path := filepath.Join(dir, "rollout-2026-01-"+day+"T10-00-00-"+id+".jsonl")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, used, used); err != nil {
		t.Fatal(err)
	}
}

// TestE2EResumeLastUsed: the picker and `resume --last` put the session
// used last first (an old one resumed yesterday beats one started the day
// before), titled by the user's first prompt, not the injected AGENTS.md.
func TestE2EResumeLastUsed(t *testing.T) {
	now := time.Now()
	prepare := func(home string) {
		writeRollout(t, home, "01", "older", "fix the parser bug", now.Add(-time.Hour))
		writeRollout(t, home, "02", "newer", "write the docs", now.Add(-48*time.Hour))
	}
	tm := startTermEnv(t, 80, 24, []string{"OPENAI_API_KEY=sk-test"}, prepare, "-s", "read-only", "-a", "on-request", "resume")
	s := tm.waitFor(`(?s)Resume a previous session.*write the docs`)
	if i, j := strings.Index(s, "fix the parser bug"), strings.Index(s, "write the docs"); i < 0 || i > j {
		t.Fatalf("the last used session is not first:\n%s", s)
	}
	if strings.Contains(s, "AGENTS.md") {
		t.Fatalf("a session is titled by the injected instructions:\n%s", s)
	}
	tm.keys("C-c")
	tm.waitExit(0)

	tm2 := startTermEnv(t, 80, 24, []string{"OPENAI_API_KEY=sk-test"}, prepare, "-s", "read-only", "-a", "on-request", "resume", "--last")
	tm2.waitFor(`resumed rollout-2026-01-01T10-00-00-older.jsonl`)
	tm2.keys("C-d")
	tm2.waitExit(0)
}

// TestE2EPatchApprovalShowsWholeDiff: before a patch is approved, every
// line of every file's diff is on screen (in the scrollback), under paths
// relative to the project; "don't ask again for these files" answers
// approved_for_session.
func TestE2EPatchApprovalShowsWholeDiff(t *testing.T) {
	tm := startTerm(t, 100, 30, "-s", "workspace-write", "-a", "on-request")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "make a big patch")
	tm.keys("Enter")
	s := tm.waitFor(`(?s)main\.txt.*-old line.*\+new line.*note line 1\b.*note line 30\b.*Would you like to make the following edits\?.*don't ask again for these files`)
	if strings.Contains(s[strings.Index(s, "Proposed edits"):], tm.dir) {
		t.Errorf("absolute paths shown:\n%s", s)
	}
	tm.think()
	tm.keys("a")
	tm.waitFor(`Applied with decision approved_for_session\.`)
	tm.keys("C-d")
	tm.waitExit(0)
}
