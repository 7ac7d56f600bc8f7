package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/rollout"
)

func (fx *execFixture) runService(main func(context.Context, []string, ServiceEnv) int, stdin string, args ...string) (int, string, string) {
	fx.t.Helper()
	var stdout, stderr bytes.Buffer
	environ := []string{}
	for k, v := range fx.env {
		environ = append(environ, k+"="+v)
	}
	code := main(context.Background(), args, ServiceEnv{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return fx.env[k] }, Environ: environ})
	return code, stdout.String(), stderr.String()
}

// TestProtoMain runs `codex proto` end to end from config.toml: history,
// a turn, and the shutdown at the end of the input.
func TestProtoMain(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("proto says hi")}})
	in := strings.Join([]string{
		`{"id":"h","op":{"type":"add_to_history","text":"remembered prompt"}}`,
		`{"id":"t1","op":{"type":"user_input","items":[{"type":"text","text":"hello"}]}}`,
		`{"id":"g","op":{"type":"get_history_entry_request","offset":0,"log_id":0}}`,
		`{oops`,
	}, "\n") + "\n"
	args := append(fx.providerArgs(), "-C", fx.repo, "-a", "never")
	code, out, errText := fx.runService(RunProto, in, args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errText)
	}
	var evs []protocol.Event
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev protocol.Event
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("bad output line %q: %v", line, err)
		}
		evs = append(evs, ev)
	}
	sc, ok := evs[0].Msg.(protocol.SessionConfiguredMsg)
	if !ok || sc.Model != "gpt-test" || sc.Cwd != fx.repo || sc.ApprovalPolicy != protocol.ApprovalNever || sc.RolloutPath == "" {
		t.Errorf("first event = %#v", evs[0])
	}
	var types []string
	var entry *string
	var lastMsg string
	for _, ev := range evs {
		types = append(types, ev.Msg.MsgType())
		switch m := ev.Msg.(type) {
		case protocol.GetHistoryEntryResponseMsg:
			entry = m.Entry
		case protocol.TaskCompleteMsg:
			lastMsg = m.LastAgentMessage
		case protocol.ErrorMsg:
			if !strings.HasPrefix(m.Message, "line 4: invalid submission") {
				t.Errorf("error event %q", m.Message)
			}
		}
	}
	if entry == nil || *entry != "remembered prompt" {
		t.Errorf("history entry = %v", entry)
	}
	if lastMsg != "proto says hi" || types[len(types)-1] != "shutdown_complete" {
		t.Errorf("events = %v", types)
	}
	b, err := os.ReadFile(filepath.Join(fx.home, "history.jsonl"))
	if err != nil || !strings.Contains(string(b), `"text":"remembered prompt"`) {
		t.Errorf("history.jsonl = %s, %v", b, err)
	}
	if st, err := os.Stat(filepath.Join(fx.home, "history.jsonl")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("history.jsonl mode = %v, %v; want 0600", st.Mode(), err)
	}
}

func TestServiceMainsUsage(t *testing.T) {
	fx := newExecFixture(t)
	for _, tt := range []struct {
		main func(context.Context, []string, ServiceEnv) int
		args []string
		code int
		out  string
	}{
		{RunProto, []string{"--help"}, 0, "Usage:\n  codex proto [flags]"},
		{RunProto, []string{"--bogus"}, 2, "codex proto: unknown flag --bogus"},
		{RunProto, []string{"extra"}, 2, `unexpected argument "extra"`},
		{RunProto, []string{"-a", "sometimes", "-C", fx.repo}, 1, "unknown approval policy"},
		{RunMCPServer, []string{"-h"}, 0, "Usage:\n  codex mcp-server [flags]"},
		{RunMCPServer, []string{"--nope"}, 2, "codex mcp-server: unknown flag --nope"},
	} {
		code, out, errText := fx.runService(tt.main, "", tt.args...)
		if code != tt.code || !strings.Contains(out+errText, tt.out) {
			t.Errorf("%v: exit %d, output %q%q; want %d with %q", tt.args, code, out, errText, tt.code, tt.out)
		}
	}
}

// TestProtoApprovalFlag: -a/--ask-for-approval (and
// CODEX_PROTO_ASK_FOR_APPROVAL) takes the user-facing names only; the
// internal spelling of a granular policy ("granular:rules", which a
// config.toml table becomes) is refused as any unknown name is: one line
// naming the accepted values and where a granular policy goes, exit 1,
// no session started. The names themselves still start one.
func TestProtoApprovalFlag(t *testing.T) {
	fx := newExecFixture(t)
	const want = `(want untrusted, on-failure, on-request or never; a granular policy is set in config.toml: approval_policy = { granular = { sandbox_approval = …, rules = …, mcp_elicitations = … } })`
	for _, v := range []string{"granular:rules", "granular:", "granular:sandbox_approval,rules,mcp_elicitations", "granular", "sometimes", "Never"} {
		for _, viaEnv := range []bool{false, true} {
			args := append(fx.providerArgs(), "-C", fx.repo)
			if viaEnv {
				// ff reads the flags' variables from the process.
				t.Setenv("CODEX_PROTO_ASK_FOR_APPROVAL", v)
			} else {
				args = append(args, "-a", v)
			}
			code, out, errText := fx.runService(RunProto, "", args...)
			if viaEnv {
				if err := os.Unsetenv("CODEX_PROTO_ASK_FOR_APPROVAL"); err != nil {
					t.Fatal(err)
				}
			}
			wantErr := "codex proto: -a/--ask-for-approval: unknown approval policy " + strconv.Quote(v) + " " + want + "\n"
			if code != 1 || out != "" || errText != wantErr {
				t.Errorf("%q (env %v): exit %d, stdout %q, stderr %q; want 1 and %q", v, viaEnv, code, out, errText, wantErr)
			}
		}
	}
	for _, v := range []string{"untrusted", "on-failure", "on-request", "never"} {
		code, out, errText := fx.runService(RunProto, "", append(fx.providerArgs(), "-C", fx.repo, "-a", v)...)
		if code != 0 || !strings.Contains(out, `"approval_policy":"`+v+`"`) {
			t.Errorf("-a %s: exit %d, stdout %q, stderr %q", v, code, out, errText)
		}
	}
}

