package exec

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args []string
		pos  []string
		json bool
		cfg  []string
	}{
		{[]string{"do it", "--json"}, []string{"do it"}, true, nil},
		{[]string{"--experimental-json", "--config", "a=1", "resume", "ID", "--image", "x.png"}, []string{"resume", "ID"}, true, []string{"a=1"}},
		{[]string{"-c", "a=1", "--", "--json"}, []string{"--json"}, false, []string{"a=1"}},
		{[]string{"-"}, []string{"-"}, false, nil},
	}
	for _, tt := range tests {
		var f execFlags
		fs := newExecFlagSet(&f)
		pos, err := parseInterspersed(fs, tt.args)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if !reflect.DeepEqual(pos, tt.pos) || f.json != tt.json || !reflect.DeepEqual([]string(f.overrides), tt.cfg) {
			t.Errorf("%v: pos %q json %v cfg %q", tt.args, pos, f.json, f.overrides)
		}
	}
}

func TestReadPrompt(t *testing.T) {
	tests := []struct {
		name   string
		pos    []string
		stdin  string
		piped  bool
		want   string
		stderr string
	}{
		{"argument", []string{"hello"}, "ignored", false, "hello", ""},
		{"dash reads stdin", []string{"-"}, "from stdin\n", false, "from stdin", ""},
		{"none reads stdin", nil, "from stdin", false, "from stdin", ""},
		{"piped stdin appended", []string{"summarise"}, "log line\n", true, "summarise\n\n<stdin>\nlog line\n</stdin>", "Reading additional input from stdin...\n"},
		{"empty piped stdin", []string{"x"}, "", true, "x", "Reading additional input from stdin...\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, err := readPrompt(tt.pos, Env{Stdin: strings.NewReader(tt.stdin), Stderr: &stderr, StdinIsPipe: func() bool { return tt.piped }})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || stderr.String() != tt.stderr {
				t.Errorf("got %q (stderr %q), want %q (stderr %q)", got, stderr.String(), tt.want, tt.stderr)
			}
		})
	}
}

// TestReadPromptFromStdinFile: with a prompt argument, stdin that is not a
// terminal is read as 0.169 reads it: /dev/null (the message, nothing
// added), a file (appended).
func TestReadPromptFromStdinFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "notes")
	if err := os.WriteFile(file, []byte("a note\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{os.DevNull, "summarise"},
		{file, "summarise\n\n<stdin>\na note\n</stdin>"},
	} {
		f, err := os.Open(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		got, err := readPrompt([]string{"summarise"}, Env{Stdin: f, Stderr: &stderr})
		_ = f.Close()
		if err != nil || got != tc.want || stderr.String() != "Reading additional input from stdin...\n" {
			t.Errorf("stdin %s: %q, %v (stderr %q), want %q and the message", tc.path, got, err, stderr.String(), tc.want)
		}
	}
}
