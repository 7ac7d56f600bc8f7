package mcpmanager

import (
	"regexp"
	"strings"
	"testing"
)

func TestQualifyName(t *testing.T) {
	long := strings.Repeat("x", 80)
	tests := []struct {
		server, tool, want string
	}{
		{"everything", "echo", "mcp__everything__echo"},
		{"everything", "get-sum", "mcp__everything__get-sum"},
		{"my server", "do.it/now", "mcp__my_server__do_it_now"},
		{"srv", "ünï", "mcp__srv___n_"},
		{"srv", long, "mcp__srv__xxxxxxxxxxxxxx" + sha1Hex("mcp__srv__"+long)},
	}
	valid := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	for _, tt := range tests {
		got := QualifyName(tt.server, tt.tool)
		if got != tt.want {
			t.Errorf("QualifyName(%q, %q) = %q, want %q", tt.server, tt.tool, got, tt.want)
		}
		if !valid.MatchString(got) {
			t.Errorf("QualifyName(%q, %q) = %q breaks the API's name rule", tt.server, tt.tool, got)
		}
	}
}

func sha1Hex(s string) string {
	h := hashed("", s) // with an empty prefix, hashed is the bare hex digest
	return h
}

func TestNamespaced(t *testing.T) {
	tests := []struct{ in, want string }{
		{"codex-reply", "codex_reply"},
		{"echo", "echo"},
		{"a.b c", "a_b_c"},
		{"", "unknown"},
	}
	for _, tt := range tests {
		if got := NamespacedName(tt.in); got != tt.want {
			t.Errorf("NamespacedName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := Namespace("my-server"), "mcp__my_server"; got != want {
		t.Errorf("Namespace = %q, want %q", got, want)
	}
}

func FuzzQualifyName(f *testing.F) {
	f.Add("everything", "echo")
	f.Add("", "")
	f.Add("s", strings.Repeat("é", 70))
	valid := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	f.Fuzz(func(t *testing.T, server, tool string) {
		got := QualifyName(server, tool)
		if !valid.MatchString(got) {
			t.Fatalf("QualifyName(%q, %q) = %q", server, tool, got)
		}
		if got != QualifyName(server, tool) {
			t.Fatal("not deterministic")
		}
	})
}
