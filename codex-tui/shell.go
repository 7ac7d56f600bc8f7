package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/selfexec"
)

// shellDoneMsg is a finished !command.
type shellDoneMsg struct{ cell execCell }

// maxShellOutput bounds what a !command's output keeps in memory.
const maxShellOutput = 1 << 20

// runShell is `!cmd`: the user's own command, run in the session's
// working directory under the session's sandbox policy (the same
// codex-sandbox the model's commands run in), its output shown as a
// command cell. Nothing is asked: the user typed it.
func (m *model) runShell(script string) tea.Cmd {
	m.print(userCell{text: "!" + script})
	if m.env.sandbox == nil {
		m.print(noticeCell{"error", "!commands need codex-sandbox (not found next to this binary or on PATH)"})
		return nil
	}
	policy := m.session.SandboxPolicy
	if policy == nil {
		policy = &protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}
	}
	pj, err := json.Marshal(policy)
	if err != nil {
		m.print(noticeCell{"error", err.Error()})
		return nil
	}
	run, cwd, now := m.env.sandbox, m.cwd(), m.env.now
	argv := []string{"bash", "-lc", script}
	m.shells++
	return func() tea.Msg {
		start := now()
		c := execCell{command: argv, done: true}
		cmd, err := run(context.Background(), string(pj), cwd, argv)
		if err != nil {
			c.exitCode, c.output = -1, err.Error()
			return shellDoneMsg{c}
		}
		var out limitedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err = cmd.Run()
		c.output, c.duration = out.String(), now().Sub(start)
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			c.exitCode = ee.ExitCode()
		case err != nil:
			c.exitCode, c.output = -1, c.output+err.Error()
		}
		return shellDoneMsg{c}
	}
}

// limitedBuffer keeps the first maxShellOutput bytes written to it.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxShellOutput - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// sandboxRunner finds codex-sandbox: the fused codex binary is one (re-
// executed under that name); a standalone codex-tui uses the codex-sandbox
// next to it, else on PATH. nil when there is none.
func sandboxRunner() func(ctx context.Context, policy, cwd string, argv []string) (*exec.Cmd, error) {
	args := func(policy, cwd string, argv []string) []string {
		return append([]string{"--sandbox-policy", policy, "--cd", cwd, "--"}, argv...)
	}
	self, err := os.Executable()
	if err == nil && strings.HasPrefix(filepath.Base(self), "codex-tui") {
		p := filepath.Join(filepath.Dir(self), "codex-sandbox")
		if !exists(p) {
			if p, err = exec.LookPath("codex-sandbox"); err != nil {
				return nil
			}
		}
		return func(ctx context.Context, policy, cwd string, argv []string) (*exec.Cmd, error) {
			cmd := exec.CommandContext(ctx, p, args(policy, cwd, argv)...)
			cmd.Dir = cwd
			// The supervisor ends the command's tree when the TUI dies.
			cmd.SysProcAttr = selfexec.DieWithParent(cmd.SysProcAttr)
			return cmd, nil
		}
	}
	return func(ctx context.Context, policy, cwd string, argv []string) (*exec.Cmd, error) {
		cmd, err := selfexec.Command(ctx, "codex-sandbox", args(policy, cwd, argv)...)
		if err != nil {
			return nil, fmt.Errorf("codex-sandbox: %w", err)
		}
		cmd.Dir = cwd
		cmd.SysProcAttr = selfexec.DieWithParent(cmd.SysProcAttr)
		return cmd, nil
	}
}

// shellDone prints a finished !command.
func (m *model) shellDone(msg shellDoneMsg) {
	m.shells--
	c := msg.cell
	c.duration = c.duration.Truncate(time.Millisecond)
	m.print(c)
}
