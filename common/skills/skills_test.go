package skills

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func skillText(name, desc, body string) string {
	return "---\nname: " + name + "\ndescription: " + desc + "\n---\n" + body
}

// The layout of the 0.169 capture: a user skill, one at the repository
// root, one in the working directory's .agents/skills.
func TestDiscover(t *testing.T) {
	base := t.TempDir()
	codexHome := filepath.Join(base, "codexhome")
	home := filepath.Join(base, "home")
	repo := filepath.Join(base, "repo")
	cwd := filepath.Join(repo, "sub")
	write(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n")
	write(t, filepath.Join(codexHome, "skills", "pdf-tools", "SKILL.md"), skillText("pdf-tools", "Work with PDF files: extract text, merge, split.", "# PDF\n"))
	write(t, filepath.Join(home, ".codex", "skills", "deep", "er", "x", "SKILL.md"), skillText("nested", "found below the top", ""))
	write(t, filepath.Join(repo, ".agents", "skills", "lint-fix", "SKILL.md"), "---\nname: lint-fix\ndescription: >\n  Fix lint\n  errors in this repo\nmetadata:\n  short-description: lint\n---\nRun make lint.\n")
	write(t, filepath.Join(cwd, ".agents", "skills", "deploy", "SKILL.md"), skillText("deploy", "Deploy the service", "body\n"))
	// Closer wins on a shared name.
	write(t, filepath.Join(codexHome, "skills", "deploy-old", "SKILL.md"), skillText("deploy", "the user's older deploy", ""))
	// Invalid and hidden ones.
	write(t, filepath.Join(codexHome, "skills", "broken", "SKILL.md"), "no front matter\n")
	write(t, filepath.Join(codexHome, "skills", ".system", "hidden", "SKILL.md"), skillText("hidden", "skipped", ""))
	// Above the repository root: not searched.
	write(t, filepath.Join(base, ".agents", "skills", "outside", "SKILL.md"), skillText("outside", "above the repo", ""))

	got, errs := Discover(Options{CodexHome: codexHome, Home: home, Cwd: cwd})
	var names []string
	for _, s := range got {
		names = append(names, s.Name+"="+s.Scope)
	}
	if want := "deploy=repo lint-fix=repo nested=user pdf-tools=user"; strings.Join(names, " ") != want {
		t.Errorf("found %v, want %s", names, want)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), filepath.Join("broken", "SKILL.md")) || !strings.Contains(errs[0].Error(), "front matter") {
		t.Errorf("errs = %v", errs)
	}
	for _, s := range got {
		if s.Name == "lint-fix" && (s.Description != "Fix lint errors in this repo" || s.ShortDescription != "lint") {
			t.Errorf("folded description = %+v", s)
		}
		if s.Name == "deploy" && !strings.HasPrefix(s.Path, cwd) {
			t.Errorf("deploy from %s; the working directory's must win", s.Path)
		}
	}
	// Outside a repository only the working directory's folder counts.
	noRepo := filepath.Join(base, "plain", "dir")
	write(t, filepath.Join(noRepo, ".agents", "skills", "a", "SKILL.md"), skillText("a", "here", ""))
	write(t, filepath.Join(base, "plain", ".agents", "skills", "b", "SKILL.md"), skillText("b", "parent", ""))
	got, _ = Discover(Options{Cwd: noRepo})
	if len(got) != 1 || got[0].Name != "a" {
		t.Errorf("outside a repo: %+v", got)
	}

	text := Instructions(func() []Skill { l, _ := Discover(Options{CodexHome: codexHome, Home: home, Cwd: cwd}); return l }())
	for _, want := range []string{"<skills_instructions>", "- `r0` = `" + filepath.Join(codexHome, "skills") + "`",
		"- pdf-tools: Work with PDF files: extract text, merge, split. (file: r", "/pdf-tools/SKILL.md)", "</skills_instructions>"} {
		if !strings.Contains(text, want) {
			t.Errorf("instructions lack %q:\n%s", want, text)
		}
	}
	if Instructions(nil) != "" {
		t.Error("no skills, no message")
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, name, err string }{
		{"---\nname: a\ndescription: b\n---\n", "a", ""},
		{"\ufeff---\r\nname: 'a b'\r\ndescription: \"c\"\r\n---\r\nbody", "a b", ""},
		{"---\nname: a\ndescription: b\n---", "a", ""},
		{"---\nname: a\n---\n", "", "no description"},
		{"---\ndescription: a\n---\n", "", "no name"},
		{"---\nname: a\ndescription: b\n", "", "not closed"},
		{"# title\n", "", "no front matter"},
		{"---\nname: [a\ndescription: b\n---\n", "[a", ""},
		{"---\nname: [a\n---\n", "", "no description"},
		{"---\nname: \"q\"\ndescription: not: yaml\n---\n", "q", ""},
		{"---\nname: " + strings.Repeat("x", 65) + "\ndescription: b\n---\n", "", "name longer"},
		{"---\nname: a\ndescription: " + strings.Repeat("x", 1025) + "\n---\n", "", "description longer"},
		{"---\nname: a\xff\ndescription: b\n---\n", "", "UTF-8"},
	} {
		s, err := Parse([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || s.Name != tc.name {
			t.Errorf("Parse(%q) = %+v, %v", tc.in, s, err)
		}
	}
}

func TestMentionsAndInject(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "SKILL.md")
	text := "---\nname: lint-fix\ndescription: Fix lint errors in this repo\n---\nRun make lint and fix. BODY-LINT\n"
	write(t, p, text)
	list := []Skill{{Name: "lint-fix", Path: p}, {Name: "deploy", Path: filepath.Join(dir, "missing", "SKILL.md")}}
	for _, tc := range []struct{ prompt, want string }{
		{"use $lint-fix please", "lint-fix"},
		{"$lint-fix.", "lint-fix"},
		{"$deploy then $lint-fix and $deploy again", "deploy lint-fix"},
		{"$lint-fixes is not it", ""},
		{"cost $5 and lint-fix without a dollar", ""},
		{"$unknown", ""},
	} {
		var names []string
		for _, s := range Mentioned(tc.prompt, list) {
			names = append(names, s.Name)
		}
		if strings.Join(names, " ") != tc.want {
			t.Errorf("Mentioned(%q) = %v, want %q", tc.prompt, names, tc.want)
		}
	}
	// Exactly the message 0.169 sends after the prompt.
	got, err := Inject(list[0])
	if want := "<skill>\n<name>lint-fix</name>\n<path>" + p + "</path>\n" + text + "\n</skill>"; err != nil || got != want {
		t.Errorf("Inject = %q, %v\nwant %q", got, err, want)
	}
	if _, err := Inject(list[1]); err == nil || !strings.Contains(err.Error(), "skill deploy") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("---\nname: a\ndescription: b\n---\nbody"))
	f.Add([]byte("---\nname: |\n  x\ndescription: >\n  y\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		if s.Name == "" || s.Description == "" || strings.ContainsAny(s.Name+s.Description, "\n\r") {
			t.Fatalf("accepted %+v", s)
		}
	})
}
