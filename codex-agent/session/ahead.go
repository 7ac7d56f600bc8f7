package session

import (
	"github.com/codexgo/codex-agent/runner"
	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/protocol"
)

// newAhead gives a session whose runner starts sandbox helpers
// (runner.WithAhead) an Ahead of its own, and returns the runner using
// it; nil when the runner starts none. The session starts the helper of
// its next sandboxed command while it waits for the model (startAhead)
// and reaps one left unused when it ends (Run), so no helper outlives it.
func newAhead(r runner.Runner) (runner.Runner, *sandbox.Ahead) {
	a := &sandbox.Ahead{}
	if r, ok := runner.WithAhead(r, a); ok {
		return r, a
	}
	return r, nil
}

// startAhead starts, off the turn's path, a helper for the session's
// next sandboxed command if none is parked: when a model request begins
// and after each tool call. A turn whose policy runs commands unsandboxed
// starts none. The helper holds no policy: the command's own, decided
// when it runs, is handed to it then. Where the agent sets the sandbox
// up itself (root on amd64), where a helper could have no PID namespace,
// or after the session ended, Start starts nothing; as an ordinary user
// it parks one (sandbox.Ahead).
func (s *Session) startAhead(cfg SessionConfig) {
	if s.ahead == nil || cfg.Sandbox.Mode == protocol.SandboxDangerFullAccess {
		return
	}
	go func() {
		if err := s.ahead.Start(); err != nil {
			cfg.Logger.Debug("helper not started ahead", "err", err)
		}
	}()
}

// closeAhead reaps the session's unused parked helper, if any; a Start
// still on its way then starts nothing.
func (s *Session) closeAhead() {
	if s.ahead != nil {
		_ = s.ahead.Close()
	}
}
