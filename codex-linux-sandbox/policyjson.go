package linuxsandbox

import (
	"encoding/json"

	"github.com/codexgo/common/jsonlite"
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
	s := jsonlite.Scanner{Buf: b}
	if !s.Eat('{') {
		return p, false
	}
	first := true
	for !s.Eat('}') {
		if !first && !s.Eat(',') {
			return p, false
		}
		first = false
		key, ok := s.Str()
		if !ok || !s.Eat(':') {
			return p, false
		}
		switch key {
		case "mode":
			v, ok := s.Str()
			if !ok {
				return p, false
			}
			p.Mode = protocol.SandboxMode(v)
		case "writable_roots":
			roots, ok := s.Strs()
			if !ok {
				return p, false
			}
			p.WritableRoots = roots
		case "network_access":
			ok = s.Bool(&p.NetworkAccess)
		case "exclude_tmpdir_env_var":
			ok = s.Bool(&p.ExcludeTmpdirEnvVar)
		case "exclude_slash_tmp":
			ok = s.Bool(&p.ExcludeSlashTmp)
		case "allow_unix_sockets":
			ok = s.Bool(&p.AllowUnixSockets)
		case "read_only_subpaths":
			roots, ok2 := s.Strs()
			ok = ok2
			p.ReadOnlySubpaths = roots
		default:
			return p, false
		}
		if !ok {
			return p, false
		}
	}
	if !s.Done() {
		return p, false
	}
	if _, err := protocol.ParseSandboxMode(string(p.Mode)); err != nil {
		return p, false // encoding/json words the error
	}
	return p, true
}
