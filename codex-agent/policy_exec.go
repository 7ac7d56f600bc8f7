package agent

import (
	"context"

	execpolicy "github.com/codexgo/codex-execpolicy"
	"github.com/codexgo/common/protocol"
)

// ExecPolicy judges commands in process with codex-execpolicy: the
// embedded default policy plus the user's $CODEX_HOME/rules and the
// project's .codex/rules.
type ExecPolicy struct {
	P *execpolicy.Policy
	// WritableRoots are passed with every request, so writes outside them
	// are at least a prompt.
	WritableRoots []string
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
	return &ExecPolicy{P: p}, nil
}

// Check implements Policy.
func (e *ExecPolicy) Check(_ context.Context, argv []string, cwd string) (protocol.PolicyVerdict, error) {
	return e.P.Check(protocol.PolicyRequest{Argv: argv, Cwd: cwd, WritableRoots: e.WritableRoots}), nil
}
