package linuxsandbox

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/codexgo/common/protocol"
)

// DecodePolicy decodes the Codex sandbox-policy JSON exactly as
// encoding/json does into protocol.SandboxPolicy (its UnmarshalJSON).
// The common shapes, an object with the known keys spelled as documented
// and plain string, boolean and string-array values, are read by a small
// scanner: encoding/json's first use costs ~0.15 ms of reflection in a
// fresh process, a tenth of the helper's own start. Anything else (escapes,
// null, other keys or spellings, bare strings, malformed input) goes to
// encoding/json, so results and errors never differ (FuzzDecodePolicy
// compares the two).
func DecodePolicy(b []byte) (protocol.SandboxPolicy, error) {
	if p, ok := decodeSimplePolicy(b); ok {
		return p, nil
	}
	var p protocol.SandboxPolicy
	err := json.Unmarshal(b, &p)
	return p, err
}

// decodeSimplePolicy is the fast path; ok is false whenever the input is
// not in the simple shape, valid or not.
func decodeSimplePolicy(b []byte) (p protocol.SandboxPolicy, ok bool) {
	s := policyScanner{b: b}
	if !s.byte('{') {
		return p, false
	}
	first := true
	for {
		s.space()
		if s.peek() == '}' {
			s.i++
			break
		}
		if !first && !s.byte(',') {
			return p, false
		}
		first = false
		key, ok := s.str()
		if !ok || !s.byte(':') {
			return p, false
		}
		switch key {
		case "mode":
			v, ok := s.str()
			if !ok {
				return p, false
			}
			p.Mode = protocol.SandboxMode(v)
		case "writable_roots":
			roots, ok := s.strs()
			if !ok {
				return p, false
			}
			p.WritableRoots = roots
		case "network_access":
			ok = s.boolean(&p.NetworkAccess)
		case "exclude_tmpdir_env_var":
			ok = s.boolean(&p.ExcludeTmpdirEnvVar)
		case "exclude_slash_tmp":
			ok = s.boolean(&p.ExcludeSlashTmp)
		case "allow_unix_sockets":
			ok = s.boolean(&p.AllowUnixSockets)
		default:
			return p, false
		}
		if !ok {
			return p, false
		}
	}
	s.space()
	if s.i != len(b) {
		return p, false
	}
	if _, err := protocol.ParseSandboxMode(string(p.Mode)); err != nil {
		return p, false // encoding/json words the error
	}
	return p, true
}

type policyScanner struct {
	b []byte
	i int
}

func (s *policyScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *policyScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// byte skips space and then c.
func (s *policyScanner) byte(c byte) bool {
	s.space()
	if s.peek() != c {
		return false
	}
	s.i++
	return true
}

// str reads a string without escapes or control characters, of valid
// UTF-8 (encoding/json would rewrite invalid bytes).
func (s *policyScanner) str() (string, bool) {
	if !s.byte('"') {
		return "", false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !utf8.Valid(v) {
				return "", false
			}
			return string(v), true
		case c == '\\' || c < 0x20:
			return "", false
		}
		s.i++
	}
	return "", false
}

// strs reads an array of simple strings.
func (s *policyScanner) strs() ([]string, bool) {
	if !s.byte('[') {
		return nil, false
	}
	out := []string{}
	s.space()
	if s.peek() == ']' {
		s.i++
		return out, true
	}
	for {
		v, ok := s.str()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		s.space()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return out, true
		default:
			return nil, false
		}
	}
}

func (s *policyScanner) boolean(dst *bool) bool {
	s.space()
	rest := s.b[s.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		*dst, s.i = true, s.i+4
	case len(rest) >= 5 && string(rest[:5]) == "false":
		*dst, s.i = false, s.i+5
	default:
		return false
	}
	return true
}
