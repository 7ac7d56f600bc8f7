package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// protoTurn runs `codex proto` with args, sends one turn op and answers
// every approval request with denied; it returns the turn's events.
func protoTurn(t *testing.T, fx *execFixture, args []string, op string) []protocol.Msg {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	environ := []string{}
	for k, v := range fx.env {
		environ = append(environ, k+"="+v)
	}
	done := make(chan int, 1)
	go func() {
		defer func() { _ = outW.Close() }()
		done <- RunProto(context.Background(), args, ServiceEnv{Stdin: inR, Stdout: outW, Stderr: io.Discard,
			Getenv: func(k string) string { return fx.env[k] }, Environ: environ})
	}()
	events := make(chan protocol.Event, 64)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ev protocol.Event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Errorf("bad line %q: %v", sc.Text(), err)
				continue
			}
			events <- ev
		}
	}()
	send := func(line string) {
		if _, err := fmt.Fprintln(inW, line); err != nil {
			t.Fatal(err)
		}
	}
	send(op)
	var msgs []protocol.Msg
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("proto ended early: %s", types(msgs))
			}
			msgs = append(msgs, ev.Msg)
			switch m := ev.Msg.(type) {
			case protocol.ExecApprovalRequestMsg:
				b, _ := json.Marshal(protocol.Submission{ID: "a", Op: protocol.ExecApprovalOp{ID: m.CallID, Decision: protocol.DecisionDenied}})
				send(string(b))
			case protocol.ApplyPatchApprovalRequestMsg:
				b, _ := json.Marshal(protocol.Submission{ID: "a", Op: protocol.PatchApprovalOp{ID: m.CallID, Decision: protocol.DecisionDenied}})
				send(string(b))
			case protocol.TaskCompleteMsg, protocol.TurnAbortedMsg:
				send(`{"id":"s","op":{"type":"shutdown"}}`)
				_ = inW.Close()
				for range events {
				}
				<-done
				return msgs
			}
		case <-timeout:
			t.Fatalf("timed out: %s", types(msgs))
		}
	}
}

// TestUntrustedAsksWhateverSetsTheSandbox is the issue 15 bug: under
// approval_policy "untrusted", `touch approved.txt` (a write the default
// policy allows inside the workspace) must be asked about, whether the
// settings come from config.toml or with the turn (user_turn), for a
// command proposed through exec_command and through the classic shell,
// and for a patch.
func TestUntrustedAsksWhateverSetsTheSandbox(t *testing.T) {
	calls := map[string]json.RawMessage{
		"exec_command": modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "touch approved.txt"}),
		"shell":        modelserver.FunctionCall("c1", "shell", map[string]any{"command": []string{"touch", "approved.txt"}}),
		"apply_patch":  modelserver.CustomToolCall("c1", "apply_patch", "*** Begin Patch\n*** Add File: approved.txt\n+x\n*** End Patch\n"),
	}
	for _, setup := range []string{"config.toml", "user_turn"} {
		for tool, call := range calls {
			t.Run(setup+"/"+tool, func(t *testing.T) {
				fx := newExecFixture(t,
					modelserver.Turn{Items: []json.RawMessage{call}},
					modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
				args := append(fx.providerArgs(), "-C", fx.repo, "--ephemeral")
				if tool == "shell" {
					args = append(args, "-c", "features.unified_exec=false")
				}
				op := `{"id":"t1","op":{"type":"user_input","items":[{"type":"text","text":"go"}]}}`
				if setup == "config.toml" {
					cfg := "approval_policy = \"untrusted\"\nsandbox_mode = \"workspace-write\"\n"
					if err := os.WriteFile(filepath.Join(fx.home, "config.toml"), []byte(cfg), 0o600); err != nil {
						t.Fatal(err)
					}
				} else {
					b, _ := json.Marshal(protocol.Submission{ID: "t1", Op: protocol.UserTurnOp{Items: protocol.TextInput("go"), Cwd: fx.repo,
						ApprovalPolicy: protocol.ApprovalUntrusted, SandboxPolicy: &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}})
					op = string(b)
				}
				msgs := protoTurn(t, fx, args, op)
				asked := len(find[protocol.ExecApprovalRequestMsg](msgs)) + len(find[protocol.ApplyPatchApprovalRequestMsg](msgs))
				if asked != 1 {
					t.Errorf("approval requests = %d, want 1: %s", asked, types(msgs))
				}
				if _, err := os.Stat(filepath.Join(fx.repo, "approved.txt")); !os.IsNotExist(err) {
					t.Errorf("approved.txt was written although the approval was denied (%v)", err)
				}
			})
		}
	}
}

