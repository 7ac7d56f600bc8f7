package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/codexgo/common/protocol"
)

// Policy judges a proposed command before it runs: allow, prompt or
// forbidden (the codex-execpolicy contract).
type Policy interface {
	Check(ctx context.Context, argv []string, cwd string) (protocol.PolicyVerdict, error)
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, argv []string, cwd string) (protocol.PolicyVerdict, error)

// Check implements Policy.
func (f PolicyFunc) Check(ctx context.Context, argv []string, cwd string) (protocol.PolicyVerdict, error) {
	return f(ctx, argv, cwd)
}

// FallbackPolicy is the minimal policy for sessions built without an
// execpolicy: it leaves the sandbox to do the guarding and only asks
// before a forced removal, as the Codex CLI's runtime does by default.
// Its allows carry Rule "default" so that "untrusted" still asks for
// everything.
type FallbackPolicy struct{}

// Check implements Policy.
func (FallbackPolicy) Check(_ context.Context, argv []string, _ string) (protocol.PolicyVerdict, error) {
	words := argv
	if len(argv) == 3 && isShell(argv[0]) && (argv[1] == "-c" || argv[1] == "-lc") {
		words = strings.Fields(argv[2])
	}
	for i, w := range words {
		if filepath.Base(w) != "rm" {
			continue
		}
		for _, a := range words[i+1:] {
			if a == "--force" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "f")) {
				return protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Reason: "forced removal",
					Commands: []protocol.ParsedCommand{{Argv: argv, Program: "rm", Decision: protocol.DecisionPrompt, Rule: "builtin:rm"}}}, nil
			}
		}
	}
	prog := ""
	if len(words) > 0 {
		prog = filepath.Base(words[0])
	}
	return protocol.PolicyVerdict{Decision: protocol.DecisionAllow,
		Commands: []protocol.ParsedCommand{{Argv: argv, Program: prog, Decision: protocol.DecisionAllow, Rule: "default"}}}, nil
}

func isShell(p string) bool {
	switch filepath.Base(p) {
	case "bash", "sh", "zsh", "dash":
		return true
	}
	return false
}

// CmdPolicy asks an external program speaking the codex-execpolicy JSON
// contract (--execpolicy-cmd): a protocol.PolicyRequest on stdin, a
// protocol.PolicyVerdict on stdout.
type CmdPolicy struct {
	Argv []string
}

// Check implements Policy.
func (c CmdPolicy) Check(ctx context.Context, argv []string, cwd string) (protocol.PolicyVerdict, error) {
	in, err := json.Marshal(protocol.PolicyRequest{Argv: argv, Cwd: cwd})
	if err != nil {
		return protocol.PolicyVerdict{}, err
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	runErr := cmd.Run()
	var v protocol.PolicyVerdict
	if err := json.Unmarshal(stdout.Bytes(), &v); err != nil || v.Decision == "" {
		if err == nil {
			err = fmt.Errorf("no decision")
		}
		return v, fmt.Errorf("execpolicy command %s: %v: %s", c.Argv[0], firstErr(runErr, err), bytes.TrimSpace(stderr.Bytes()))
	}
	return v, nil
}
