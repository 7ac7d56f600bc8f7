package appserver

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlValue renders a JSON value as a TOML value (tables inline).
func tomlValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", errors.New("null has no TOML form")
	case string:
		return tomlString(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10), nil
		}
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, err := tomlValue(e)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if x[k] == nil {
				continue
			}
			s, err := tomlValue(x[k])
			if err != nil {
				return "", err
			}
			parts = append(parts, tomlKey(k)+" = "+s)
		}
		if len(parts) == 0 {
			return "{}", nil
		}
		return "{ " + strings.Join(parts, ", ") + " }", nil
	}
	return "", fmt.Errorf("unsupported value %T", v)
}

func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// bareKey reports whether k is a TOML bare key (A-Za-z0-9_-, not empty);
// a loop, not a package-level regexp compiled at every start of the
// fused binary.
func bareKey(k string) bool {
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return k != ""
}

func tomlKey(k string) string {
	if bareKey(k) {
		return k
	}
	return tomlString(k)
}

func tomlPath(p []string) string {
	parts := make([]string, len(p))
	for i, k := range p {
		parts[i] = tomlKey(k)
	}
	return strings.Join(parts, ".")
}

// tomlHeader is a [table] line of a document.
type tomlHeader struct {
	path  []string
	array bool
	line  int // offset of the header line
}

// tomlKV is a key = value expression.
type tomlKV struct {
	path       []string // full path (table + key)
	start, end int      // the expression: line start to the value's end
	valueStart int      // just past "= "
	lineEnd    int      // past the newline
}

func scanTOML(data []byte) ([]tomlHeader, []tomlKV, error) {
	var p unstable.Parser
	p.Reset(data)
	var (
		hs    []tomlHeader
		kvs   []tomlKV
		table []string
	)
	for p.NextExpression() {
		e := p.Expression()
		var keys []string
		first, keyEnd := -1, 0
		it := e.Key()
		for it.Next() {
			n := it.Node()
			if first < 0 {
				first = int(n.Raw.Offset)
			}
			keyEnd = int(n.Raw.Offset + n.Raw.Length)
			keys = append(keys, string(n.Data))
		}
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keys
			hs = append(hs, tomlHeader{path: keys, array: e.Kind == unstable.ArrayTable, line: lineStartOf(data, first)})
		case unstable.KeyValue:
			full := append(append([]string(nil), table...), keys...)
			end := int(e.Raw.Offset + e.Raw.Length)
			vs := keyEnd
			if i := bytes.IndexByte(data[keyEnd:], '='); i >= 0 {
				vs = keyEnd + i + 1
				for vs < len(data) && (data[vs] == ' ' || data[vs] == '\t') {
					vs++
				}
			}
			if end < vs {
				end = vs
			}
			kvs = append(kvs, tomlKV{path: full, start: lineStartOf(data, int(e.Raw.Offset)), end: end, valueStart: vs, lineEnd: lineEndOf(data, end)})
		}
	}
	if err := p.Error(); err != nil {
		return nil, nil, fmt.Errorf("parse config.toml: %w", err)
	}
	return hs, kvs, nil
}

func lineStartOf(data []byte, off int) int {
	if off <= 0 {
		return 0
	}
	return bytes.LastIndexByte(data[:off], '\n') + 1
}

func lineEndOf(data []byte, off int) int {
	if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(data)
}

func hasPrefix(p, prefix []string) bool {
	if len(prefix) > len(p) {
		return false
	}
	for i := range prefix {
		if p[i] != prefix[i] {
			return false
		}
	}
	return true
}

func equalPath(a, b []string) bool { return len(a) == len(b) && hasPrefix(a, b) }

// setTOML sets (or with a nil value removes) the key at path in a
// config document, leaving every other line, comment and blank as it
// was. With merge, an object value is merged key by key into an
// existing table; otherwise it replaces what is there. An edit the
// document's shape does not allow (a key under an array of tables, say)
// is an error, never a broken document.
func setTOML(data []byte, path []string, value any, merge bool) ([]byte, error) {
	out, err := editTOML(data, path, value, merge)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := toml.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("cannot set %s in this document: %w", strings.Join(path, "."), err)
	}
	return out, nil
}

