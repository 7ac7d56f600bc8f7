package tui

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestE2ERootFlags: the Codex CLI's root flags are accepted before and
// after the words (and after resume), and reach the agent: -p/--profile,
// --oss, --add-dir, --enable/--disable, --yolo (no sandbox, no approvals),
// -c/--config.
func TestE2ERootFlags(t *testing.T) {
	prepare := func(home string) {
		cfg := "[profiles.work]\nmodel = \"o3\"\n"
		if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tm := startTermEnv(t, 160, 30, []string{"OPENAI_API_KEY=sk-test"}, prepare,
		"-p", "work", "--oss", "--add-dir", "/srv/extra", "--enable", "web_search_request", "--disable", "view_image",
		"--yolo", "--strict-config", "--config", `model_reasoning_effort="high"`)
	tm.waitFor(`agent flags: -p work --oss --add-dir /srv/extra --enable web_search_request --disable view_image`)
	tm.waitFor(`approval:\s+never`)
	tm.waitFor(`sandbox:\s+danger-full-access`)
	tm.keys("C-d")
	tm.waitExit(0)

	// After resume, and after the words.
	tm2 := startTermEnv(t, 160, 30, []string{"OPENAI_API_KEY=sk-test"}, func(home string) {
		prepare(home)
		writeRollout(t, home, "01", "older", "fix the parser bug", time.Now())
	}, "resume", "--last", "--dangerously-bypass-approvals-and-sandbox", "-p", "work", "-c", `model="o4"`)
	tm2.waitFor(`resumed rollout-2026-01-01T10-00-00-older.jsonl`)
	tm2.waitFor(`agent flags: -p work`)
	tm2.waitFor(`model:\s+o4`)
	tm2.keys("C-d")
	tm2.waitExit(0)
}

// TestE2EStrictConfig: --strict-config refuses a config.toml key nothing
// reads, naming it; without the flag the session starts.
func TestE2EStrictConfig(t *testing.T) {
	prepare := func(home string) {
		if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte("modle = \"o3\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tm := startTermEnv(t, 120, 20, []string{"OPENAI_API_KEY=sk-test"}, prepare, "--yolo", "--strict-config")
	tm.waitFor(`unknown key modle \(--strict-config`)
	tm.waitExit(1)
	tm2 := startTermEnv(t, 120, 20, []string{"OPENAI_API_KEY=sk-test"}, prepare, "--yolo")
	tm2.waitFor(`>_ Codex`)
	tm2.keys("C-d")
	tm2.waitExit(0)
}

// TestE2EContextLeft: the footer and /status show the context left from
// the start (the model catalogue's window for the model), and config's
// model_context_window overrides the catalogue.
func TestE2EContextLeft(t *testing.T) {
	tm := startTerm(t, 120, 30, "--yolo", "-c", `model="gpt-5.5"`)
	tm.waitFor(`gpt-5\.5 · .*100% context left`)
	tm.keys("-l", "/status")
	tm.waitFor(`› /status`)
	tm.keys("Enter")
	tm.waitFor(`Context:\s+100% left \(0 used / 2\d\d\.\dK\)`)
	tm.keys("C-d")
	tm.waitExit(0)

	tm2 := startTerm(t, 120, 30, "--yolo", "-c", `model="gpt-5.5"`, "-c", "model_context_window=50000")
	tm2.waitFor(`100% context left`)
	tm2.keys("-l", "/status")
	tm2.waitFor(`› /status`)
	tm2.keys("Enter")
	tm2.waitFor(`Context:\s+100% left \(0 used / 50\.0K\)`)
	tm2.keys("C-d")
	tm2.waitExit(0)
}
