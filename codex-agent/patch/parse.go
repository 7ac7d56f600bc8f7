// Package patch is our apply_patch engine: it parses the Codex patch
// envelope (*** Begin Patch … *** End Patch with Add, Delete and Update
// hunks, optional moves and @@ anchors) and applies it with the matching
// rules of the Codex CLI (exact, then whitespace-tolerant, then
// typography-normalised). Everything is validated and computed before any
// file is written, so a patch that does not apply changes nothing.
package patch

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Kind is what a hunk does to its file.
type Kind string

// The hunk kinds.
const (
	Add    Kind = "add"
	Delete Kind = "delete"
	Update Kind = "update"
)

// Chunk is one change block of an Update hunk.
type Chunk struct {
	// Anchor is the text after "@@ " ("" for a bare "@@" or none).
	Anchor string
	Old    []string // context and removed lines
	New    []string // context and added lines
	// EOF says the chunk must match at the end of the file.
	EOF bool
}

// Hunk is one file operation.
type Hunk struct {
	Kind     Kind
	Path     string
	Contents string // Add: the new file's content
	MovePath string // Update: rename target, "" for none
	Chunks   []Chunk
}

// Patch is a parsed patch.
type Patch struct {
	Hunks []Hunk
}

const (
	beginMarker = "*** Begin Patch"
	endMarker   = "*** End Patch"
	addPrefix   = "*** Add File: "
	delPrefix   = "*** Delete File: "
	updPrefix   = "*** Update File: "
	movePrefix  = "*** Move to: "
	eofMarker   = "*** End of File"
)

// ParseError is a patch that could not be parsed. Line is 1-based, 0 when
// the error concerns the whole patch.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return "Invalid patch: " + e.Msg
	}
	return fmt.Sprintf("Invalid patch hunk on line %d: %s", e.Line, e.Msg)
}

