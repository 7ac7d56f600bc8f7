package seatbelt

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
)

var update = flag.Bool("update", false, "rewrite the golden profiles in testdata")

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		plan sandboxpolicy.Plan
	}{
		{"read-only", sandboxpolicy.Plan{Policy: protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}}},
		{"danger-full-access", sandboxpolicy.Plan{Policy: protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}}},
		{"workspace-write", sandboxpolicy.Plan{
			Policy:        protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite},
			WritableRoots: []string{"/Users/me/project", "/private/tmp"},
			Protected:     []string{"/Users/me/project/.git", "/Users/me/project/.git/worktrees/x"},
		}},
		{"workspace-write-nested", sandboxpolicy.Plan{
			Policy:        protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite},
			WritableRoots: []string{"/private/tmp", "/private/tmp/work/repo"},
			Protected:     []string{"/private/tmp/work/repo/.git"},
			Pinned:        []string{"/private/tmp/work", "/private/tmp/work/repo"},
		}},
		{"workspace-write-network", sandboxpolicy.Plan{
			Policy:        protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, NetworkAccess: true},
			WritableRoots: []string{"/Users/me/project"},
		}},
		{"read-only-unix-sockets", sandboxpolicy.Plan{Policy: protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly, AllowUnixSockets: true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Generate(&tc.plan)
			var b strings.Builder
			b.WriteString(p.Text)
			b.WriteString("\n;; parameters\n")
			for _, d := range p.Params {
				b.WriteString(";; -D" + d.Name + "=" + d.Value + "\n")
			}
			got := b.String()
			path := filepath.Join("testdata", tc.name+".sb")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if got != string(want) {
				t.Errorf("profile differs from %s (run with -update if intended):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	p := Profile{Text: "(version 1)", Params: []Param{{"WRITABLE_ROOT_0", "/a b"}}}
	got := strings.Join(p.Args(), "|")
	if want := "-p|(version 1)|-DWRITABLE_ROOT_0=/a b"; got != want {
		t.Errorf("args %q, want %q", got, want)
	}
}

// FuzzGenerate checks that no path, however odd, reaches the profile
// text: paths travel only as -D parameters.
func FuzzGenerate(f *testing.F) {
	f.Add("/Users/me/p", "/x/.git", true)
	f.Add(`/a") (allow default) ("`, "", false)
	f.Fuzz(func(t *testing.T, root, protected string, network bool) {
		if !strings.HasPrefix(root, "/") || len(root) < 4 {
			return
		}
		plan := sandboxpolicy.Plan{
			Policy:        protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, NetworkAccess: network},
			WritableRoots: []string{root},
			Protected:     []string{protected},
		}
		p := Generate(&plan)
		if strings.Contains(p.Text, root) {
			t.Errorf("root %q spliced into the profile", root)
		}
		if !strings.Contains(p.Text, "(deny default)") {
			t.Errorf("profile lost (deny default)")
		}
		found := false
		for _, d := range p.Params {
			if d.Value == root {
				found = true
			}
		}
		if !found {
			t.Errorf("root %q not passed as a parameter", root)
		}
	})
}
