package approval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	execpolicy "github.com/codexgo/codex-execpolicy"
	"github.com/codexgo/common/protocol"
)

// Fallback is the minimal policy for sessions built without an
// execpolicy: it leaves the sandbox to do the guarding and only asks
// before a forced removal, as the Codex CLI's runtime does by default.
// Its allows are unverified, so that untrusted still asks for everything.
type Fallback struct{}

// Check implements Policy.
func (Fallback) Check(_ context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error) {
	argv := req.Argv
	words := argv
	if len(argv) == 3 && IsShell(argv[0]) && (argv[1] == "-c" || argv[1] == "-lc") {
		words = strings.Fields(argv[2])
	}
	for i, w := range words {
		if filepath.Base(w) != "rm" {
			continue
		}
		for _, a := range words[i+1:] {
			if a == "--force" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "f")) {
				return protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Reason: "forced removal",
					Commands: []protocol.ParsedCommand{{Argv: argv, Program: "rm", Decision: protocol.DecisionPrompt,
						Rule: "builtin:rm-force", Kind: protocol.KindDanger}}}, nil
			}
		}
	}
	prog := ""
	if len(words) > 0 {
		prog = filepath.Base(words[0])
	}
	return protocol.PolicyVerdict{Decision: protocol.DecisionAllow,
		Commands: []protocol.ParsedCommand{{Argv: argv, Program: prog, Decision: protocol.DecisionAllow, Rule: "default",
			Kind: protocol.KindUnverified}}}, nil
}

// Cmd asks an external program speaking the codex-execpolicy JSON
// contract (--execpolicy-cmd): a protocol.PolicyRequest on stdin, a
// protocol.PolicyVerdict on stdout.
type Cmd struct {
	Argv []string
}

// Check implements Policy.
func (c Cmd) Check(ctx context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error) {
	req.ProtocolVersion = protocol.PolicyProtocolVersion
	in, err := json.Marshal(req)
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
			err = errors.New("no decision")
		}
		if runErr != nil {
			err = runErr
		}
		return v, fmt.Errorf("execpolicy command %s: %v: %s", c.Argv[0], err, bytes.TrimSpace(stderr.Bytes()))
	}
	if err := protocol.CheckVersion("execpolicy command "+c.Argv[0]+": its verdict", v.ProtocolVersion, protocol.PolicyProtocolVersion); err != nil {
		return protocol.PolicyVerdict{}, err
	}
	return v, nil
}

// Exec judges commands in process with codex-execpolicy: the embedded
// default policy plus the user's $CODEX_HOME/rules and the project's
// .codex/rules.
type Exec struct {
	opts execpolicy.Options
	mu   sync.RWMutex
	p    *execpolicy.Policy
}

// LoadExec loads the policies for a session. userRules false skips
// $CODEX_HOME/rules (--ignore-rules).
func LoadExec(codexHome, projectDir, home string, userRules bool) (*Exec, error) {
	opts := execpolicy.Options{ProjectDir: projectDir, Home: home}
	if userRules {
		opts.CodexHome = codexHome
	}
	p, err := execpolicy.Load(opts)
	if err != nil {
		return nil, err
	}
	return &Exec{p: p, opts: opts}, nil
}

// Reload loads the policy files again (after "approve and remember"
// appended a rule); on an error the old policy stays.
func (e *Exec) Reload() error {
	p, err := execpolicy.Load(e.opts)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.p = p
	e.mu.Unlock()
	return nil
}

// Check implements Policy.
func (e *Exec) Check(_ context.Context, req protocol.PolicyRequest) (protocol.PolicyVerdict, error) {
	e.mu.RLock()
	p := e.p
	e.mu.RUnlock()
	return p.Check(req), nil
}
