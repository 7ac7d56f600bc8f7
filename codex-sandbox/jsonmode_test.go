package sandbox

import (
	"strings"
	"testing"
)

func TestCapped(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		writes    []string
		want      string
		truncated bool
	}{
		{"fits", 10, []string{"abc", "def"}, "abcdef", false},
		{"exactly", 6, []string{"abcdef"}, "abcdef", false},
		{"head and tail", 6, []string{"abc", "defgh", "ij"}, "abc\n[... 4 bytes truncated ...]\nhij", true},
		{"many small writes", 4, strings.Split("0123456789", ""), "01\n[... 6 bytes truncated ...]\n89", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCapped(tc.limit)
			for _, w := range tc.writes {
				if n, err := c.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("write %q: %d, %v", w, n, err)
				}
			}
			got, tr := c.String()
			if got != tc.want || tr != tc.truncated {
				t.Errorf("got %q (truncated %v), want %q (%v)", got, tr, tc.want, tc.truncated)
			}
		})
	}
}

func TestLikelyDenied(t *testing.T) {
	tests := []struct {
		code int
		out  string
		want bool
	}{
		{0, "permission denied", false},
		{1, "touch: cannot touch 'x': Read-only file system", true},
		{2, "sh: cannot create /etc/x: Permission denied", true},
		{1, "curl: (7) Couldn't connect: Operation not permitted", true},
		{1, "test failed", false},
		{159, "", true},
		{124, "permission denied", false},
		{125, "landlock", false},
		{127, "not found", false},
	}
	for _, tc := range tests {
		if got := likelyDenied(tc.code, tc.out); got != tc.want {
			t.Errorf("likelyDenied(%d, %q) = %v, want %v", tc.code, tc.out, got, tc.want)
		}
	}
}

func TestDecodeRequest(t *testing.T) {
	req, err := decodeRequest(strings.NewReader(`{"argv":["ls"]}`), []string{"A=1", "B=x=y"})
	if err != nil {
		t.Fatal(err)
	}
	if req.SandboxPolicy.Mode != "read-only" || req.Env["A"] != "1" || req.Env["B"] != "x=y" {
		t.Errorf("defaults not applied: %+v", req)
	}
	for _, bad := range []string{``, `[]`, `{"argv":[]}`, `{"argv":[""]}`, `{"argv":["x"],"timeout_ms":-1}`, `{"argv":["x"],"sandbox_policy":{"mode":"up"}}`} {
		if _, err := decodeRequest(strings.NewReader(bad), nil); err == nil {
			t.Errorf("request %q accepted", bad)
		}
	}
}

// FuzzDecodeRequest feeds arbitrary JSON to the --json request parser.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(`{"argv":["sh","-c","echo hi"],"cwd":"/tmp","env":{"A":"b"},"sandbox_policy":{"mode":"workspace-write","writable_roots":["/x"]},"timeout_ms":5,"stdin":"in","max_output_bytes":10}`)
	f.Add(`{"argv":["x"],"sandbox_policy":"read-only"}`)
	f.Fuzz(func(t *testing.T, in string) {
		req, err := decodeRequest(strings.NewReader(in), []string{"PATH=/bin"})
		if err != nil {
			return
		}
		if len(req.Argv) == 0 || req.SandboxPolicy.Mode == "" || req.Env == nil || req.TimeoutMS < 0 {
			t.Errorf("accepted request without defaults: %+v", req)
		}
	})
}
