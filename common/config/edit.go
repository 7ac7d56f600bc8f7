package config

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// SetValue returns data with table.key set to value (a TOML value as
// written, e.g. `true` or `"x"`), leaving every other byte (comments,
// order, blank lines) as the user wrote it: an existing `key = ...` line
// of that table is replaced, a missing key goes at the end of the
// table's block, and a missing table is appended. A key defined in a way
// a line edit cannot change safely (an inline table, a multi-line value)
// is an error naming it, and the result is checked by parsing it again.
func SetValue(data []byte, table []string, key, value string) ([]byte, error) {
	full := append(append([]string(nil), table...), key)
	var p unstable.Parser
	p.Reset(data)
	var (
		cur        []string
		tableEnd   int // end of the last line that belongs to the wanted table
		headerSeen bool
	)
	for p.NextExpression() {
		e := p.Expression()
		keys := exprKeys(e)
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			cur = keys
			if e.Kind == unstable.Table && slices.Equal(keys, table) {
				headerSeen = true
				tableEnd = lineEndAt(data, firstKeyOffset(e))
			}
		case unstable.KeyValue:
			path := append(append([]string(nil), cur...), keys...)
			start := lineStartAt(data, int(e.Raw.Offset))
			end := lineEndAt(data, int(e.Raw.Offset+e.Raw.Length))
			switch {
			case slices.Equal(path, full):
				if len(keys) != 1 || bytes.Count(data[start:end], []byte("\n")) > 1 {
					return nil, fmt.Errorf("%s is not a one-line `key = value` in its table; edit config.toml by hand", strings.Join(full, "."))
				}
				out := append(append(append([]byte{}, data[:start]...), []byte(tomlKey(key)+" = "+value+"\n")...), data[end:]...)
				return checked(out, full, value)
			case len(path) < len(full) && slices.Equal(path, full[:len(path)]):
				return nil, fmt.Errorf("%s is defined inline; edit config.toml by hand", strings.Join(path, "."))
			case headerSeen && slices.Equal(cur, table):
				tableEnd = end
			}
		}
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("parse config.toml: %w", err)
	}
	line := []byte(tomlKey(key) + " = " + value + "\n")
	var out []byte
	if headerSeen {
		head := append([]byte{}, data[:tableEnd]...)
		if len(head) > 0 && head[len(head)-1] != '\n' {
			head = append(head, '\n')
		}
		out = append(append(head, line...), data[tableEnd:]...)
	} else {
		out = append([]byte{}, data...)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		if len(out) > 0 {
			out = append(out, '\n')
		}
		parts := make([]string, len(table))
		for i, t := range table {
			parts[i] = tomlKey(t)
		}
		out = append(out, []byte("["+strings.Join(parts, ".")+"]\n")...)
		out = append(out, line...)
	}
	return checked(out, full, value)
}

// checked parses the edited document and confirms path now holds value.
func checked(out []byte, path []string, value string) ([]byte, error) {
	var doc, want map[string]any
	if err := toml.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("edit of %s would break config.toml (%v); edit it by hand", strings.Join(path, "."), err)
	}
	if err := toml.Unmarshal([]byte("v = "+value), &want); err != nil {
		return nil, fmt.Errorf("bad value %s: %w", value, err)
	}
	var got any = doc
	for _, k := range path {
		m, ok := got.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("edit of %s did not take; edit config.toml by hand", strings.Join(path, "."))
		}
		got = m[k]
	}
	if fmt.Sprint(got) != fmt.Sprint(want["v"]) {
		return nil, fmt.Errorf("edit of %s did not take; edit config.toml by hand", strings.Join(path, "."))
	}
	return out, nil
}

func exprKeys(e *unstable.Node) []string {
	var keys []string
	it := e.Key()
	for it.Next() {
		keys = append(keys, string(it.Node().Data))
	}
	return keys
}

func firstKeyOffset(e *unstable.Node) int {
	it := e.Key()
	if it.Next() {
		return int(it.Node().Raw.Offset)
	}
	return 0
}

func lineStartAt(data []byte, off int) int {
	if off <= 0 {
		return 0
	}
	return bytes.LastIndexByte(data[:off], '\n') + 1
}

func lineEndAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(data)
}

// tomlKey writes a bare key when it can, a quoted one otherwise.
func tomlKey(k string) string {
	bare := k != ""
	for _, r := range k {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		bare = bare && ok
	}
	if bare {
		return k
	}
	b, _ := toml.Marshal(map[string]string{"k": k})
	_, v, _ := strings.Cut(strings.TrimSpace(string(b)), " = ")
	return v
}