// TestMainSubcommands checks proto and mcp-server are reachable from Main.
func TestMainSubcommands(t *testing.T) {
	for _, sub := range []string{"proto", "mcp-server"} {
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), []string{sub, "--help"}, strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "codex "+sub) {
			t.Errorf("Main %s --help: exit %d, %q %q", sub, code, stdout.String(), stderr.String())
		}
	}
}

// TestProtoResume checks `-c experimental_resume=PATH` (what the TUI
// passes) continues the recorded session: same thread id and rollout
// file, and the next request carries the earlier conversation.
func TestProtoResume(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("first answer")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("second answer")}})
	turn := func(text string) string {
		return `{"id":"t","op":{"type":"user_input","items":[{"type":"text","text":"` + text + `"}]}}` + "\n"
	}
	args := append(fx.providerArgs(), "-C", fx.repo, "-a", "never")
	code, out, errText := fx.runService(RunProto, turn("one"), args...)
	if code != 0 {
		t.Fatalf("first run: exit %d, stderr: %s", code, errText)
	}
	first := firstSessionConfigured(t, out)
	if first.RolloutPath == "" {
		t.Fatalf("first run recorded no rollout: %s", out)
	}
	args2 := append(append([]string{}, args...), "-c", "experimental_resume="+strconv.Quote(first.RolloutPath))
	code, out, errText = fx.runService(RunProto, turn("two"), args2...)
	if code != 0 {
		t.Fatalf("resumed run: exit %d, stderr: %s", code, errText)
	}
	second := firstSessionConfigured(t, out)
	if second.SessionID != first.SessionID || second.RolloutPath != first.RolloutPath {
		t.Errorf("resumed session %q at %q; want %q at %q", second.SessionID, second.RolloutPath, first.SessionID, first.RolloutPath)
	}
	reqs := fx.srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2", len(reqs))
	}
	var b1, b2 struct {
		Input          []model.Item `json:"input"`
		PromptCacheKey string       `json:"prompt_cache_key"`
	}
	if err := reqs[0].JSON(&b1); err != nil {
		t.Fatal(err)
	}
	if err := reqs[1].JSON(&b2); err != nil {
		t.Fatal(err)
	}
	// Everything of the first request, the first answer, the new prompt.
	if got, want := len(b2.Input), len(b1.Input)+2; got != want {
		t.Fatalf("resumed request has %d items, want %d", got, want)
	}
	for i := range b1.Input {
		x, _ := json.Marshal(b1.Input[i])
		y, _ := json.Marshal(b2.Input[i])
		if !bytes.Equal(x, y) {
			t.Errorf("item %d differs after resume: %s vs %s", i, x, y)
		}
	}
	if got := b2.Input[len(b1.Input)].Text(); got != "first answer" {
		t.Errorf("resumed history answer = %q, want %q", got, "first answer")
	}
	if got := b2.Input[len(b2.Input)-1].Text(); got != "two" {
		t.Errorf("last input = %q, want %q", got, "two")
	}
	if b2.PromptCacheKey != first.SessionID {
		t.Errorf("prompt_cache_key = %q, want the thread id %q", b2.PromptCacheKey, first.SessionID)
	}
	// The rollout holds both turns, and no second rollout was created.
	loaded, err := LoadRollout(first.RolloutPath)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.LastText != "second answer" {
		t.Errorf("rollout last answer = %q, want %q", loaded.LastText, "second answer")
	}
	files, err := rollout.Files(rollout.SessionsDir(fx.home))
	if err != nil || len(files) != 1 {
		t.Errorf("rollout files = %v, %v; want just the resumed one", files, err)
	}
}

func TestProtoResumeErrors(t *testing.T) {
	fx := newExecFixture(t)
	bad := filepath.Join(t.TempDir(), "rollout-bad.jsonl")
	if err := os.WriteFile(bad, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		value, want string
	}{
		{strconv.Quote(filepath.Join(fx.home, "missing.jsonl")), "resume: open rollout"},
		{strconv.Quote(bad), "has no session_meta line"},
		{"3", "experimental_resume: want a rollout path"},
	} {
		args := append(fx.providerArgs(), "-C", fx.repo, "-c", "experimental_resume="+tt.value)
		code, _, errText := fx.runService(RunProto, "", args...)
		if code != 1 || !strings.Contains(errText, tt.want) {
			t.Errorf("experimental_resume=%s: exit %d, stderr %q; want 1 with %q", tt.value, code, errText, tt.want)
		}
	}
}

func firstSessionConfigured(t *testing.T, out string) protocol.SessionConfiguredMsg {
	t.Helper()
	line, _, _ := strings.Cut(out, "\n")
	var ev protocol.Event
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("first line %q: %v", line, err)
	}
	sc, ok := ev.Msg.(protocol.SessionConfiguredMsg)
	if !ok {
		t.Fatalf("first event %#v, want session_configured", ev.Msg)
	}
	return sc
}
