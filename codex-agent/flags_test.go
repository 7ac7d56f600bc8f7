package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
)

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