// writeDenyingRunner plays a sandbox that denies every write: a sandboxed
// command fails with a denial; unsandboxed, it runs for real.
type writeDenyingRunner struct{}

func (writeDenyingRunner) Run(ctx context.Context, req protocol.ExecRequest, out func(string, []byte)) (protocol.ExecResult, error) {
	if req.SandboxPolicy.Mode == protocol.SandboxDangerFullAccess {
		return DirectRunner{}.Run(ctx, req, out)
	}
	return protocol.ExecResult{ExitCode: 1, Stderr: "Permission denied", Sandbox: &protocol.SandboxReport{Mechanism: "test", Denied: true}}, nil
}

// TestEveryToolGoesThroughTheApprover: under untrusted with the real
// execpolicy, every tool that acts is asked about (a patch through the
// shell too), what write_stdin types is shown and not asked about, and a
// command the sandbox denied is retried outside it only after an
// approval (on-failure).
func TestEveryToolGoesThroughTheApprover(t *testing.T) {
	ep, err := LoadExecPolicy(t.TempDir(), "", "", false)
	if err != nil {
		t.Fatal(err)
	}
	patchScript := "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: p.txt\n+x\n*** End Patch\nEOF"
	for _, tc := range []struct {
		name     string
		approval protocol.AskForApproval
		calls    []json.RawMessage
		runner   Runner
		// asked are the call ids asked about, in order.
		asked []string
		file  string
	}{
		{"exec_command", protocol.ApprovalUntrusted,
			[]json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "touch a.txt"})}, nil, []string{"c1"}, "a.txt"},
		{"read-only command not asked", protocol.ApprovalUntrusted,
			[]json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "ls -la"})}, nil, nil, ""},
		{"apply_patch freeform", protocol.ApprovalUntrusted,
			[]json.RawMessage{modelserver.CustomToolCall("c1", "apply_patch", "*** Begin Patch\n*** Add File: p.txt\n+x\n*** End Patch\n")}, nil, []string{"c1"}, "p.txt"},
		{"apply_patch through the shell", protocol.ApprovalUntrusted,
			[]json.RawMessage{modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": patchScript})}, nil, []string{"c1"}, "p.txt"},
		{"write_stdin shown, not asked", protocol.ApprovalUntrusted, []json.RawMessage{
			modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "read x; touch \"$x\"", "yield_time_ms": 250}),
			modelserver.FunctionCall("c2", "write_stdin", map[string]any{"session_id": 1001, "chars": "w.txt\n", "yield_time_ms": 300000}),
		}, nil, []string{"c1"}, "w.txt"},
		{"escalation after a sandbox denial", protocol.ApprovalOnFailure,
			[]json.RawMessage{modelserver.FunctionCall("c1", "shell", map[string]any{"command": []string{"touch", "e.txt"}})}, writeDenyingRunner{}, []string{"c1"}, "e.txt"},
		{"no escalation under never", protocol.ApprovalNever,
			[]json.RawMessage{modelserver.FunctionCall("c1", "shell", map[string]any{"command": []string{"touch", "e.txt"}})}, writeDenyingRunner{}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var turns []modelserver.Turn
			for _, c := range tc.calls {
				turns = append(turns, modelserver.Turn{Items: []json.RawMessage{c}})
			}
			turns = append(turns, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
			h := newHarness(t, turns, func(c *SessionConfig) {
				c.Policy, c.ApprovalPolicy = ep, tc.approval
				if tc.runner != nil {
					c.Runner = tc.runner
				}
			})
			var asked []string
			msgs := h.turn("go", func(m protocol.Msg) protocol.Op {
				switch r := m.(type) {
				case protocol.ExecApprovalRequestMsg:
					asked = append(asked, r.CallID)
					return protocol.ExecApprovalOp{ID: r.CallID, Decision: protocol.DecisionApproved}
				case protocol.ApplyPatchApprovalRequestMsg:
					asked = append(asked, r.CallID)
					return protocol.PatchApprovalOp{ID: r.CallID, Decision: protocol.DecisionApproved}
				}
				return nil
			})
			if fmt.Sprint(asked) != fmt.Sprint(tc.asked) {
				t.Errorf("asked about %v, want %v: %s", asked, tc.asked, types(msgs))
			}
			if tc.file != "" {
				if _, err := os.Stat(filepath.Join(h.dir, tc.file)); err != nil {
					t.Errorf("%s not written after the approval: %v", tc.file, err)
				}
			}
			if strings.HasPrefix(tc.name, "write_stdin") && len(find[protocol.TerminalInteractionMsg](msgs)) != 1 {
				t.Errorf("write_stdin not shown: %s", types(msgs))
			}
		})
	}
}
