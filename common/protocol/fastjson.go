package protocol

import (
	"strconv"

	"github.com/codexgo/common/jsonlite"
)

// The sandbox writes an ExecResult (or a report) once per command, usually
// as its process's only use of encoding/json, whose first use costs a
// fresh process ~0.25 ms of reflection and page faults. These encoders
// produce exactly the bytes json.Marshal does for the same values
// (TestFastJSONMatchesEncodingJSON and FuzzFastJSON compare them), so
// readers cannot tell them apart.

// AppendJSON appends r encoded as json.Marshal would encode it.
func (r ExecResult) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	if r.ProtocolVersion != 0 {
		b = append(b, `"protocol_version":`...)
		b = strconv.AppendInt(b, int64(r.ProtocolVersion), 10)
		b = append(b, ',')
	}
	b = append(b, `"exit_code":`...)
	b = strconv.AppendInt(b, int64(r.ExitCode), 10)
	if r.Signal != 0 {
		b = append(b, `,"signal":`...)
		b = strconv.AppendInt(b, int64(r.Signal), 10)
	}
	b = append(b, `,"timed_out":`...)
	b = strconv.AppendBool(b, r.TimedOut)
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendInt(b, r.DurationMS, 10)
	b = append(b, `,"stdout":`...)
	b = AppendJSONString(b, r.Stdout)
	b = append(b, `,"stderr":`...)
	b = AppendJSONString(b, r.Stderr)
	if r.StdoutTruncated {
		b = append(b, `,"stdout_truncated":true`...)
	}
	if r.StderrTruncated {
		b = append(b, `,"stderr_truncated":true`...)
	}
	if r.Error != "" {
		b = append(b, `,"error":`...)
		b = AppendJSONString(b, r.Error)
	}
	if r.Sandbox != nil {
		b = append(b, `,"sandbox":`...)
		b = r.Sandbox.AppendJSON(b)
	}
	return append(b, '}')
}

// AppendJSON appends r encoded as json.Marshal would encode it.
func (r *SandboxReport) AppendJSON(b []byte) []byte {
	if r == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"mechanism":`...)
	b = AppendJSONString(b, r.Mechanism)
	if r.LandlockABI != 0 {
		b = append(b, `,"landlock_abi":`...)
		b = strconv.AppendInt(b, int64(r.LandlockABI), 10)
	}
	b = appendStrings(b, `,"active":`, r.Active)
	b = appendStrings(b, `,"unavailable":`, r.Unavailable)
	b = appendStrings(b, `,"writable_roots":`, r.WritableRoots)
	b = appendStrings(b, `,"read_only_subpaths":`, r.ReadOnlySubpaths)
	if r.Denied {
		b = append(b, `,"denied":true`...)
	}
	if r.NetworkHint != "" {
		b = append(b, `,"network_hint":`...)
		b = AppendJSONString(b, r.NetworkHint)
	}
	return append(b, '}')
}

// AppendJSON appends p encoded as json.Marshal would encode it.
func (p SandboxPolicy) AppendJSON(b []byte) []byte {
	b = append(b, `{"mode":`...)
	b = AppendJSONString(b, string(p.Mode))
	b = appendStrings(b, `,"writable_roots":`, p.WritableRoots)
	for _, f := range []struct {
		key string
		on  bool
	}{
		{`,"network_access":true`, p.NetworkAccess},
		{`,"exclude_tmpdir_env_var":true`, p.ExcludeTmpdirEnvVar},
		{`,"exclude_slash_tmp":true`, p.ExcludeSlashTmp},
		{`,"allow_unix_sockets":true`, p.AllowUnixSockets},
	} {
		if f.on {
			b = append(b, f.key...)
		}
	}
	b = appendStrings(b, `,"read_only_subpaths":`, p.ReadOnlySubpaths)
	return append(b, '}')
}

// appendStrings appends an omitempty string list field.
func appendStrings(b []byte, key string, list []string) []byte {
	if len(list) == 0 {
		return b
	}
	b = append(b, key...)
	for i, s := range list {
		if i == 0 {
			b = append(b, '[')
		} else {
			b = append(b, ',')
		}
		b = AppendJSONString(b, s)
	}
	return append(b, ']')
}

// AppendJSONString appends s as a JSON string exactly as json.Marshal
// writes it (HTML-safe).
func AppendJSONString(b []byte, s string) []byte { return jsonlite.AppendString(b, s, true) }
