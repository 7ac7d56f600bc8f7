package appserver_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// prependConfig puts lines at the top of the fixture's config.toml
// (before its [model_providers.mock] table).
func (f *fixture) prependConfig(t *testing.T, lines string) {
	t.Helper()
	p := filepath.Join(f.home, "config.toml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append([]byte(lines), b...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestGranularApprovalFromConfig: a Codex CLI 0.169 approval_policy =
// { granular = {...} } table in config.toml is the policy of a thread
// started without one (reported as the object, with all five flags in
// config/read too, as the Codex CLI reports it), and it decides: the
// escalation (sandbox_approval = true) is put to the client, the
// command a rule prompts for (rules = false) is refused without asking.
// A bad table stops the server with one line naming its file, line
// and column.
func TestGranularApprovalFromConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		turnOf(modelserver.FunctionCall("call_esc", "exec_command", map[string]any{"cmd": "echo outside",
			"sandbox_permissions": "require_escalated", "justification": "needs the network", "yield_time_ms": 30000})),
		turnOf(modelserver.FunctionCall("call_rule", "exec_command", map[string]any{"cmd": "mytool go", "yield_time_ms": 30000})),
		turnOf(modelserver.Message("done")))
	f.prependConfig(t, "approval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = true } }\nsandbox_mode = \"workspace-write\"\n")
	if err := os.MkdirAll(filepath.Join(f.home, "rules"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.home, "rules", "default.rules"),
		[]byte(`prefix_rule(pattern=["mytool"], decision="prompt")`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := f.start(t)
	var r struct {
		Thread         struct{ ID string } `json:"thread"`
		ApprovalPolicy any                 `json:"approvalPolicy"`
	}
	c.call("thread/start", map[string]any{"cwd": f.work}).decode(t, &r)
	const want = "map[granular:map[mcp_elicitations:true request_permissions:false rules:false sandbox_approval:true skill_approval:false]]"
	if got := fmt.Sprint(r.ApprovalPolicy); got != want {
		t.Errorf("approvalPolicy = %s, want %s", got, want)
	}
	var cr struct {
		Config map[string]any `json:"config"`
	}
	c.call("config/read", map[string]any{}).decode(t, &cr)
	if got := fmt.Sprint(cr.Config["approval_policy"]); got != want {
		t.Errorf("config/read approval_policy = %s, want %s", got, want)
	}
	startTurn(t, c, r.Thread.ID, "run them")
	asked := map[string]bool{}
	var seen []msg
	for {
		m := c.next()
		seen = append(seen, m)
		if m.Method == "item/commandExecution/requestApproval" {
			var p struct{ ItemID string }
			m.decode(t, &p)
			asked[p.ItemID] = true
			c.reply(m, map[string]any{"decision": "decline"})
		}
		if m.Method == "turn/completed" {
			break
		}
	}
	if !asked["call_esc"] || asked["call_rule"] {
		t.Errorf("asked %v, want call_esc only: %s", asked, methods(seen))
	}
	reqs := f.srv.Requests()
	if out := string(reqs[len(reqs)-1].Body); !containsAll(out, "call_rule", "approval_policy granular does not allow rules") {
		t.Errorf("call_rule refused without saying why: %s", out)
	}

	t.Run("written by config/value/write", func(t *testing.T) {
		// The client writes the table (as the Codex CLI's config object);
		// the next thread has it. A table that does not load is refused
		// and the file stays as it was.
		t.Parallel()
		f := newFixture(t)
		c := f.start(t)
		bad := map[string]any{"granular": map[string]any{"sandbox_approval": true, "rules": true}}
		if m := c.callErr("config/value/write", map[string]any{"keyPath": "approval_policy", "value": bad, "mergeStrategy": "replace"}); m.Error == nil ||
			!strings.Contains(m.Error.Message, "mcp_elicitations is required") {
			t.Errorf("bad table written: %s", m.raw)
		}
		if b, _ := os.ReadFile(filepath.Join(f.home, "config.toml")); strings.Contains(string(b), "approval_policy") {
			t.Errorf("config.toml changed by a refused write:\n%s", b)
		}
		good := map[string]any{"granular": map[string]any{"sandbox_approval": false, "rules": true, "mcp_elicitations": false}}
		c.call("config/value/write", map[string]any{"keyPath": "approval_policy", "value": good, "mergeStrategy": "replace"})
		var r struct {
			ApprovalPolicy any `json:"approvalPolicy"`
		}
		c.call("thread/start", map[string]any{"cwd": f.work}).decode(t, &r)
		const want = "map[granular:map[mcp_elicitations:false request_permissions:false rules:true sandbox_approval:false skill_approval:false]]"
		if got := fmt.Sprint(r.ApprovalPolicy); got != want {
			t.Errorf("thread after the write: approvalPolicy = %s, want %s", got, want)
		}
	})
	t.Run("bad table", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.prependConfig(t, "approval_policy = { granular = { sandbox_approval = true, rules = false } }\n")
		cmd := exec.Command(bin(t), "app-server")
		cmd.Env, cmd.Dir = f.env, f.work
		out, err := cmd.CombinedOutput()
		line := "codex app-server: " + filepath.Join(f.home, "config.toml") + ":1:21: approval_policy.granular: mcp_elicitations is required"
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.HasPrefix(string(out), line) || strings.Count(string(out), "\n") != 1 {
			t.Errorf("app-server: %v, output %q; want exit 1 and one line %q…", err, out, line)
		}
	})
}
