package tui

import (
	"os"
	"path/filepath"
	"testing"
)

// TestE2ESkillsAndHooks: /skills lists the skills of $CODEX_HOME/skills
// and of the repository's .agents/skills (name and description from the
// front matter); /hooks lists config.toml's hooks with their trust; with
// neither, each says how to add them.
func TestE2ESkillsAndHooks(t *testing.T) {
	tm := startTermEnv(t, 120, 40, []string{"OPENAI_API_KEY=sk-test"}, func(home string) {
		write := func(p, s string) {
			t.Helper()
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		write(filepath.Join(home, "skills", "release-notes", "SKILL.md"), "---\nname: release-notes\ndescription: Writes the release notes from the git log.\n---\nBody.\n")
		write(filepath.Join(home, "config.toml"), "[[hooks.PreToolUse]]\nmatcher = \"Bash\"\n[[hooks.PreToolUse.hooks]]\ntype = \"command\"\ncommand = \"check-command.sh\"\n")
	}, "-s", "workspace-write", "-a", "on-request")
	if err := os.MkdirAll(filepath.Join(tm.dir, ".agents", "skills", "triage"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tm.dir, ".agents", "skills", "triage", "SKILL.md"), []byte("---\nname: triage\ndescription: Sorts the open issues by urgency.\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "/skills")
	tm.waitFor(`› /skills`)
	tm.keys("Enter")
	tm.waitFor(`(?s)Skills \(2\).*\$release-notes — Writes the release notes from the git log\..*\$triage — Sorts the open issues by urgency\.`)
	tm.keys("-l", "/hooks")
	tm.waitFor(`› /hooks`)
	tm.keys("Enter")
	tm.waitFor(`(?s)Hooks \(1\):.*PreToolUse .*\[untrusted\]  check-command\.sh.*codex hooks trust KEY`)
	tm.keys("C-d")
	tm.waitExit(0)

	empty := startTerm(t, 120, 40, "-s", "workspace-write", "-a", "on-request")
	empty.waitFor(`>_ Codex`)
	for cmd, want := range map[string]string{"/skills": `No skills found\.`, "/hooks": `No hooks configured\.`} {
		empty.keys("-l", cmd)
		empty.waitFor(`› ` + cmd)
		empty.keys("Enter")
		empty.waitFor(want)
	}
	empty.keys("C-d")
	empty.waitExit(0)
}