// heredocRE is compiled on first use: package initialisers run at every
// start of the fused binary.
var heredocRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:apply_patch\s+)?<<\s*(['"]?)(\w+)(['"]?)\s*$`) })

// unwrapHeredoc strips a <<EOF … EOF wrapper models sometimes add.
func unwrapHeredoc(lines []string) []string {
	if len(lines) < 4 {
		return lines
	}
	m := heredocRE().FindStringSubmatch(strings.TrimSpace(lines[0]))
	if m == nil || m[1] != m[3] {
		return lines
	}
	if !strings.HasSuffix(strings.TrimSpace(lines[len(lines)-1]), m[2]) {
		return lines
	}
	return lines[1 : len(lines)-1]
}

// Parse parses patch text.
func Parse(text string) (*Patch, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	lines = unwrapHeredoc(lines)
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != beginMarker {
		return nil, &ParseError{Msg: "The first line of the patch must be '*** Begin Patch'"}
	}
	if len(lines) < 2 || strings.TrimSpace(lines[len(lines)-1]) != endMarker {
		return nil, &ParseError{Msg: "The last line of the patch must be '*** End Patch'"}
	}
	body := lines[1 : len(lines)-1]
	p := &Patch{}
	for i := 0; i < len(body); {
		h, n, err := parseHunk(body[i:], i+2)
		if err != nil {
			return nil, err
		}
		p.Hunks = append(p.Hunks, h)
		i += n
	}
	if len(p.Hunks) == 0 {
		return nil, &ParseError{Msg: "no hunks found"}
	}
	return p, nil
}

// parseHunk parses one hunk at the start of lines; lineNo is the 1-based
// number of lines[0] in the patch. It returns the lines consumed.
func parseHunk(lines []string, lineNo int) (Hunk, int, error) {
	head := strings.TrimSpace(lines[0])
	switch {
	case strings.HasPrefix(head, addPrefix):
		h := Hunk{Kind: Add, Path: strings.TrimSpace(head[len(addPrefix):])}
		var b strings.Builder
		n := 1
		for ; n < len(lines) && strings.HasPrefix(lines[n], "+"); n++ {
			b.WriteString(lines[n][1:])
			b.WriteByte('\n')
		}
		h.Contents = b.String()
		return h, n, checkPath(h.Path, lineNo)
	case strings.HasPrefix(head, delPrefix):
		h := Hunk{Kind: Delete, Path: strings.TrimSpace(head[len(delPrefix):])}
		return h, 1, checkPath(h.Path, lineNo)
	case strings.HasPrefix(head, updPrefix):
		h := Hunk{Kind: Update, Path: strings.TrimSpace(head[len(updPrefix):])}
		if err := checkPath(h.Path, lineNo); err != nil {
			return h, 0, err
		}
		n := 1
		if n < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[n]), movePrefix) {
			h.MovePath = strings.TrimSpace(strings.TrimSpace(lines[n])[len(movePrefix):])
			if err := checkPath(h.MovePath, lineNo+n); err != nil {
				return h, 0, err
			}
			n++
		}
		var cur *Chunk
		started := false // the current chunk has had a change line
		for n < len(lines) {
			line := lines[n]
			t := strings.TrimSpace(line)
			switch {
			case t == eofMarker:
				if cur == nil || !started {
					return h, 0, &ParseError{Line: lineNo + n, Msg: "'*** End of File' without preceding change lines"}
				}
				cur.EOF = true
				n++
				cur, started = nil, false
				continue
			case line == "@@" || strings.HasPrefix(line, "@@ "):
				anchor := ""
				if len(line) > 3 {
					anchor = line[3:]
				}
				h.Chunks = append(h.Chunks, Chunk{Anchor: anchor})
				cur, started = &h.Chunks[len(h.Chunks)-1], false
				n++
				continue
			case strings.HasPrefix(line, "***"):
				// The next hunk starts.
				if len(h.Chunks) == 0 {
					return h, 0, &ParseError{Line: lineNo, Msg: fmt.Sprintf("Update file hunk for path '%s' is empty", h.Path)}
				}
				return h, n, checkChunks(h, lineNo)
			}
			if cur == nil {
				if len(h.Chunks) > 0 && !started {
					return h, 0, &ParseError{Line: lineNo + n, Msg: fmt.Sprintf("Expected update hunk to start with a @@ context marker, got: '%s'", line)}
				}
				h.Chunks = append(h.Chunks, Chunk{})
				cur = &h.Chunks[len(h.Chunks)-1]
			}
			switch {
			case line == "":
				cur.Old = append(cur.Old, "")
				cur.New = append(cur.New, "")
			case line[0] == ' ':
				cur.Old = append(cur.Old, line[1:])
				cur.New = append(cur.New, line[1:])
			case line[0] == '-':
				cur.Old = append(cur.Old, line[1:])
			case line[0] == '+':
				cur.New = append(cur.New, line[1:])
			default:
				return h, 0, &ParseError{Line: lineNo + n, Msg: fmt.Sprintf("Unexpected line found in update hunk: '%s'. Every line should start with ' ' (context line), '+' (added line), or '-' (removed line)", line)}
			}
			started = true
			n++
		}
		if len(h.Chunks) == 0 {
			return h, 0, &ParseError{Line: lineNo, Msg: fmt.Sprintf("Update file hunk for path '%s' is empty", h.Path)}
		}
		return h, n, checkChunks(h, lineNo)
	}
	return Hunk{}, 0, &ParseError{Line: lineNo, Msg: fmt.Sprintf("'%s' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'", head)}
}

func checkChunks(h Hunk, lineNo int) error {
	for _, c := range h.Chunks {
		if len(c.Old) == 0 && len(c.New) == 0 {
			return &ParseError{Line: lineNo, Msg: fmt.Sprintf("Update file hunk for path '%s' has an empty chunk", h.Path)}
		}
	}
	return nil
}

func checkPath(p string, lineNo int) error {
	if p == "" {
		return &ParseError{Line: lineNo, Msg: "missing file path"}
	}
	if strings.ContainsRune(p, 0) {
		return &ParseError{Line: lineNo, Msg: "file path contains a NUL byte"}
	}
	return nil
}
