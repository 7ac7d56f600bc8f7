package agent

import (
	"context"
	"sync"

	execpolicy "github.com/codexgo/codex-execpolicy"
	"github.com/codexgo/common/protocol"
)

// ExecPolicy judges commands in process with codex-execpolicy: the
// embedded default policy plus the user's $CODEX_HOME/rules and the
// project's .codex/rules.
type ExecPolicy struct {
	// P is the loaded policy; Reload replaces it.
	P *execpolicy.Policy
	// WritableRoots are passed with every request, so writes outside them
	// are at least a prompt.
	WritableRoots []string

	opts execpolicy.Options
	mu   sync.RWMutex
}

// LoadExecPolicy loads the policies for a session. userRules false skips
// $CODEX_HOME/rules (--ignore-rules).
func LoadExecPolicy(codexHome, projectDir, home string, userRules bool) (*ExecPolicy, error) {
	opts := execpolicy.Options{ProjectDir: projectDir, Home: home}
	if userRules {
		opts.CodexHome = codexHome
	}
	p, err := execpolicy.Load(opts)
	if err != nil {
		return nil, err
	}
	return &ExecPolicy{P: p, opts: opts}, nil
}

// Reload loads the policy files again (after "approve and remember"
// appended a rule); on an error the old policy stays.
func (e *ExecPolicy) Reload() error {
	p, err := execpolicy.Load(e.opts)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.P = p
	e.mu.Unlock()
	return nil
}

// Check implements Policy.
func (e *ExecPolicy) Check(_ context.Context, argv []string, cwd string) (protocol.PolicyVerdict, error) {
	e.mu.RLock()
	p := e.P
	e.mu.RUnlock()
	return p.Check(protocol.PolicyRequest{Argv: argv, Cwd: cwd, WritableRoots: e.WritableRoots}), nil
}
