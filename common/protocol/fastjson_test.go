package protocol

import (
	"encoding/json"
	"testing"
)

var fastJSONStrings = []string{"", "plain", `q"uote\back`, "<a href='x'>&</a>", "tab\tnl\nret\rbs\bff\f",
	"\x00\x01\x1f\x7f", "é ü 日本", "\u2028\u2029", "bad \xff\xfe utf8 \xc3", "emoji 😀", "/tmp/x y"}

func checkFastJSON(t *testing.T, r ExecResult) {
	t.Helper()
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.AppendJSON(nil); string(got) != string(want) {
		t.Fatalf("AppendJSON:\n got %s\nwant %s", got, want)
	}
}

func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	checkFastJSON(t, ExecResult{})
	checkFastJSON(t, ExecResult{ProtocolVersion: ExecProtocolVersion, ExitCode: 2})
	for _, s := range fastJSONStrings {
		checkFastJSON(t, ExecResult{ExitCode: 1, Stdout: s, Stderr: s, Error: s})
		checkFastJSON(t, ExecResult{ExitCode: -3, Signal: 9, TimedOut: true, DurationMS: 1 << 40,
			StdoutTruncated: true, StderrTruncated: true, Sandbox: &SandboxReport{Mechanism: s}})
		checkFastJSON(t, ExecResult{Sandbox: &SandboxReport{Mechanism: "landlock", LandlockABI: 7,
			Active: []string{s, "x"}, Unavailable: []string{s}, WritableRoots: []string{"/w", s},
			ReadOnlySubpaths: []string{s}, Denied: true, NetworkHint: s}})
	}
	// Empty, not nil, lists are omitted too.
	checkFastJSON(t, ExecResult{Sandbox: &SandboxReport{Active: []string{}, WritableRoots: []string{}}})
}

func TestFastPolicyJSON(t *testing.T) {
	for _, s := range fastJSONStrings {
		for _, p := range []SandboxPolicy{
			{Mode: SandboxMode(s)},
			{Mode: SandboxWorkspaceWrite, WritableRoots: []string{s, "/x"}, NetworkAccess: true, ExcludeTmpdirEnvVar: true,
				ExcludeSlashTmp: true, AllowUnixSockets: true, ReadOnlySubpaths: []string{s, "/y"}},
			{Mode: SandboxReadOnly, WritableRoots: []string{}, ExcludeSlashTmp: true},
		} {
			want, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.AppendJSON(nil); string(got) != string(want) {
				t.Fatalf("got %s\nwant %s", got, want)
			}
		}
	}
}

// FuzzFastJSON: the encoders agree with encoding/json on any values.
func FuzzFastJSON(f *testing.F) {
	for _, s := range fastJSONStrings {
		f.Add(s, s, 0, int64(0), false, 0)
	}
	f.Fuzz(func(t *testing.T, a, b string, code int, dur int64, flag bool, abi int) {
		checkFastJSON(t, ExecResult{ExitCode: code, Signal: abi, TimedOut: flag, DurationMS: dur, Stdout: a, Stderr: b,
			StdoutTruncated: flag, Error: b})
		checkFastJSON(t, ExecResult{Sandbox: &SandboxReport{Mechanism: a, LandlockABI: abi, Active: []string{a, b},
			Unavailable: []string{b}, WritableRoots: []string{a}, Denied: flag, NetworkHint: b}})
	})
}
