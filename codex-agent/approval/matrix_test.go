package approval

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/codexgo/common/protocol"
)

var policies = []protocol.AskForApproval{protocol.ApprovalUntrusted, protocol.ApprovalOnRequest, protocol.ApprovalOnFailure, protocol.ApprovalNever}

var sandboxes = []protocol.SandboxMode{protocol.SandboxReadOnly, protocol.SandboxWorkspaceWrite, protocol.SandboxDangerFullAccess}

// realPolicy is codex-execpolicy with the embedded default policy and a
// user's rules file.
func realPolicy(t *testing.T) *Exec {
	t.Helper()
	home := t.TempDir()
	rules := `prefix_rule(pattern=["npm", "publish"], decision="prompt")
prefix_rule(pattern=["mytool2"], decision="allow")
`
	if err := os.MkdirAll(filepath.Join(home, "rules"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "rules", "default.rules"), []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := LoadExec(home, "", "", true)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// asker records the requests and answers them with d.
type asker struct {
	d    protocol.ReviewDecision
	reqs []protocol.Msg
}

func (a *asker) ask(_ context.Context, _ string, req protocol.Msg) Answer {
	a.reqs = append(a.reqs, req)
	return Answer{Decision: a.d}
}

func actionOf(o Outcome) Action {
	switch {
	case o.Asked:
		return Ask
	case o.Run:
		return Run
	}
	return Refuse
}

// TestCommandMatrix: approval policy x the policy's verdict (real
// codex-execpolicy verdicts of every kind) x the sandbox x an escalation
// request. The sandbox never changes whether a command is asked about:
// the bug of issue 15 was a write inside the workspace taken for a
// known-safe command under untrusted when the sandbox was
// workspace-write.
func TestCommandMatrix(t *testing.T) {
	t.Parallel()
	pol := realPolicy(t)
	cwd := t.TempDir()
	R, A, F := Run, Ask, Refuse
	cmds := []struct {
		name string
		argv []string
		// want is the action under untrusted, on-request, on-failure, never.
		want [4]Action
	}{
		{"known read-only", []string{"ls", "-la"}, [4]Action{R, R, R, R}},
		{"known read-only script", []string{"bash", "-lc", "git status && cat README"}, [4]Action{R, R, R, R}},
		{"write in the workspace", []string{"touch", "approved.txt"}, [4]Action{A, R, R, R}},
		{"write through a shell", []string{"/bin/bash", "-lc", "touch approved.txt"}, [4]Action{A, R, R, R}},
		{"redirection", []string{"bash", "-lc", "echo hi > out.txt"}, [4]Action{A, R, R, R}},
		{"write outside the roots", []string{"touch", "/etc/x"}, [4]Action{A, R, R, R}},
		{"unknown program", []string{"mytool", "--go"}, [4]Action{A, R, R, R}},
		{"user's allow rule", []string{"mytool2", "run"}, [4]Action{R, R, R, R}},
		{"user's prompt rule", []string{"npm", "publish"}, [4]Action{A, A, A, F}},
		{"danger heuristic", []string{"rm", "-f", "x"}, [4]Action{A, A, A, F}},
		{"forbidden", []string{"rm", "-rf", "/"}, [4]Action{F, F, F, F}},
	}
	for _, c := range cmds {
		for i, ap := range policies {
			for _, sm := range sandboxes {
				for _, esc := range []bool{false, true} {
					want := c.want[i]
					if esc && want == Run && (ap == protocol.ApprovalUntrusted || ap == protocol.ApprovalOnRequest) {
						want = Ask
					}
					for _, answer := range []protocol.ReviewDecision{protocol.DecisionApproved, protocol.DecisionDenied} {
						ak := &asker{d: answer}
						a := New(Config{Policy: pol})
						tn := Turn{Approval: ap, Sandbox: protocol.SandboxPolicy{Mode: sm}, Cwd: cwd, Ask: ak.ask}
						o := a.Command(context.Background(), tn, Command{CallID: "c", Argv: c.argv, Cwd: cwd, Escalate: esc})
						name := c.name + "/" + string(ap) + "/" + string(sm)
						if esc {
							name += "/escalated"
						}
						if got := actionOf(o); got != want {
							t.Errorf("%s: %s, want %s (verdict %+v)", name, got, want, o.Verdict)
							continue
						}
						wantRun := want == Run || want == Ask && answer == protocol.DecisionApproved
						if o.Run != wantRun {
							t.Errorf("%s answered %s: run = %v, want %v", name, answer, o.Run, wantRun)
						}
						if !o.Run && o.Refusal == "" {
							t.Errorf("%s: refused without a reason for the model", name)
						}
						wantSandbox := sm
						if o.Asked && esc {
							wantSandbox = protocol.SandboxDangerFullAccess
						}
						if o.Run && o.Sandbox.Mode != wantSandbox {
							t.Errorf("%s: runs under %s, want %s", name, o.Sandbox.Mode, wantSandbox)
						}
					}
				}
			}
		}
	}
}

// TestSessionApprovalCoversLaterCommands: approved_for_session is not
// asked again; approved (once) is.
func TestSessionApprovalCoversLaterCommands(t *testing.T) {
	t.Parallel()
	pol := realPolicy(t)
	cwd := t.TempDir()
	for _, d := range []protocol.ReviewDecision{protocol.DecisionApproved, protocol.DecisionApprovedForSession} {
		ak := &asker{d: d}
		a := New(Config{Policy: pol})
		tn := Turn{Approval: protocol.ApprovalUntrusted, Sandbox: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}, Cwd: cwd, Ask: ak.ask}
		for range 2 {
			a.Command(context.Background(), tn, Command{CallID: "c", Argv: []string{"touch", "a"}, Cwd: cwd})
		}
		want := 2
		if d == protocol.DecisionApprovedForSession {
			want = 1
		}
		if len(ak.reqs) != want {
			t.Errorf("%s: asked %d times, want %d", d, len(ak.reqs), want)
		}
	}
}

// TestPatchMatrix: a patch asks under untrusted (even inside the
// workspace), asks outside the writable roots under on-request and
// on-failure, and is refused there under never.
func TestPatchMatrix(t *testing.T) {
	t.Parallel()
	for _, ap := range policies {
		for _, sm := range sandboxes {
			for _, inRoots := range []bool{true, false} {
				want := Run
				switch {
				case ap == protocol.ApprovalUntrusted:
					want = Ask
				case !inRoots && ap == protocol.ApprovalNever:
					want = Refuse
				case !inRoots:
					want = Ask
				}
				ak := &asker{d: protocol.DecisionApproved}
				o := New(Config{}).Patch(context.Background(), Turn{Approval: ap, Sandbox: protocol.SandboxPolicy{Mode: sm}, Ask: ak.ask},
					"p", []string{"/w/a"}, inRoots, nil)
				if got := actionOf(o); got != want {
					t.Errorf("%s/%s/in roots %v: %s, want %s", ap, sm, inRoots, got, want)
				}
				if want == Ask {
					if _, ok := ak.reqs[0].(protocol.ApplyPatchApprovalRequestMsg); !ok {
						t.Errorf("%s/%s: asked with %T", ap, sm, ak.reqs[0])
					}
				}
			}
		}
	}
}

// TestRetryAfterDenial: after a sandbox denial every policy but never
// asks to retry outside the sandbox.
func TestRetryAfterDenial(t *testing.T) {
	t.Parallel()
	for _, ap := range policies {
		ak := &asker{d: protocol.DecisionApproved}
		o := New(Config{}).Retry(context.Background(), Turn{Approval: ap, Ask: ak.ask}, Command{CallID: "c", Argv: []string{"touch", "x"}}, protocol.PolicyVerdict{})
		want := ap != protocol.ApprovalNever
		if o.Asked != want || o.Run != want {
			t.Errorf("%s: %+v, want asked and run = %v", ap, o, want)
		}
		if o.Run && o.Sandbox.Mode != protocol.SandboxDangerFullAccess {
			t.Errorf("%s: retry under %s", ap, o.Sandbox.Mode)
		}
	}
	denied := protocol.ExecResult{ExitCode: 1, Stderr: "touch: cannot touch 'x': Read-only file system", Sandbox: &protocol.SandboxReport{Mechanism: "landlock"}}
	if !Denied(denied, protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}) {
		t.Error("a read-only file system error under landlock is not a denial")
	}
	if Denied(denied, protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}) {
		t.Error("a failure without sandbox taken for a denial")
	}
}

// TestRootsFollowTheTurn: the writable roots the policy is given come
// from the turn's sandbox, whatever set it up.
func TestRootsFollowTheTurn(t *testing.T) {
	t.Parallel()
	tn := Turn{Cwd: "/w", Env: map[string]string{"TMPDIR": "/var/tmp/x"}}
	tn.Sandbox = protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}
	if r := Roots(tn); len(r) != 0 {
		t.Errorf("read-only roots = %q", r)
	}
	tn.Sandbox = protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{"/extra"}}
	if r := Roots(tn); len(r) != 4 || r[0] != "/w" || r[1] != "/extra" || r[2] != "/tmp" || r[3] != "/var/tmp/x" {
		t.Errorf("workspace-write roots = %q", r)
	}
	tn.Sandbox.ExcludeSlashTmp, tn.Sandbox.ExcludeTmpdirEnvVar = true, true
	if r := Roots(tn); len(r) != 2 {
		t.Errorf("workspace-write roots without tmp = %q", r)
	}
}
