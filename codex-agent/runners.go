package agent

import "github.com/codexgo/codex-agent/runner"

// The runners moved to package runner; these names stay for the front
// ends and tests that import the agent (a facade, see the package doc).
type (
	// Runner is runner.Runner.
	Runner = runner.Runner
	// InputRunner is runner.InputRunner.
	InputRunner = runner.InputRunner
	// Stdio is runner.Stdio.
	Stdio = runner.Stdio
	// DirectRunner is runner.DirectRunner.
	DirectRunner = runner.DirectRunner
	// SandboxRunner is runner.SandboxRunner.
	SandboxRunner = runner.SandboxRunner
	// CmdRunner is runner.CmdRunner.
	CmdRunner = runner.CmdRunner
)

// DefaultMaxOutputBytes is runner.DefaultMaxOutputBytes.
const DefaultMaxOutputBytes = runner.DefaultMaxOutputBytes
