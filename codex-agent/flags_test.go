package agent

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
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
			got, err := readPrompt(tt.pos, ExecEnv{Stdin: strings.NewReader(tt.stdin), Stderr: &stderr, StdinIsPipe: func() bool { return tt.piped }})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || stderr.String() != tt.stderr {
				t.Errorf("got %q (stderr %q), want %q (stderr %q)", got, stderr.String(), tt.want, tt.stderr)
			}
		})
	}
}

func TestExecHelpAndEnvFlags(t *testing.T) {
	fx := newExecFixture(t)
	r := fx.run("--help")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage:\n  codex exec [flags] [PROMPT]") || r.stderr != "" {
		t.Errorf("help: exit %d stdout %q", r.code, r.stdout)
	}
	// Flags can come from CODEX_EXEC_* variables.
	fx.env["CODEX_EXEC_SANDBOX"] = "bogus-mode"
	r = fx.run("hi")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown sandbox mode "bogus-mode"`) {
		t.Errorf("env flag: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestExecImageInput(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("a red dot")}})
	img := filepath.Join(t.TempDir(), "dot.png")
	if err := os.WriteFile(img, []byte("\x89PNG fake"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := fx.run(append(fx.providerArgs(), "--json", "-i", img, "what is this?")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var body struct {
		Input []model.Item `json:"input"`
	}
	if err := fx.srv.Requests()[0].JSON(&body); err != nil {
		t.Fatal(err)
	}
	last := body.Input[len(body.Input)-1]
	if len(last.Content) != 2 || last.Content[0].Text != "what is this?" || last.Content[1].Type != "input_image" ||
		last.Content[1].ImageURL != "data:image/png;base64,iVBORyBmYWtl" {
		t.Errorf("user message = %+v", last)
	}
}
