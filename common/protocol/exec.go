package protocol

// ExecRequest is what codex-sandbox --json reads from stdin: one command to
// run under a sandbox policy. It is the contract the agent pipes every
// command through.
type ExecRequest struct {
	// ProtocolVersion is ExecProtocolVersion when sent; a request
	// without it is taken as version 1.
	ProtocolVersion int      `json:"protocol_version,omitempty"`
	Argv            []string `json:"argv"`
	// Cwd is the working directory and, for workspace-write, the first
	// writable root. Empty means the sandbox's own working directory.
	Cwd string `json:"cwd,omitempty"`
	// Env is the complete environment of the command. Nil means inherit
	// the sandbox process's environment.
	Env           map[string]string `json:"env,omitempty"`
	SandboxPolicy SandboxPolicy     `json:"sandbox_policy"`
	// TimeoutMS ends the whole process tree after this many milliseconds;
	// zero means no timeout.
	TimeoutMS int64 `json:"timeout_ms,omitempty"`
	// Stdin is written to the command's standard input, which is then
	// closed. Without it the command reads an empty input.
	Stdin *string `json:"stdin,omitempty"`
	// MaxOutputBytes caps each of stdout and stderr; zero means the
	// sandbox's default. The head and the tail are kept.
	MaxOutputBytes int `json:"max_output_bytes,omitempty"`
}

// ExecResult is what codex-sandbox --json writes to stdout.
type ExecResult struct {
	// ProtocolVersion is ExecProtocolVersion in codex-sandbox --json's
	// output; zero (omitted) in results that never leave the process.
	ProtocolVersion int    `json:"protocol_version,omitempty"`
	ExitCode        int    `json:"exit_code"`
	Signal          int    `json:"signal,omitempty"`
	TimedOut        bool   `json:"timed_out"`
	DurationMS      int64  `json:"duration_ms"`
	Stdout          string `json:"stdout"`
	Stderr          string `json:"stderr"`
	StdoutTruncated bool   `json:"stdout_truncated,omitempty"`
	StderrTruncated bool   `json:"stderr_truncated,omitempty"`
	// Error says why the command could not be run at all (sandbox set-up,
	// not found, not executable); ExitCode is then 125, 127 or 126.
	Error   string         `json:"error,omitempty"`
	Sandbox *SandboxReport `json:"sandbox,omitempty"`
}

// SandboxReport says honestly which protections were in force.
type SandboxReport struct {
	// Mechanism is "landlock", "seatbelt" or "none".
	Mechanism string `json:"mechanism"`
	// LandlockABI is the kernel's Landlock ABI version (0: none).
	LandlockABI int `json:"landlock_abi,omitempty"`
	// Active lists the protections in force, e.g. "landlock-fs",
	// "seccomp-net", "protected-subpaths".
	Active []string `json:"active,omitempty"`
	// Unavailable lists protections asked for that this machine cannot
	// provide, each with the reason.
	Unavailable []string `json:"unavailable,omitempty"`
	// WritableRoots are the resolved writable directories.
	WritableRoots []string `json:"writable_roots,omitempty"`
	// ReadOnlySubpaths are the protected paths inside writable roots.
	ReadOnlySubpaths []string `json:"read_only_subpaths,omitempty"`
	// Denied is the sandbox's best judgement that the command failed
	// because the sandbox refused something.
	Denied bool `json:"denied,omitempty"`
	// NetworkHint, when the command failed to resolve or reach a host
	// with the network off, says so and how to allow the network.
	NetworkHint string `json:"network_hint,omitempty"`
}
