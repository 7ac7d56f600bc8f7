package linuxsandbox

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name       string
		args, env  []string
		wantPolicy string
		wantFD     int
	}{
		{"args only", []string{"--sandbox-policy", "a"}, []string{"HOME=/root"}, "a", -1},
		{"from the environment", nil, []string{"CODEX_LINUX_SANDBOX_SANDBOX_POLICY=b", "CODEX_LINUX_SANDBOX_REPORT_FD=4"}, "b", 4},
		{"args win over the environment", []string{"--sandbox-policy", "a"}, []string{"CODEX_LINUX_SANDBOX_SANDBOX_POLICY=b"}, "a", -1},
		{"other prefixes ignored", nil, []string{"CODEX_SANDBOX_SANDBOX_POLICY=c", "CODEX_LINUX_SANDBOX=x"}, "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, kv := range tt.env {
				if k, v, ok := strings.Cut(kv, "="); ok {
					t.Setenv(k, v)
				}
			}
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			policy := fs.String("sandbox-policy", "", "")
			fd := fs.Int("report-fd", -1, "")
			if err := ParseFlags(fs, tt.args, tt.env, "CODEX_LINUX_SANDBOX"); err != nil {
				t.Fatal(err)
			}
			if *policy != tt.wantPolicy || *fd != tt.wantFD {
				t.Errorf("got policy %q, fd %d; want %q, %d", *policy, *fd, tt.wantPolicy, tt.wantFD)
			}
		})
	}
}
