package patch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/codexgo/common/atomicfile"
)

// Change is one file's computed effect: everything needed to write it and
// to show or approve it.
type Change struct {
	Kind Kind
	// Path is the absolute path of the file the hunk names; MovePath the
	// absolute rename target ("" for none).
	Path     string
	MovePath string
	// Display is the path as the summary shows it (the patch's spelling
	// of the destination).
	Display string
	Old     string // previous content ("" for Add)
	New     string // new content ("" for Delete)
}

// Dest returns where the content ends up.
func (c Change) Dest() string {
	if c.MovePath != "" {
		return c.MovePath
	}
	return c.Path
}

// ApplyError is a patch that parsed but does not fit the files.
type ApplyError struct{ Msg string }

func (e *ApplyError) Error() string { return e.Msg }

func resolve(cwd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(cwd, p)
}

// Plan computes every change of p against the files under cwd without
// writing anything.
func Plan(p *Patch, cwd string) ([]Change, error) {
	out := make([]Change, 0, len(p.Hunks))
	// Later hunks see the content earlier hunks produced.
	pending := map[string]*string{}
	read := func(path string) (string, error) {
		if s, ok := pending[path]; ok {
			if s == nil {
				return "", &ApplyError{Msg: fmt.Sprintf("Failed to read file to update %s: deleted earlier in the patch", path)}
			}
			return *s, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", &ApplyError{Msg: fmt.Sprintf("Failed to read file to update %s: %v", path, unwrapPathErr(err))}
		}
		return string(b), nil
	}
	for _, h := range p.Hunks {
		path := resolve(cwd, h.Path)
		switch h.Kind {
		case Add:
			if st, err := os.Stat(path); err == nil && st.IsDir() {
				return nil, &ApplyError{Msg: fmt.Sprintf("Failed to write file %s: is a directory", path)}
			}
			c := h.Contents
			pending[path] = &c
			out = append(out, Change{Kind: Add, Path: path, Display: h.Path, New: h.Contents})
		case Delete:
			old, err := read(path)
			if err != nil {
				return nil, &ApplyError{Msg: fmt.Sprintf("Failed to delete file %s: %v", path, strings.TrimPrefix(err.Error(), "Failed to read file to update "+path+": "))}
			}
			pending[path] = nil
			out = append(out, Change{Kind: Delete, Path: path, Display: h.Path, Old: old})
		case Update:
			old, err := read(path)
			if err != nil {
				return nil, err
			}
			nw, err := applyChunks(old, h.Chunks, path)
			if err != nil {
				return nil, err
			}
			c := Change{Kind: Update, Path: path, Display: h.Path, Old: old, New: nw}
			if h.MovePath != "" {
				c.MovePath = resolve(cwd, h.MovePath)
				c.Display = h.MovePath
				pending[path] = nil
				pending[c.MovePath] = &nw
			} else {
				pending[path] = &nw
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Commit writes planned changes: each file atomically, parents created.
func Commit(changes []Change) error {
	for _, c := range changes {
		switch c.Kind {
		case Add, Update:
			dest := c.Dest()
			if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
				return &ApplyError{Msg: fmt.Sprintf("Failed to create parent directories for %s: %v", dest, err)}
			}
			mode := os.FileMode(0o644)
			if st, err := os.Stat(c.Path); err == nil {
				mode = st.Mode().Perm()
			}
			if err := atomicfile.WriteFile(dest, []byte(c.New), mode); err != nil {
				return &ApplyError{Msg: fmt.Sprintf("Failed to write file %s: %v", dest, err)}
			}
			if c.MovePath != "" && c.MovePath != c.Path {
				if err := os.Remove(c.Path); err != nil {
					return &ApplyError{Msg: fmt.Sprintf("Failed to remove original %s: %v", c.Path, err)}
				}
			}
		case Delete:
			if err := os.Remove(c.Path); err != nil {
				return &ApplyError{Msg: fmt.Sprintf("Failed to delete file %s: %v", c.Path, err)}
			}
		}
	}
	return nil
}

// Summary is the tool output for applied changes.
func Summary(changes []Change) string {
	var b strings.Builder
	b.WriteString("Success. Updated the following files:\n")
	for _, c := range changes {
		letter := "M"
		switch c.Kind {
		case Add:
			letter = "A"
		case Delete:
			letter = "D"
		}
		fmt.Fprintf(&b, "%s %s\n", letter, c.Display)
	}
	return b.String()
}

// Apply parses, plans and commits text in one step.
func Apply(text, cwd string) ([]Change, error) {
	p, err := Parse(text)
	if err != nil {
		return nil, err
	}
	changes, err := Plan(p, cwd)
	if err != nil {
		return nil, err
	}
	return changes, Commit(changes)
}

type replacement struct {
	at, n int
	lines []string
}

// applyChunks applies an Update's chunks to content.
func applyChunks(content string, chunks []Chunk, path string) (string, error) {
	lines := strings.Split(content, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var reps []replacement
	cursor := 0
	for _, c := range chunks {
		if c.Anchor != "" {
			idx := seek(lines, []string{c.Anchor}, cursor, false)
			if idx < 0 {
				return "", &ApplyError{Msg: fmt.Sprintf("Failed to find context '%s' in %s", c.Anchor, path)}
			}
			cursor = idx + 1
		}
		if len(c.Old) == 0 {
			reps = append(reps, replacement{at: len(lines), lines: c.New})
			continue
		}
		old, nw := c.Old, c.New
		idx := seek(lines, old, cursor, c.EOF)
		if idx < 0 && old[len(old)-1] == "" {
			old = old[:len(old)-1]
			if len(nw) > 0 && nw[len(nw)-1] == "" {
				nw = nw[:len(nw)-1]
			}
			if len(old) > 0 {
				idx = seek(lines, old, cursor, c.EOF)
			}
		}
		if idx < 0 {
			return "", &ApplyError{Msg: fmt.Sprintf("Failed to find expected lines in %s:\n%s", path, strings.Join(c.Old, "\n"))}
		}
		reps = append(reps, replacement{at: idx, n: len(old), lines: nw})
		cursor = idx + len(old)
	}
	sort.SliceStable(reps, func(i, j int) bool { return reps[i].at > reps[j].at })
	for _, r := range reps {
		tail := append([]string(nil), lines[r.at+r.n:]...)
		lines = append(append(lines[:r.at], r.lines...), tail...)
	}
	if len(lines) == 0 {
		return "", nil
	}
	return strings.Join(lines, "\n") + "\n", nil
}

// seek finds pattern in lines at or after start, trying exact, then
// trailing-whitespace-insensitive, then trimmed, then typography-
// normalised comparison. With eof it first tries the end of the file.
func seek(lines, pattern []string, start int, eof bool) int {
	if len(pattern) == 0 {
		return start
	}
	if len(pattern) > len(lines) {
		return -1
	}
	last := len(lines) - len(pattern)
	from := start
	if eof {
		from = last
	}
	for _, eq := range comparisons {
		if eof {
			if from >= start && matchAt(lines, pattern, from, eq) {
				return from
			}
		}
		for i := start; i <= last; i++ {
			if matchAt(lines, pattern, i, eq) {
				return i
			}
		}
	}
	return -1
}

func matchAt(lines, pattern []string, at int, eq func(a, b string) bool) bool {
	for j, p := range pattern {
		if !eq(lines[at+j], p) {
			return false
		}
	}
	return true
}

var comparisons = []func(a, b string) bool{
	func(a, b string) bool { return a == b },
	func(a, b string) bool { return strings.TrimRight(a, " \t\r") == strings.TrimRight(b, " \t\r") },
	func(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) },
	func(a, b string) bool { return normalise(a) == normalise(b) },
}

// normalise maps typographic punctuation to ASCII and trims.
func normalise(s string) string {
	s = strings.TrimSpace(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
			return '-'
		case '\u2018', '\u2019', '\u201A', '\u201B':
			return '\''
		case '\u201C', '\u201D', '\u201E', '\u201F':
			return '"'
		case '\u00A0', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A', '\u202F', '\u205F', '\u3000':
			return ' '
		}
		return r
	}, s)
}
