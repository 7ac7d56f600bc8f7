package appserver_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSkillsList: skills/list reports the skills of $CODEX_HOME/skills
// (scope user) and of the working directory's .agents/skills (scope
// repo), for the server's directory by default and for each cwd asked,
// with the SKILL.md files that are not skills as errors naming them.
func TestSkillsList(t *testing.T) {
	f := newFixture(t)
	put := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put(filepath.Join(f.home, "skills", "deploy", "SKILL.md"), "---\nname: deploy\ndescription: Ship it\nmetadata:\n  short-description: ship\n---\nbody\n")
	put(filepath.Join(f.work, ".agents", "skills", "lint", "SKILL.md"), "---\nname: lint\ndescription: Fix lint errors\n---\nbody\n")
	broken := filepath.Join(f.work, ".agents", "skills", "broken", "SKILL.md")
	put(broken, "no front matter\n")
	other := filepath.Join(filepath.Dir(f.work), "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	c := f.start(t)

	type entry struct {
		Cwd    string `json:"cwd"`
		Skills []struct {
			Name             string  `json:"name"`
			Description      string  `json:"description"`
			ShortDescription *string `json:"shortDescription"`
			Path             string  `json:"path"`
			Scope            string  `json:"scope"`
			Enabled          bool    `json:"enabled"`
		} `json:"skills"`
		Errors []struct {
			Path    string `json:"path"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	var r struct {
		Data []entry `json:"data"`
	}
	c.call("skills/list", map[string]any{}).decode(t, &r)
	if len(r.Data) != 1 || r.Data[0].Cwd != f.work {
		t.Fatalf("skills/list default cwd = %+v", r.Data)
	}
	e := r.Data[0]
	if len(e.Skills) != 2 || e.Skills[0].Name != "deploy" || e.Skills[0].Scope != "user" || e.Skills[0].ShortDescription == nil ||
		*e.Skills[0].ShortDescription != "ship" || e.Skills[1].Name != "lint" || e.Skills[1].Scope != "repo" ||
		e.Skills[1].Path != filepath.Join(f.work, ".agents", "skills", "lint", "SKILL.md") || !e.Skills[1].Enabled {
		t.Errorf("skills = %+v", e.Skills)
	}
	if len(e.Errors) != 1 || e.Errors[0].Path != broken || e.Errors[0].Message == "" {
		t.Errorf("errors = %+v", e.Errors)
	}

	r.Data = nil
	c.call("skills/list", map[string]any{"cwds": []string{other, f.work}, "forceReload": true}).decode(t, &r)
	if len(r.Data) != 2 || r.Data[0].Cwd != other || len(r.Data[0].Skills) != 1 || r.Data[0].Skills[0].Name != "deploy" ||
		len(r.Data[0].Errors) != 0 || len(r.Data[1].Skills) != 2 {
		t.Errorf("skills/list two cwds = %+v", r.Data)
	}
	if m := c.callErr("skills/list", map[string]any{"cwds": []string{"rel"}}); m.Error == nil || m.Error.Code != -32602 {
		t.Errorf("relative cwd answered %s", m.raw)
	}
}

// TestSkillsChanged: a SKILL.md file added, edited in place (same size,
// modification time put back) or removed under a watched skill folder —
// $CODEX_HOME/skills from the start, a thread's .agents/skills once it is
// started — brings skills/changed; skills/list then shows the change.
func TestSkillsChanged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other := filepath.Join(filepath.Dir(f.work), "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	c := f.start(t)
	put := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := func(cwd string) string {
		var r struct {
			Data []struct {
				Skills []struct {
					Name        string `json:"name"`
					Description string `json:"description"`
				} `json:"skills"`
			} `json:"data"`
		}
		c.call("skills/list", map[string]any{"cwds": []string{cwd}}).decode(t, &r)
		var out []string
		for _, s := range r.Data[0].Skills {
			out = append(out, s.Name+":"+s.Description)
		}
		return strings.Join(out, ",")
	}

	put(filepath.Join(f.home, "skills", "deploy", "SKILL.md"), "---\nname: deploy\ndescription: Ship it\n---\n")
	c.until("skills/changed")
	if got := names(f.work); got != "deploy:Ship it" {
		t.Errorf("after adding deploy: %s", got)
	}

	startThread(t, c, map[string]any{"cwd": other})
	lint := filepath.Join(other, ".agents", "skills", "lint", "SKILL.md")
	put(lint, "---\nname: lint\ndescription: Fix AAA\n---\n")
	c.until("skills/changed")
	st, err := os.Stat(lint)
	if err != nil {
		t.Fatal(err)
	}
	put(lint, "---\nname: lint\ndescription: Fix BBB\n---\n")
	if err := os.Chtimes(lint, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	c.until("skills/changed")
	if got := names(other); got != "deploy:Ship it,lint:Fix BBB" {
		t.Errorf("after editing lint: %s", got)
	}
	if err := os.Remove(lint); err != nil {
		t.Fatal(err)
	}
	c.until("skills/changed")
	if got := names(other); got != "deploy:Ship it" {
		t.Errorf("after removing lint: %s", got)
	}
}
