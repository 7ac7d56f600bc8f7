package linuxsandbox

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/codexgo/common/protocol"
)

// reportSeeds: the first ones are the shapes the helper and its init
// write, which must take the fast path; the rest probe where it must
// hand over to encoding/json.
var reportSeeds = []string{
	`{"protocol_version":1,"stage":"exit","status":0}`,
	`{"protocol_version":1,"stage":"error","error":"exec x: no such file or directory","exit_code":127}`,
	`{"protocol_version":1,"stage":"exec","sandbox":{"mechanism":"none"}}`,
	`{"stage":"exit","status":0}`,
	`{"stage":"exit","status":34560}`,
	`{"stage":"error","error":"exec x: no such file or directory","exit_code":127}`,
	`{"stage":"exec","sandbox":{"mechanism":"landlock","landlock_abi":7,"active":["landlock-fs","seccomp-net"],"unavailable":[],"writable_roots":["/w","/tmp"],"read_only_subpaths":["/w/.git"],"denied":true,"network_hint":"off"}}`,
	`{"stage":"exec","sandbox":{"mechanism":"none"}}`,
	` { "stage" : "exit" , "status" : -0 } `,
	`{"stage":"exec","sandbox":{"mechanism":"a"},"sandbox":{"active":["x"]}}`,
	`{"stage":"exec","status":1,"status":2}`,
	`{"stage":"exit","status":01}`,
	`{"stage":"exit","status":1.5}`,
	`{"stage":"exit","status":1e3}`,
	`{"stage":"exit","status":99999999999999999999}`,
	`{"stage":"exit","status":-}`,
	`{"stage":"exit","status":null}`,
	`{"stage":"exit","sandbox":null}`,
	`{"Stage":"exit"}`,
	`{"stage":"e\"x"}`,
	`{"stage":"exit","extra":1}`,
	`{"stage":1}`,
	`{"stage":"exit"}x`,
	`{"stage":"exit",}`,
	"{\"stage\":\"\xff\"}",
	`{"stage":"exec","sandbox":{"denied":tru}}`,
	`{"stage":"exec","sandbox":{"active":["a",]}}`,
	`{"protocol_version":1.5,"stage":"exit"}`,
	`{"protocol_version":"1","stage":"exit"}`,
	`{"protocol_version":null,"stage":"exit"}`,
	`[]`, ``, `{`, `{"stage"`, `{"stage":"exit","status":`,
}

// TestDecodeHelperReportMatchesEncodingJSON checks the fast path against
// encoding/json on the seeds (FuzzDecodeHelperReport explores further),
// and the lines the helper writes itself.
func TestDecodeHelperReportMatchesEncodingJSON(t *testing.T) {
	for _, s := range reportSeeds {
		compareReportDecoders(t, []byte(s))
	}
	for _, s := range reportSeeds[:11] {
		if _, ok := decodeSimpleReport([]byte(s)); !ok {
			t.Errorf("%s: not decoded by the fast path", s)
		}
	}
	for _, h := range []HelperReport{
		{Stage: "exec", Report: &protocol.SandboxReport{Mechanism: "landlock", LandlockABI: 7, Active: []string{"landlock-fs"},
			Unavailable: []string{"protected-subpaths: no mount namespace"}, WritableRoots: []string{"/w"}, ReadOnlySubpaths: []string{"/w/.git"}}},
		{Stage: "error", Error: "sandbox setup failed: x", ExitCode: 125},
		{ProtocolVersion: protocol.SandboxReportProtocolVersion, Stage: "error", Error: "x", ExitCode: 127},
	} {
		line := h.appendJSON(nil)
		got, ok := decodeSimpleReport(line)
		if !ok || !reflect.DeepEqual(got, h) {
			t.Errorf("%s: fast path gave %+v (ok %v), want %+v", line, got, ok, h)
		}
	}
}

func compareReportDecoders(t *testing.T, b []byte) {
	t.Helper()
	got, gotErr := DecodeHelperReport(b)
	var want HelperReport
	wantErr := json.Unmarshal(b, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%q: error %v, encoding/json says %v", b, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: got %+v, encoding/json says %+v", b, got, want)
	}
	if gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%q: error %q, encoding/json says %q", b, gotErr, wantErr)
	}
}

// FuzzDecodeHelperReport: DecodeHelperReport agrees with encoding/json on
// any input.
func FuzzDecodeHelperReport(f *testing.F) {
	for _, s := range reportSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { compareReportDecoders(t, b) })
}
