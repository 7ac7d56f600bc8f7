// Package skills finds SKILL.md files and turns them into what the model
// sees, as the Codex CLI 0.169 does: a skill is a folder holding SKILL.md,
// whose YAML front matter gives its name and description. The model is
// told every skill's name, description and path (Instructions); it reads
// a body only when it uses the skill, and a `$name` mention in a prompt
// puts that skill's SKILL.md into the turn (Mentioned, Inject).
//
// Skills are looked for, in this order, under $CODEX_HOME/skills,
// ~/.codex/skills, and the .agents/skills folder of every directory from
// the repository's root down to the working directory (only the working
// directory outside a repository). When two skills share a name, the one
// found later (closer to the working directory) wins.
package skills

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// FileName is the file that makes a folder a skill.
const FileName = "SKILL.md"

// Limits on what a SKILL.md may declare (longer values are errors).
const (
	MaxNameLen        = 64
	MaxDescriptionLen = 1024
	maxFileBytes      = 1 << 20
	maxDepth          = 6
)

// Skill is one discovered skill.
type Skill struct {
	Name             string `json:"name"`
	Description      string `json:"description"`
	ShortDescription string `json:"short_description,omitempty"`
	// Path is the absolute path of its SKILL.md.
	Path string `json:"path"`
	// Root is the skills folder it was found under; Scope says which
	// kind of folder that is ("user" or "repo").
	Root  string `json:"root"`
	Scope string `json:"scope"`
	// rank orders roots as Roots does (for the aliases of Instructions).
	rank int
}

// Root is one folder skills are looked for in.
type Root struct {
	Dir   string
	Scope string // "user" or "repo"
}

// Options locate the skill folders.
type Options struct {
	CodexHome string // $CODEX_HOME
	Home      string // $HOME ("" skips ~/.codex/skills)
	Cwd       string // the session's working directory
}

// Roots lists the folders searched, lowest precedence first, without
// duplicates.
func Roots(o Options) []Root {
	var out []Root
	seen := map[string]bool{}
	add := func(dir, scope string) {
		if dir == "" {
			return
		}
		dir = filepath.Clean(dir)
		if seen[dir] {
			return
		}
		seen[dir] = true
		out = append(out, Root{dir, scope})
	}
	if o.CodexHome != "" {
		add(filepath.Join(o.CodexHome, "skills"), "user")
	}
	if o.Home != "" {
		add(filepath.Join(o.Home, ".codex", "skills"), "user")
	}
	if o.Cwd != "" {
		for _, d := range repoChain(filepath.Clean(o.Cwd)) {
			add(filepath.Join(d, ".agents", "skills"), "repo")
		}
	}
	return out
}

// repoChain is cwd's ancestors from the repository root down to cwd
// (just cwd outside a repository).
func repoChain(cwd string) []string {
	var chain []string
	for d := cwd; ; d = filepath.Dir(d) {
		chain = append(chain, d)
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
				chain[i], chain[j] = chain[j], chain[i]
			}
			return chain
		}
		if filepath.Dir(d) == d {
			return []string{cwd}
		}
	}
}

// Discover finds every skill under the roots, sorted by name. Files that
// are not valid skills are reported in errs (one per file, naming it)
// and left out; a missing root is not an error.
func Discover(o Options) (found []Skill, errs []error) {
	byName := map[string]Skill{}
	for i, r := range Roots(o) {
		for _, path := range skillFiles(r.Dir) {
			s, err := Load(path)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			s.Root, s.Scope, s.rank = r.Dir, r.Scope, i
			byName[s.Name] = s
		}
	}
	for _, s := range byName {
		found = append(found, s)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	return found, errs
}

// skillFiles lists root/**/SKILL.md, skipping hidden folders and not
// following symbolic links out of the tree, in a stable order.
func skillFiles(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable parts are skipped; a missing root is normal
		}
		if d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || strings.Count(rel, string(filepath.Separator)) >= maxDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == FileName && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// FileError is a SKILL.md that is not a valid skill: Discover reports
// one per file.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("skill %s: %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// Load reads one SKILL.md; its errors are *FileError.
func Load(path string) (Skill, error) {
	f, err := os.Open(path)
	if err != nil {
		return Skill{}, &FileError{path, err}
	}
	defer func() { _ = f.Close() }()
	data := make([]byte, maxFileBytes+1)
	n, _ := readFull(f, data)
	if n > maxFileBytes {
		return Skill{}, &FileError{path, fmt.Errorf("larger than %d bytes", maxFileBytes)}
	}
	s, err := Parse(data[:n])
	if err != nil {
		return Skill{}, &FileError{path, err}
	}
	s.Path = path
	return s, nil
}

func readFull(f *os.File, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := f.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Parse reads a SKILL.md's front matter: a first line of `---`, YAML,
// and a closing `---` line. Name and description are required and must
// fit on one line once folded.
func Parse(data []byte) (Skill, error) {
	if !utf8.Valid(data) {
		return Skill{}, errors.New("not UTF-8")
	}
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\ufeff"))), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return Skill{}, errors.New("no front matter (the file must start with a --- line)")
	}
	rest := text[4:]
	end := strings.Index(rest, "\n---\n")
	if end < 0 {
		if strings.HasSuffix(rest, "\n---") {
			end = len(rest) - 4
		} else {
			return Skill{}, errors.New("front matter is not closed by a --- line")
		}
	}
	fm := parseFrontMatter(rest[:end])
	s := Skill{Name: oneLine(fm.Name), Description: oneLine(fm.Description), ShortDescription: oneLine(fm.ShortDescription)}
	switch {
	case s.Name == "":
		return Skill{}, errors.New("front matter has no name")
	case s.Description == "":
		return Skill{}, errors.New("front matter has no description")
	case utf8.RuneCountInString(s.Name) > MaxNameLen:
		return Skill{}, fmt.Errorf("name longer than %d characters", MaxNameLen)
	case utf8.RuneCountInString(s.Description) > MaxDescriptionLen:
		return Skill{}, fmt.Errorf("description longer than %d characters", MaxDescriptionLen)
	}
	return s, nil
}

// oneLine folds whitespace runs (newlines included) into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