func editTOML(data []byte, path []string, value any, merge bool) ([]byte, error) {
	if len(path) == 0 {
		return nil, errors.New("empty key path")
	}
	if obj, ok := value.(map[string]any); ok && merge {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var err error
		for _, k := range keys {
			if data, err = editTOML(data, append(append([]string(nil), path...), k), obj[k], true); err != nil {
				return nil, err
			}
		}
		if len(keys) == 0 {
			return data, nil
		}
		return data, nil
	}
	if value != nil {
		// A key already there keeps its place, its spelling and its
		// trailing comment: only the value changes.
		hs, kvs, err := scanTOML(data)
		if err != nil {
			return nil, err
		}
		for _, kv := range kvs {
			if equalPath(kv.path, path) && !tableUnder(hs, path) {
				v, err := tomlValue(value)
				if err != nil {
					return nil, err
				}
				out := append([]byte(nil), data[:kv.valueStart]...)
				out = append(out, v...)
				return append(out, data[kv.end:]...), nil
			}
		}
	}
	data, err := removeTOML(data, path)
	if err != nil || value == nil {
		return data, err
	}
	// A value under a key that holds an inline table or a scalar: merge
	// in the decoded document and rewrite that key whole.
	_, kvs, err := scanTOML(data)
	if err != nil {
		return nil, err
	}
	for _, kv := range kvs {
		if hasPrefix(path, kv.path) && len(kv.path) < len(path) {
			var doc map[string]any
			if err := toml.Unmarshal(data, &doc); err != nil {
				return nil, err
			}
			cur := lookup(doc, kv.path)
			obj, _ := cur.(map[string]any)
			if obj == nil {
				obj = map[string]any{}
			}
			setIn(obj, path[len(kv.path):], value)
			return editTOML(data, kv.path, obj, false)
		}
	}
	return insertTOML(data, path, value)
}

// tableUnder reports a [table] at or under path.
func tableUnder(hs []tomlHeader, path []string) bool {
	for _, h := range hs {
		if hasPrefix(h.path, path) {
			return true
		}
	}
	return false
}

func lookup(doc map[string]any, path []string) any {
	var cur any = doc
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func setIn(obj map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[k] = next
		}
		obj = next
	}
	obj[path[len(path)-1]] = v
}

// removeTOML removes path: its key/value lines and the tables under it.
func removeTOML(data []byte, path []string) ([]byte, error) {
	hs, kvs, err := scanTOML(data)
	if err != nil {
		return nil, err
	}
	type span struct{ start, end int }
	var cut []span
	for i, h := range hs {
		if hasPrefix(h.path, path) {
			end := len(data)
			if i+1 < len(hs) {
				end = hs[i+1].line
			}
			cut = append(cut, span{h.line, end})
		}
	}
	for _, kv := range kvs {
		if hasPrefix(kv.path, path) {
			cut = append(cut, span{kv.start, kv.lineEnd})
		}
	}
	if len(cut) == 0 {
		return data, nil
	}
	sort.Slice(cut, func(i, j int) bool { return cut[i].start < cut[j].start })
	var out []byte
	pos := 0
	for _, c := range cut {
		if c.start < pos {
			if c.end > pos {
				pos = c.end
			}
			continue
		}
		out = append(out, data[pos:c.start]...)
		pos = c.end
	}
	return append(out, data[pos:]...), nil
}

// insertTOML adds a key that is not in the document: into the deepest
// table that holds it, else as a new table at the end (or at the top
// level for a plain key).
func insertTOML(data []byte, path []string, value any) ([]byte, error) {
	hs, kvs, err := scanTOML(data)
	if err != nil {
		return nil, err
	}
	best := -1
	for i, h := range hs {
		if !h.array && hasPrefix(path, h.path) && len(h.path) < len(path) && (best < 0 || len(h.path) > len(hs[best].path)) {
			best = i
		}
	}
	var table []string
	var at int
	switch {
	case best >= 0:
		table = hs[best].path
		at = hs[best].line
		at = lineEndOf(data, at)
		for _, kv := range kvs {
			if kv.start >= hs[best].line && (best+1 >= len(hs) || kv.start < hs[best+1].line) && kv.lineEnd > at {
				at = kv.lineEnd
			}
		}
	case len(path) == 1 || len(hs) == 0:
		// The top level: after its last key, before the first table.
		at = 0
		limit := len(data)
		if len(hs) > 0 {
			limit = hs[0].line
		}
		for _, kv := range kvs {
			if kv.start < limit && kv.lineEnd > at {
				at = kv.lineEnd
			}
		}
		if len(hs) > 0 && at == 0 {
			at = limit
		}
	default:
		table = path[:len(path)-1]
		v, err := tomlValue(value)
		if err != nil {
			return nil, err
		}
		out := append([]byte(nil), data...)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		if len(out) > 0 {
			out = append(out, '\n')
		}
		out = append(out, fmt.Sprintf("[%s]\n%s = %s\n", tomlPath(table), tomlKey(path[len(path)-1]), v)...)
		return out, nil
	}
	v, err := tomlValue(value)
	if err != nil {
		return nil, err
	}
	line := tomlPath(path[len(table):]) + " = " + v + "\n"
	out := append([]byte(nil), data[:at]...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, line...)
	return append(out, data[at:]...), nil
}
