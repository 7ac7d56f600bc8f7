package style

import (
	"bytes"
	"strings"
	"testing"
)

func TestStyler(t *testing.T) {
	t.Parallel()
	mkenv := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name    string
		w       any
		env     func(string) string
		colored bool
	}{
		{"buffer is not a terminal", &bytes.Buffer{}, mkenv("TERM", "xterm-256color"), false},
		{"forced colour", &bytes.Buffer{}, mkenv("CLICOLOR_FORCE", "1", "TERM", "xterm-256color"), true},
		{"NO_COLOR beats force", &bytes.Buffer{}, mkenv("CLICOLOR_FORCE", "1", "NO_COLOR", "1"), false},
		{"CLICOLOR_FORCE=0 is off", &bytes.Buffer{}, mkenv("CLICOLOR_FORCE", "0"), false},
	}
	for _, tt := range tests {
		s := New(tt.w.(*bytes.Buffer), tt.env)
		got := s.Red("x") + s.Bold("y") + s.Dim("z") + s.Green("g") + s.Yellow("w") + s.Cyan("c") + s.Magenta("m")
		hasEsc := strings.Contains(got, "\x1b[")
		if hasEsc != tt.colored || s.Enabled() != tt.colored {
			t.Errorf("%s: got %q (enabled %v), want coloured=%v", tt.name, got, s.Enabled(), tt.colored)
		}
		if !tt.colored && got != "xyzgwcm" {
			t.Errorf("%s: got %q, want plain text", tt.name, got)
		}
	}
}
