package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func reasoningItem(summary string) string {
	return `{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":` + jsonString(summary) + `}]}`
}

// TestE2ERealReasoningOnce: a reasoning summary streamed before the
// answer is printed once, before the answer, its bold title without
// Markdown markers (the real agent repeats the whole summary after the
// deltas, while the answer streams).
func TestE2ERealReasoningOnce(t *testing.T) {
	codex := buildCodex(t)
	dir := t.TempDir()
	ms := startModelServer(t, codex,
		itemsTurn(reasoningItem("**Inspecting the layout**\n\nI look at the files first."),
			messageItem("Here is the answer.\n\nIt has two paragraphs.")),
	)
	tm := startRealTerm(t, codex, t.TempDir(), dir, ms, "-a", "never", "-s", "workspace-write")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "think first")
	tm.keys("Enter")
	s := tm.waitFor(`(?s)Inspecting the layout.*I look at the files first\..*Here is the answer\..*It has two paragraphs\..*› Ask Codex`)
	for _, want := range []string{"Inspecting the layout", "I look at the files first."} {
		if n := strings.Count(s, want); n != 1 {
			t.Errorf("%q shown %d times, want once:\n%s", want, n, s)
		}
	}
	if strings.Contains(s, "**") {
		t.Errorf("Markdown markers shown:\n%s", s)
	}
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2ERealShellAndFork: `!cmd` runs the user's command under the
// session's sandbox (read-only: a write fails) and shows its output;
// /fork continues the conversation in a new session (new id, the history
// carried over, the original rollout left as it was).
func TestE2ERealShellAndFork(t *testing.T) {
	codex := buildCodex(t)
	dir := t.TempDir()
	ms := startModelServer(t, codex,
		itemsTurn(messageItem("First answer.")),
		itemsTurn(messageItem("Forked answer.")),
	)
	home := t.TempDir()
	tm := startRealTerm(t, codex, home, dir, ms, "-a", "on-request", "-s", "read-only")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "!echo shell-$((6*7))")
	tm.keys("Enter")
	tm.waitFor(`(?s)shell-42.*exit 0`)
	tm.keys("-l", "!touch blocked.txt")
	tm.keys("Enter")
	tm.waitFor(`(?s)touch blocked\.txt.*(Read-only|Permission denied).*exit 1`)
	if _, err := os.Stat(filepath.Join(dir, "blocked.txt")); err == nil {
		t.Fatal("a !command wrote outside the read-only sandbox")
	}

	tm.keys("-l", "hello before the fork")
	tm.keys("Enter")
	tm.waitFor(`First answer\.`)
	tm.keys("-l", "/fork")
	tm.waitFor(`› /fork`)
	tm.keys("Enter")
	tm.waitFor(`(?s)Forked the conversation.*>_ Codex.*› Ask Codex`)
	tm.keys("-l", "after the fork")
	tm.keys("Enter")
	tm.waitFor(`Forked answer\.`)
	tm.keys("C-d")
	tm.waitExit(0)

	reqs := ms.requests(t)
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2", len(reqs))
	}
	if in := reqs[1].text(); !strings.Contains(in, "hello before the fork") || !strings.Contains(in, "First answer.") {
		t.Errorf("the fork lost the history:\n%s", in)
	}
	if reqs[1].PromptCacheKey == "" || reqs[1].PromptCacheKey == reqs[0].PromptCacheKey {
		t.Errorf("the fork kept the session id %q", reqs[1].PromptCacheKey)
	}
	var rollouts []string
	_ = filepath.WalkDir(filepath.Join(home, "sessions"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
			rollouts = append(rollouts, p)
		}
		return nil
	})
	if len(rollouts) != 2 {
		t.Errorf("rollouts %q, want the original and the fork", rollouts)
	}
}

// TestE2ERealPermissionsKeepsWorkspaceSettings: /permissions → Auto gives
// the agent the workspace-write policy this session's config means
// (sandbox_workspace_write.writable_roots, --add-dir), decided by
// sandboxpolicy as on every other path, not the bare mode: the model's
// command writes to both extra roots.
func TestE2ERealPermissionsKeepsWorkspaceSettings(t *testing.T) {
	codex := buildCodex(t)
	// Outside /tmp and $TMPDIR, which workspace-write opens anyway.
	outside := func() string {
		d, err := os.MkdirTemp("/var/tmp", "codex-tui-perm-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(d) })
		return d
	}
	dir, added, configured := t.TempDir(), outside(), outside()
	a, b := filepath.Join(added, "a.txt"), filepath.Join(configured, "b.txt")
	ms := startModelServer(t, codex,
		itemsTurn(execCallItem("c1", map[string]any{"cmd": "touch " + a + " " + b + " && echo wrote-both"})),
		itemsTurn(messageItem("Both written.")),
	)
	tm := startRealTerm(t, codex, t.TempDir(), dir, ms, "-a", "never", "-s", "read-only",
		"--add-dir", added, "-c", "sandbox_workspace_write.writable_roots=["+jsonString(configured)+"]")
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "/permissions")
	tm.waitFor(`› /permissions`)
	tm.keys("Enter")
	tm.waitFor(`Select approval mode`)
	tm.keys("Down")
	tm.keys("Enter")
	tm.waitFor(`Approval mode set to Auto`)
	tm.keys("-l", "write them")
	tm.keys("Enter")
	tm.waitFor(`Both written\.`)
	for _, p := range []string{a, b} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("the command could not write %s under /permissions' workspace-write: %v\n%s", p, err, tm.capture())
		}
	}
	tm.keys("C-d")
	tm.waitExit(0)
}
