package execpolicy

import (
	"encoding/json"

	"github.com/codexgo/common/jsonlite"
	"github.com/codexgo/common/protocol"
)

// decodeRequest parses one JSONL request. The common shape (known keys,
// strings without escapes, numeric or plain-string ids) is read directly;
// anything else goes through encoding/json, so the result is always what
// json.Unmarshal gives (FuzzDecodeRequest checks this).
func decodeRequest(data []byte, req *protocol.PolicyRequest) error {
	if !fastDecodeRequest(data, req) {
		*req = protocol.PolicyRequest{}
		if err := json.Unmarshal(data, req); err != nil {
			return err
		}
	}
	return protocol.CheckVersion("request", req.ProtocolVersion, protocol.PolicyProtocolVersion)
}

// scanID reads a number, an escape-free string, true, false or null, raw.
func scanID(s *jsonlite.Scanner) ([]byte, bool) {
	s.Space()
	start := s.Pos
	if s.Pos < len(s.Buf) && s.Buf[s.Pos] == '"' {
		if _, ok := s.Str(); !ok {
			return nil, false
		}
		return s.Buf[start:s.Pos], true
	}
	for _, lit := range []string{"true", "false", "null"} {
		if len(s.Buf)-s.Pos >= len(lit) && string(s.Buf[s.Pos:s.Pos+len(lit)]) == lit {
			s.Pos += len(lit)
			return s.Buf[start:s.Pos], true
		}
	}
	// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
	digits := func() int {
		n := 0
		for s.Pos < len(s.Buf) && s.Buf[s.Pos] >= '0' && s.Buf[s.Pos] <= '9' {
			s.Pos++
			n++
		}
		return n
	}
	if s.Pos < len(s.Buf) && s.Buf[s.Pos] == '-' {
		s.Pos++
	}
	if s.Pos < len(s.Buf) && s.Buf[s.Pos] == '0' {
		s.Pos++
	} else if digits() == 0 {
		return nil, false
	}
	if s.Pos < len(s.Buf) && s.Buf[s.Pos] == '.' {
		s.Pos++
		if digits() == 0 {
			return nil, false
		}
	}
	if s.Pos < len(s.Buf) && (s.Buf[s.Pos] == 'e' || s.Buf[s.Pos] == 'E') {
		s.Pos++
		if s.Pos < len(s.Buf) && (s.Buf[s.Pos] == '+' || s.Buf[s.Pos] == '-') {
			s.Pos++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return s.Buf[start:s.Pos], true
}

// fastDecodeRequest is the fast path of decodeRequest. The request's
// strings share one copy of the line (one allocation instead of one per
// string) and its ID aliases data.
func fastDecodeRequest(data []byte, req *protocol.PolicyRequest) bool {
	*req = protocol.PolicyRequest{}
	s := &jsonlite.Scanner{Buf: data, Src: string(data)}
	if !s.Eat('{') {
		return false
	}
	if !s.Eat('}') {
		for {
			key, ok := s.Key()
			if !ok || !s.Eat(':') {
				return false
			}
			switch string(key) {
			case "id":
				raw, ok := scanID(s)
				if !ok {
					return false
				}
				req.ID = raw[:len(raw):len(raw)]
			case "argv", "argv_b64", "writable_roots", "readable_roots":
				v, ok := s.Strs()
				if !ok {
					return false
				}
				switch string(key) {
				case "argv":
					req.Argv = v
				case "argv_b64":
					req.ArgvB64 = v
				case "writable_roots":
					req.WritableRoots = v
				default:
					req.ReadableRoots = v
				}
			case "protocol_version":
				// A small non-negative integer; anything else goes to
				// encoding/json.
				s.Space()
				n, start := 0, s.Pos
				for s.Pos < len(s.Buf) && s.Buf[s.Pos] >= '0' && s.Buf[s.Pos] <= '9' && s.Pos-start < 6 {
					n = n*10 + int(s.Buf[s.Pos]-'0')
					s.Pos++
				}
				if s.Pos == start || (s.Buf[start] == '0' && s.Pos-start > 1) || (s.Pos < len(s.Buf) && (s.Buf[s.Pos] >= '0' && s.Buf[s.Pos] <= '9' || s.Buf[s.Pos] == '.' || s.Buf[s.Pos] == 'e' || s.Buf[s.Pos] == 'E')) {
					return false
				}
				req.ProtocolVersion = n
			case "script", "cwd":
				v, ok := s.Str()
				if !ok {
					return false
				}
				if string(key) == "script" {
					req.Script = v
				} else {
					req.Cwd = v
				}
			default:
				return false
			}
			if s.Eat(',') {
				continue
			}
			if s.Eat('}') {
				break
			}
			return false
		}
	}
	return s.Done()
}
