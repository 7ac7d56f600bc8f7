package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
