package linuxsandbox

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/codexgo/common/protocol"
)

var policySeeds = []string{
	`{"mode":"workspace-write"}`,
	`{"mode":"read-only"}`,
	` { "mode" : "danger-full-access" } `,
	`{"mode":"workspace-write","writable_roots":["/a","/b c"],"network_access":true,"exclude_tmpdir_env_var":false,"exclude_slash_tmp":true,"allow_unix_sockets":true}`,
	`{"mode":"workspace-write","writable_roots":[]}`,
	`{"mode":"workspace-write","writable_roots":["/a"],"writable_roots":["/b"]}`,
	`{"writable_roots":["/a"]}`,
	`{"mode":"bogus"}`,
	`"read-only"`,
	`{"Mode":"read-only"}`,
	`{"mode":"read-only","extra":1}`,
	`{"mode":"read-\u006fnly"}`,
	`{"mode":"read-only","writable_roots":null}`,
	`{"mode":"read-only","network_access":1}`,
	`{"mode":"read-only"}x`,
	`{"mode":"read-only",}`,
	"{\"mode\":\"workspace-write\",\"writable_roots\":[\"/\xff\"]}",
	`{"mode":"workspace-write","writable_roots":["/é"]}`,
	`[]`, ``, `{`, `{"mode"`, `{"mode":"read-only","network_access":tru}`,
}

// TestDecodePolicyMatchesEncodingJSON checks the fast path against
// encoding/json on the seeds (FuzzDecodePolicy explores further).
func TestDecodePolicyMatchesEncodingJSON(t *testing.T) {
	for _, s := range policySeeds {
		comparePolicyDecoders(t, []byte(s))
	}
	// The common shapes take the fast path.
	for _, s := range policySeeds[:6] {
		if _, ok := decodeSimplePolicy([]byte(s)); !ok {
			t.Errorf("%s: not decoded by the fast path", s)
		}
	}
}

func comparePolicyDecoders(t *testing.T, b []byte) {
	t.Helper()
	got, gotErr := DecodePolicy(b)
	var want protocol.SandboxPolicy
	wantErr := json.Unmarshal(b, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%q: error %v, encoding/json says %v", b, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: got %+v, encoding/json says %+v", b, got, want)
	}
	if gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%q: error %q, encoding/json says %q", b, gotErr, wantErr)
	}
}

// FuzzDecodePolicy: DecodePolicy agrees with encoding/json on any input.
func FuzzDecodePolicy(f *testing.F) {
	for _, s := range policySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { comparePolicyDecoders(t, b) })
}

// TestHelperReportEncoding: the report lines are the bytes encoding/json
// would write.
func TestHelperReportEncoding(t *testing.T) {
	for _, h := range []HelperReport{
		{Stage: "exec", Report: &protocol.SandboxReport{Mechanism: "landlock", LandlockABI: 7, Active: []string{"a <b> & \"c\""},
			WritableRoots: []string{"/w\xff"}, ReadOnlySubpaths: []string{"/w/.git"}}},
		{Stage: "error", Error: "exec x: not found\n", ExitCode: 127},
		{},
	} {
		want, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.appendJSON(nil); string(got) != string(want) {
			t.Errorf("got %s\nwant %s", got, want)
		}
	}
}
