package execpolicy

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/codexgo/common/protocol"
)

// decodeRequest parses one JSONL request. The common shape (known keys,
// strings without escapes, numeric or plain-string ids) is read directly;
// anything else goes through encoding/json, so the result is always what
// json.Unmarshal gives (FuzzDecodeRequest checks this).
func decodeRequest(data []byte, req *protocol.PolicyRequest) error {
	if fastDecodeRequest(data, req) {
		return nil
	}
	*req = protocol.PolicyRequest{}
	return json.Unmarshal(data, req)
}

type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScan) eat(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string with no escapes and valid UTF-8.
func (s *jsonScan) str() (string, bool) {
	if !s.eat('"') {
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

func (s *jsonScan) strs() ([]string, bool) {
	if !s.eat('[') {
		return nil, false
	}
	out := []string{}
	if s.eat(']') {
		return out, true
	}
	for {
		v, ok := s.str()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if s.eat(',') {
			continue
		}
		if s.eat(']') {
			return out, true
		}
		return nil, false
	}
}

// id reads a number, an escape-free string, true, false or null, raw.
func (s *jsonScan) id() ([]byte, bool) {
	s.ws()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '"' {
		if _, ok := s.str(); !ok {
			return nil, false
		}
		return s.b[start:s.i], true
	}
	for _, lit := range []string{"true", "false", "null"} {
		if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
			s.i += len(lit)
			return s.b[start:s.i], true
		}
	}
	// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		return nil, false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return s.b[start:s.i], true
}

func fastDecodeRequest(data []byte, req *protocol.PolicyRequest) bool {
	*req = protocol.PolicyRequest{}
	s := &jsonScan{b: data}
	if !s.eat('{') {
		return false
	}
	if !s.eat('}') {
		for {
			key, ok := s.str()
			if !ok || !s.eat(':') {
				return false
			}
			switch key {
			case "id":
				raw, ok := s.id()
				if !ok {
					return false
				}
				req.ID = append(json.RawMessage(nil), raw...)
			case "argv", "argv_b64", "writable_roots", "readable_roots":
				v, ok := s.strs()
				if !ok {
					return false
				}
				switch key {
				case "argv":
					req.Argv = v
				case "argv_b64":
					req.ArgvB64 = v
				case "writable_roots":
					req.WritableRoots = v
				default:
					req.ReadableRoots = v
				}
			case "script", "cwd":
				v, ok := s.str()
				if !ok {
					return false
				}
				if key == "script" {
					req.Script = v
				} else {
					req.Cwd = v
				}
			default:
				return false
			}
			if s.eat(',') {
				continue
			}
			if s.eat('}') {
				break
			}
			return false
		}
	}
	s.ws()
	return s.i == len(s.b)
}
