package linuxsandbox

import (
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

func TestDecodePermissionProfile(t *testing.T) {
	const root = `{"path":{"type":"special","value":{"kind":"root"}},"access":"read"}`
	const proj = `{"path":{"type":"special","value":{"kind":"project_roots"}},"access":"write"}`
	managed := func(entries, network string) string {
		return `{"type":"managed","file_system":{"type":"restricted","entries":[` + entries + `]},"network":"` + network + `"}`
	}
	ww := protocol.SandboxWorkspaceWrite
	tests := []struct {
		name, json string
		want       protocol.SandboxPolicy
		err        string
	}{
		{"read-only", managed(root, "restricted"), protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}, ""},
		{"read-only with network", managed(root, "enabled"), protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly, NetworkAccess: true}, ""},
		{"workspace-write", managed(root+","+proj+`,{"path":{"type":"special","value":{"kind":"slash_tmp"}},"access":"write"},{"path":{"type":"special","value":{"kind":"tmpdir"}},"access":"write"},{"path":{"type":"path","path":"/w/.aws"},"access":"read","missing_path_behavior":"skip"}`, "restricted"),
			protocol.SandboxPolicy{Mode: ww, ReadOnlySubpaths: []string{"/w/.aws"}}, ""},
		{"extra roots, tmp excluded", managed(root+","+proj+`,{"path":{"type":"path","path":"/srv/"},"access":"write"},{"path":{"type":"special","value":{"kind":"project_roots","subpath":"sub"}},"access":"write"}`, "enabled"),
			protocol.SandboxPolicy{Mode: ww, NetworkAccess: true, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true, WritableRoots: []string{"/srv", "sub"}}, ""},
		{"cwd as a path", managed(root+`,{"path":{"type":"path","path":"/w"},"access":"write"}`, "restricted"),
			protocol.SandboxPolicy{Mode: ww, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true}, ""},
		{"unknown special ignored", managed(root+","+proj+`,{"path":{"type":"special","value":{"kind":"unknown","path":"zz"}},"access":"write"}`, "restricted"),
			protocol.SandboxPolicy{Mode: ww, ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true}, ""},
		{"disabled", `{"type":"disabled"}`, protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, ""},
		{"external, network", `{"type":"external","network":"enabled"}`, protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, ""},
		{"external, no network", `{"type":"external","network":"restricted"}`, everythingWritable(false), ""},
		{"unrestricted, no network", `{"type":"managed","file_system":{"type":"unrestricted"},"network":"restricted"}`, everythingWritable(false), ""},
		{"deny", managed(root+","+proj+`,{"path":{"type":"path","path":"/w/s"},"access":"none"}`, "restricted"), protocol.SandboxPolicy{}, "denies reading /w/s"},
		{"no readable root", managed(proj, "restricted"), protocol.SandboxPolicy{}, "cannot restrict reads"},
		{"only a subpath writable", managed(root+`,{"path":{"type":"special","value":{"kind":"project_roots","subpath":"s"}},"access":"write"}`, "restricted"), protocol.SandboxPolicy{}, "not the project root"},
		{"relative path", managed(root+`,{"path":{"type":"path","path":"rel"},"access":"write"}`, "restricted"), protocol.SandboxPolicy{}, "not absolute"},
		{"unknown field", `{"type":"disabled","zzz":1}`, protocol.SandboxPolicy{}, "unknown field"},
		{"no network", `{"type":"external"}`, protocol.SandboxPolicy{}, `needs "network"`},
		{"bad network", `{"type":"external","network":"sometimes"}`, protocol.SandboxPolicy{}, "unknown network"},
		{"bad missing behaviour", managed(root+`,{"path":{"type":"path","path":"/x"},"access":"read","missing_path_behavior":"error"}`, "restricted"), protocol.SandboxPolicy{}, "missing_path_behavior"},
		{"sandbox policy shape", `{"mode":"read-only"}`, protocol.SandboxPolicy{}, "unknown field"},
		{"bare string", `"read-only"`, protocol.SandboxPolicy{}, "invalid permission profile JSON"},
		{"trailing data", `{"type":"disabled"} {}`, protocol.SandboxPolicy{}, "data after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodePermissionProfile([]byte(tc.json), "/w")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// FuzzDecodePermissionProfile: any input gives a policy or an error,
// never a panic, and an accepted profile never restricts less than a
// valid mode says.
func FuzzDecodePermissionProfile(f *testing.F) {
	f.Add(`{"type":"managed","file_system":{"type":"restricted","entries":[{"path":{"type":"special","value":{"kind":"root"}},"access":"read"},{"path":{"type":"special","value":{"kind":"project_roots","subpath":"s"}},"access":"write"}]},"network":"restricted"}`)
	f.Add(`{"type":"external","network":"enabled"}`)
	f.Add(`{"type":"disabled"}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := DecodePermissionProfile([]byte(s), "/w")
		if err != nil {
			return
		}
		if _, err := protocol.ParseSandboxMode(string(p.Mode)); err != nil {
			t.Fatalf("accepted %q as mode %q", s, p.Mode)
		}
	})
}
