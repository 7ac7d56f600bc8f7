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

// requestBody is the part of a Responses request these tests read.
type requestBody struct {
	Model     string            `json:"model"`
	Input     []model.Item      `json:"input"`
	Tools     []json.RawMessage `json:"tools"`
	Reasoning json.RawMessage   `json:"reasoning"`
	Text      json.RawMessage   `json:"text"`
}

func (fx *execFixture) request(i int) requestBody {
	fx.t.Helper()
	var b requestBody
	if err := fx.srv.Requests()[i].JSON(&b); err != nil {
		fx.t.Fatal(err)
	}
	return b
}

func (fx *execFixture) mustRun(args ...string) execRun {
	fx.t.Helper()
	r := fx.run(append(fx.providerArgs(), args...)...)
	if r.code != 0 {
		fx.t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
	}
	return r
}

func webSearchSpecOf(b requestBody) string {
	for _, t := range b.Tools {
		if strings.Contains(string(t), `"type":"web_search"`) {
			return string(t)
		}
	}
	return ""
}

// What the Codex CLI 0.169 sent for these settings (captured against a
// local Responses server): the catalogue's effort and verbosity for a
// known model, the fallback for an unknown one; the web_search tool per
// web_search mode and sandbox.
func TestExecSamplingAndWebSearchAsCodex(t *testing.T) {
	const cached = `{"type":"web_search","external_web_access":false,"search_content_types":["text","image"]}`
	const live = `{"type":"web_search","external_web_access":true,"search_content_types":["text","image"]}`
	for _, tc := range []struct {
		name                    string
		args                    []string
		reasoning, text, search string
	}{
		{"gpt-5.5, nothing configured", []string{"-m", "gpt-5.5"}, `{"effort":"medium"}`, `{"verbosity":"low"}`, cached},
		{"settings win", []string{"-m", "gpt-5.5", "-c", `model_reasoning_effort="high"`, "-c", `model_reasoning_summary="detailed"`, "-c", `model_verbosity="medium"`},
			`{"effort":"high","summary":"detailed"}`, `{"verbosity":"medium"}`, cached},
		{"unknown model", []string{"-m", "foo-model", "-c", `model_verbosity="high"`}, `{"summary":"auto"}`, ``, `{"type":"web_search","external_web_access":false}`},
		{"live", []string{"-m", "gpt-5.5", "-c", `web_search="live"`}, `{"effort":"medium"}`, `{"verbosity":"low"}`, live},
		{"disabled", []string{"-m", "gpt-5.5", "-c", `web_search="disabled"`}, `{"effort":"medium"}`, `{"verbosity":"low"}`, ``},
		{"full access searches live", []string{"-m", "gpt-5.5", "-s", "danger-full-access", "-c", `web_search="cached"`}, `{"effort":"medium"}`, `{"verbosity":"low"}`, live},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
			fx.mustRun(append(tc.args, "hi")...)
			b := fx.request(0)
			if string(b.Reasoning) != tc.reasoning || string(b.Text) != tc.text && (tc.text != "" || b.Text != nil) {
				t.Errorf("reasoning %s text %s, want %s %s", b.Reasoning, b.Text, tc.reasoning, tc.text)
			}
			if got := webSearchSpecOf(b); got != tc.search {
				t.Errorf("web_search tool %s, want %s", got, tc.search)
			}
		})
	}
	fx := newExecFixture(t)
	if r := fx.run(append(fx.providerArgs(), "-c", `web_search="always"`, "hi")...); r.code != 1 || !strings.Contains(r.stderr, "web_search") {
		t.Errorf("bad web_search: exit %d %s", r.code, r.stderr)
	}
}

