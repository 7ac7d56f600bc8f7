package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/hooks"
	"github.com/codexgo/common/skills"
)

// infoMsg is a text to print as an info notice (a listing read in a
// command, off the update loop).
type infoMsg string

// listing runs list in a command and prints its text.
func listing(list func() string) tea.Cmd {
	if list == nil {
		return func() tea.Msg { return infoMsg("not available") }
	}
	return func() tea.Msg { return infoMsg(list()) }
}

// skillsText lists the skills this session's agent sees (the same
// discovery as the agent's: common/skills), for /skills.
func skillsText(o skills.Options) string {
	found, errs := skills.Discover(o)
	var b strings.Builder
	if len(found) == 0 {
		b.WriteString("No skills found. A skill is a folder with a SKILL.md (front matter name and description) under $CODEX_HOME/skills, ~/.codex/skills or .agents/skills of the repository.")
	} else {
		fmt.Fprintf(&b, "Skills (%d) — mention one with $name:", len(found))
		for _, s := range found {
			d := s.ShortDescription
			if d == "" {
				d = s.Description
			}
			fmt.Fprintf(&b, "\n  $%s — %s (%s)", s.Name, d, s.Path)
		}
	}
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  warning: %v", e)
	}
	return b.String()
}

// hooksText lists config.toml's hooks with their trust (the agent's own
// reading: common/hooks), for /hooks.
func hooksText(home string, cfg *config.Config) string {
	list, errs := hooks.Load(cfg.Raw, filepath.Join(home, config.FileName))
	var b strings.Builder
	if len(list) == 0 {
		b.WriteString("No hooks configured. Add them under [hooks] in config.toml.")
	} else {
		fmt.Fprintf(&b, "Hooks (%d):", len(list))
		untrusted := false
		for _, h := range list {
			note := ""
			if !hooks.Fired(h.Event) {
				note = " (not fired by codex-go)"
			}
			if h.Trust != hooks.Trusted {
				untrusted = true
			}
			fmt.Fprintf(&b, "\n  %s  %s  [%s]  %s%s", h.Event, h.Key, h.Trust, h.Command, note)
		}
		if untrusted {
			b.WriteString("\n  Only trusted hooks run: codex hooks trust KEY (or --all).")
		}
	}
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  warning: %v", e)
	}
	return b.String()
}
