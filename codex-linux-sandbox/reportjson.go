package linuxsandbox

import (
	"encoding/json"

	"github.com/codexgo/common/jsonlite"
	"github.com/codexgo/common/protocol"
)

// DecodeHelperReport decodes one report line exactly as encoding/json
// decodes it into a HelperReport. The lines this helper and its init
// write (plain strings, small integers, the documented keys) are read by
// a small scanner: the supervisor decodes them after every command, and
// encoding/json's first use costs a fresh process ~0.2 ms of reflection
// (README, Speed). Anything else (escapes, null, other keys or
// spellings, malformed input) goes to encoding/json, so results and
// errors never differ (FuzzDecodeHelperReport compares the two).
func DecodeHelperReport(b []byte) (HelperReport, error) {
	if h, ok := decodeSimpleReport(b); ok {
		return h, nil
	}
	var h HelperReport
	err := json.Unmarshal(b, &h)
	return h, err
}

// decodeSimpleReport is the fast path; ok is false whenever the input is
// not in the simple shape, valid or not.
func decodeSimpleReport(b []byte) (h HelperReport, ok bool) {
	s := jsonlite.Scanner{Buf: b}
	ok = object(&s, func(key string) bool {
		switch key {
		case "protocol_version":
			return integer(&s, &h.ProtocolVersion)
		case "stage":
			return str(&s, &h.Stage)
		case "sandbox":
			if h.Report == nil {
				// A repeated key decodes into the same report, as
				// encoding/json does.
				h.Report = &protocol.SandboxReport{}
			}
			return decodeSimpleSandboxReport(&s, h.Report)
		case "error":
			return str(&s, &h.Error)
		case "exit_code":
			return integer(&s, &h.ExitCode)
		case "status":
			if h.Status == nil {
				h.Status = new(int)
			}
			return integer(&s, h.Status)
		}
		return false
	})
	return h, ok && s.Done()
}

// decodeSimpleSandboxReport reads a protocol.SandboxReport object. As
// encoding/json does, a key given twice decodes into the same value
// (arrays are replaced, not appended to).
func decodeSimpleSandboxReport(s *jsonlite.Scanner, r *protocol.SandboxReport) bool {
	return object(s, func(key string) bool {
		switch key {
		case "mechanism":
			return str(s, &r.Mechanism)
		case "landlock_abi":
			return integer(s, &r.LandlockABI)
		case "active":
			return strs(s, &r.Active)
		case "unavailable":
			return strs(s, &r.Unavailable)
		case "writable_roots":
			return strs(s, &r.WritableRoots)
		case "read_only_subpaths":
			return strs(s, &r.ReadOnlySubpaths)
		case "denied":
			return s.Bool(&r.Denied)
		case "network_hint":
			return str(s, &r.NetworkHint)
		}
		return false
	})
}

// object reads {"key":value,...}, calling field for each key with the
// scanner before the value; field reads the value.
func object(s *jsonlite.Scanner, field func(key string) bool) bool {
	if !s.Eat('{') {
		return false
	}
	for first := true; !s.Eat('}'); first = false {
		if !first && !s.Eat(',') {
			return false
		}
		key, ok := s.Str()
		if !ok || !s.Eat(':') || !field(key) {
			return false
		}
	}
	return true
}

func str(s *jsonlite.Scanner, dst *string) bool {
	v, ok := s.Str()
	*dst = v
	return ok
}

func strs(s *jsonlite.Scanner, dst *[]string) bool {
	v, ok := s.Strs()
	*dst = v
	return ok
}

// integer reads a JSON integer of at most 18 digits (no fraction, no
// exponent, no leading zero: anything else is left to encoding/json).
func integer(s *jsonlite.Scanner, dst *int) bool {
	s.Space()
	i, neg := s.Pos, false
	if i < len(s.Buf) && s.Buf[i] == '-' {
		neg = true
		i++
	}
	start := i
	v := 0
	for i < len(s.Buf) && s.Buf[i] >= '0' && s.Buf[i] <= '9' {
		v = v*10 + int(s.Buf[i]-'0')
		i++
	}
	n := i - start
	if n == 0 || n > 18 || (n > 1 && s.Buf[start] == '0') {
		return false
	}
	if i < len(s.Buf) && (s.Buf[i] == '.' || s.Buf[i] == 'e' || s.Buf[i] == 'E') {
		return false
	}
	if neg {
		v = -v
	}
	*dst, s.Pos = v, i
	return true
}