// model_instructions_file and instructions replace the base
// instructions (the file wins); developer_instructions open the
// developer message, before the skills list and the permissions text;
// review_model is the model of `exec review`; compact_prompt reaches the
// session.
func TestExecInstructionKeys(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("a")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("b")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("c")}})
	if err := os.WriteFile(filepath.Join(fx.home, "mi.txt"), []byte("FROM THE FILE"), 0o600); err != nil {
		t.Fatal(err)
	}
	fx.mustRun("-c", `instructions="INSTX"`, "-c", `developer_instructions="DEVX"`, "one")
	b := fx.request(0)
	if got := b.Input[0].Text(); got != "INSTX" {
		t.Errorf("base instructions %q, want INSTX", got)
	}
	if dev := b.Input[1]; dev.Role != "developer" || dev.Content[0].Text != "DEVX" || !strings.Contains(dev.Content[len(dev.Content)-1].Text, "sandbox") {
		t.Errorf("developer message = %+v", dev)
	}
	fx.mustRun("-c", `instructions="INSTX"`, "-c", `model_instructions_file="mi.txt"`, "two")
	if got := fx.request(1).Input[0].Text(); got != "FROM THE FILE" {
		t.Errorf("model_instructions_file: base instructions %q", got)
	}
	if r := fx.run(append(fx.providerArgs(), "-c", `model_instructions_file="missing.txt"`, "x")...); r.code != 1 || !strings.Contains(r.stderr, "model_instructions_file") {
		t.Errorf("missing file: exit %d %s", r.code, r.stderr)
	}
	noModel := fx.providerArgs()[:4]
	if r := fx.run(append(noModel, "-c", `review_model="gpt-5.5"`, "review", "--uncommitted")...); r.code != 0 {
		t.Fatalf("review: %d %s", r.code, r.stderr)
	}
	if got := fx.request(2).Model; got != "gpt-5.5" {
		t.Errorf("review model %q, want review_model's gpt-5.5", got)
	}

	st, err := LoadSetup(ServiceOptions{Getenv: func(k string) string { return fx.env[k] }, Cwd: fx.repo,
		Overrides: []string{"model_provider=mock", `model_providers.mock={name="mock",base_url="` + fx.srv.URL() + `",env_key="MOCK_KEY"}`, `compact_prompt="SUMMARISE"`}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := st.Build(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = svc.Close() }()
	if svc.Config.CompactPrompt != "SUMMARISE" {
		t.Errorf("compact_prompt = %q", svc.Config.CompactPrompt)
	}
}

// Skills are listed in the developer message; a $name mention adds the
// skill's SKILL.md after the prompt, as 0.169 does.
func TestExecSkills(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
	skill := filepath.Join(fx.repo, ".agents", "skills", "lint-fix", "SKILL.md")
	text := "---\nname: lint-fix\ndescription: Fix lint errors in this repo\n---\nRun make lint and fix.\n"
	if err := os.MkdirAll(filepath.Dir(skill), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(skill, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	fx.mustRun("use $lint-fix please")
	b := fx.request(0)
	dev := b.Input[1]
	if dev.Role != "developer" || !strings.HasPrefix(dev.Content[0].Text, "<skills_instructions>") ||
		!strings.Contains(dev.Content[0].Text, "- lint-fix: Fix lint errors in this repo (file: r") {
		t.Errorf("developer message = %+v", dev)
	}
	n := len(b.Input)
	if b.Input[n-2].Text() != "use $lint-fix please" {
		t.Errorf("prompt = %q", b.Input[n-2].Text())
	}
	if want := "<skill>\n<name>lint-fix</name>\n<path>" + skill + "</path>\n" + text + "\n</skill>"; b.Input[n-1].Role != "user" || b.Input[n-1].Text() != want {
		t.Errorf("injected = %q\nwant %q", b.Input[n-1].Text(), want)
	}
}

// exec fork SESSION_ID continues a copy: a new thread id, the old
// history resent, the original rollout untouched.
func TestExecFork(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("first")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("forked")}})
	r1 := fx.mustRun("--json", "one")
	var started struct {
		ThreadID string `json:"thread_id"`
	}
	line, _, _ := strings.Cut(r1.stdout, "\n")
	if err := json.Unmarshal([]byte(line), &started); err != nil {
		t.Fatal(err)
	}
	orig, err := FindRollout(fx.home, started.ThreadID)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(orig)
	r2 := fx.mustRun("--json", "fork", started.ThreadID, "two")
	line, _, _ = strings.Cut(r2.stdout, "\n")
	var forked struct {
		ThreadID string `json:"thread_id"`
	}
	if err := json.Unmarshal([]byte(line), &forked); err != nil || forked.ThreadID == "" || forked.ThreadID == started.ThreadID {
		t.Fatalf("fork thread %q (original %s)", forked.ThreadID, started.ThreadID)
	}
	after, _ := os.ReadFile(orig)
	if string(before) != string(after) {
		t.Error("fork changed the original rollout")
	}
	in0, in1 := fx.request(0).Input, fx.request(1).Input
	if len(in1) != len(in0)+2 || in1[len(in1)-1].Text() != "two" {
		t.Errorf("forked input has %d items (first had %d)", len(in1), len(in0))
	}
	if _, err := FindRollout(fx.home, forked.ThreadID); err != nil {
		t.Errorf("the fork has no rollout of its own: %v", err)
	}
	if r := fx.run(append(fx.providerArgs(), "fork")...); r.code != 2 {
		t.Errorf("fork without an id: exit %d", r.code)
	}
}

// `codex review --commit SHA --title T` (0.169's flags) names the commit
// with its title.
func TestExecReviewTitle(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
	fx.mustRun("review", "--commit", "abc1234", "--title", "Fix the parser")
	b := fx.request(0)
	if got := b.Input[len(b.Input)-1].Text(); !strings.Contains(got, "abc1234") || !strings.Contains(got, "Fix the parser") {
		t.Errorf("review prompt lacks the commit and its title:\n%s", got)
	}
}

// --strict-config: a key nothing reads fails the run (exit 1, where it
// is); without the flag it is ignored.
func TestExecStrictConfig(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
	if err := os.WriteFile(filepath.Join(fx.home, "config.toml"), []byte("model_reasoning_efort = \"high\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := fx.run(append(fx.providerArgs(), "--strict-config", "hi")...)
	if r.code != 1 || !strings.Contains(r.stderr, "config.toml:1: unknown configuration field `model_reasoning_efort`") {
		t.Errorf("strict: exit %d %s", r.code, r.stderr)
	}
	fx.mustRun("hi")
}
