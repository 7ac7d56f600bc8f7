//go:build !linux

package linuxsandbox

import (
	"errors"
	"runtime"
)

// Setup is a plan turned into kernel objects; off Linux it only reports
// that the Linux helper cannot run here.
type Setup struct {
	Explanation
}

// Prepare reports that this OS has no Landlock; restricted plans fail.
func Prepare(p *Plan) *Setup {
	s := &Setup{Explanation: Explanation{Plan: p, Mechanism: "none", Active: []string{}, Unavailable: []string{}}}
	if p.Restricted() {
		s.Error = "codex-linux-sandbox runs only on Linux, not " + runtime.GOOS
	}
	return s
}

// Apply fails for restricted plans off Linux.
func (s *Setup) Apply() error {
	if s.Error != "" {
		return errors.New(s.Error)
	}
	return nil
}

// ExecError is a failure to start the command; Code is 126 or 127.
type ExecError struct {
	Code int
	Err  error
}

// Error returns the underlying message.
func (e *ExecError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ExecError) Unwrap() error { return e.Err }

func execve(argv []string, dir string, env []string) error {
	return &ExecError{Code: 126, Err: errors.New("exec in place is not supported on " + runtime.GOOS)}
}

func execInit(argv []string, dir string, env []string, _ int) error { return execve(argv, dir, env) }

func closeInherited() {}
