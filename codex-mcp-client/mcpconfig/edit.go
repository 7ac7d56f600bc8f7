package mcpconfig

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// span is a byte range [start, end) of a config document.
type span struct{ start, end int }

// header is a [table] or [[array table]] line and the block it owns.
type header struct {
	path  []string
	start int // block start: the header line, or comments directly above it
	line  int // the header line itself
}

// keyval is a key = value expression with its full dotted path.
type keyval struct {
	path []string
	span span // whole lines
}

// scan lists the table headers and key/values of a TOML document, with
// their positions, so edits can cut exact line ranges and leave every
// other byte (comments, blank lines, ordering) as the user wrote it.
func scan(data []byte) ([]header, []keyval, error) {
	var p unstable.Parser
	p.Reset(data)
	var (
		headers []header
		kvs     []keyval
		table   []string
	)
	for p.NextExpression() {
		e := p.Expression()
		keys, first := keyPath(e)
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keys
			line := lineStart(data, first)
			headers = append(headers, header{path: keys, start: leadingComments(data, line), line: line})
		case unstable.KeyValue:
			full := append(append([]string(nil), table...), keys...)
			end := int(e.Raw.Offset + e.Raw.Length)
			kvs = append(kvs, keyval{path: full, span: span{lineStart(data, int(e.Raw.Offset)), lineEnd(data, end)}})
		}
	}
	if err := p.Error(); err != nil {
		return nil, nil, fmt.Errorf("parse config.toml: %w", err)
	}
	return headers, kvs, nil
}

// keyPath returns an expression's key parts and the offset of the first.
func keyPath(e *unstable.Node) ([]string, int) {
	var keys []string
	first := -1
	it := e.Key()
	for it.Next() {
		n := it.Node()
		if first < 0 {
			first = int(n.Raw.Offset)
		}
		keys = append(keys, string(n.Data))
	}
	return keys, first
}

func lineStart(data []byte, off int) int {
	if off < 0 {
		return 0
	}
	return bytes.LastIndexByte(data[:off], '\n') + 1
}

// lineEnd returns the offset just past the newline ending the line that
// contains off (trailing comments go with their line).
func lineEnd(data []byte, off int) int {
	if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(data)
}

// leadingComments moves start up over comment lines directly above it.
func leadingComments(data []byte, start int) int {
	for start > 0 {
		prev := lineStart(data, start-1)
		line := strings.TrimSpace(string(data[prev : start-1]))
		if !strings.HasPrefix(line, "#") {
			break
		}
		start = prev
	}
	return start
}

// serverSpans finds every part of the document that defines
// mcp_servers.<name>: its tables (and sub-tables such as .env) and any
// inline or dotted key/values. inPlace reports whether the first span is
// a table block, where a replacement table can go without changing the
// meaning of what follows; headerLine is then that table's header line
// (the comments above it are the user's and are kept on replacement).
func serverSpans(data []byte, name string) (spans []span, inPlace bool, headerLine int, err error) {
	headers, kvs, err := scan(data)
	if err != nil {
		return nil, false, 0, err
	}
	isServer := func(path []string) bool {
		return len(path) >= 2 && path[0] == "mcp_servers" && path[1] == name
	}
	var blocks []span
	for i, h := range headers {
		end := len(data)
		if i+1 < len(headers) {
			end = headers[i+1].start
		}
		if isServer(h.path) {
			if len(blocks) == 0 {
				headerLine = h.line
			}
			blocks = append(blocks, span{h.start, end})
		}
	}
	spans = append(spans, blocks...)
	for _, kv := range kvs {
		if isServer(kv.path) && !inside(kv.span, blocks) {
			spans = append(spans, kv.span)
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	inPlace = len(spans) > 0 && len(blocks) > 0 && spans[0] == blocks[0]
	return spans, inPlace, headerLine, nil
}

func inside(s span, blocks []span) bool {
	for _, b := range blocks {
		if s.start >= b.start && s.end <= b.end {
			return true
		}
	}
	return false
}

// cut removes spans (sorted, non-overlapping) from data.
func cut(data []byte, spans []span) []byte {
	var out []byte
	pos := 0
	for _, s := range spans {
		if s.start < pos {
			s.start = pos
		}
		out = append(out, data[pos:s.start]...)
		pos = s.end
	}
	return append(out, data[pos:]...)
}

// RemoveServer returns data without mcp_servers.<name>, and whether it
// was there. Everything else is kept byte for byte.
func RemoveServer(data []byte, name string) ([]byte, bool, error) {
	spans, _, _, err := serverSpans(data, name)
	if err != nil || len(spans) == 0 {
		return data, false, err
	}
	return cut(data, spans), true, nil
}

// SetServer adds or replaces mcp_servers.<name> with srv. A replaced
// table keeps its place; a new one is appended. Everything else is kept
// byte for byte.
func SetServer(data []byte, name string, srv Server) ([]byte, error) {
	spans, inPlace, headerLine, err := serverSpans(data, name)
	if err != nil {
		return nil, err
	}
	text := renderServer(name, srv)
	var out []byte
	if inPlace {
		at := spans[0].start
		rest := cut(data, spans)
		out = append(out, rest[:at]...)
		out = append(out, data[at:headerLine]...)
		out = append(out, text...)
		if at < len(rest) && !bytes.HasPrefix(rest[at:], []byte("\n")) {
			out = append(out, '\n')
		}
		out = append(out, rest[at:]...)
	} else {
		out = cut(data, spans)
		if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) {
			out = append(out, '\n')
		}
		if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n\n")) {
			out = append(out, '\n')
		}
		out = append(out, text...)
	}
	return out, nil
}

// renderServer writes the tables Codex writes for a server.
func renderServer(name string, s Server) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[mcp_servers.%s]\n", tomlKey(name))
	if s.Command != "" {
		fmt.Fprintf(&b, "command = %s\n", tomlString(s.Command))
		if len(s.Args) > 0 {
			fmt.Fprintf(&b, "args = %s\n", tomlArray(s.Args))
		}
		if len(s.EnvVars) > 0 {
			fmt.Fprintf(&b, "env_vars = %s\n", tomlArray(s.EnvVars))
		}
		if s.Cwd != "" {
			fmt.Fprintf(&b, "cwd = %s\n", tomlString(s.Cwd))
		}
	}
	if s.URL != "" {
		fmt.Fprintf(&b, "url = %s\n", tomlString(s.URL))
		if s.BearerTokenEnvVar != "" {
			fmt.Fprintf(&b, "bearer_token_env_var = %s\n", tomlString(s.BearerTokenEnvVar))
		}
		if len(s.Scopes) > 0 {
			fmt.Fprintf(&b, "scopes = %s\n", tomlArray(s.Scopes))
		}
		if s.OAuthResource != "" {
			fmt.Fprintf(&b, "oauth_resource = %s\n", tomlString(s.OAuthResource))
		}
	}
	if s.Enabled != nil && !*s.Enabled {
		b.WriteString("enabled = false\n")
	}
	if o := s.OAuth; o != nil {
		fmt.Fprintf(&b, "\n[mcp_servers.%s.oauth]\n", tomlKey(name))
		for _, kv := range [][2]string{{"client_id", o.ClientID}, {"client_secret", o.ClientSecret}, {"callback_url", o.CallbackURL},
			{"token_endpoint_auth_method", o.TokenEndpointAuthMethod}, {"authorization_server_issuer", o.AuthorizationServerIssuer}} {
			if kv[1] != "" {
				fmt.Fprintf(&b, "%s = %s\n", kv[0], tomlString(kv[1]))
			}
		}
		if o.CallbackPort != 0 {
			fmt.Fprintf(&b, "callback_port = %d\n", o.CallbackPort)
		}
	}
	for _, sub := range []struct {
		key string
		m   map[string]string
	}{{"env", s.Env}, {"http_headers", s.HTTPHeaders}, {"env_http_headers", s.EnvHTTPHeaders}} {
		if len(sub.m) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n[mcp_servers.%s.%s]\n", tomlKey(name), sub.key)
		for _, k := range sortedKeys(sub.m) {
			fmt.Fprintf(&b, "%s = %s\n", tomlKey(k), tomlString(sub.m[k]))
		}
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tomlKey writes a bare key when TOML allows one, else a quoted key.
func tomlKey(k string) string {
	if ValidName(k) {
		return k
	}
	return tomlString(k)
}

// tomlString writes a TOML basic string.
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
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func tomlArray(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = tomlString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
