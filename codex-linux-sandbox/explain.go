package linuxsandbox

import (
	"github.com/codexgo/common/protocol"
)

// Explanation is the effective policy and what this machine enforces of
// it: what --explain prints and what a report is made from.
type Explanation struct {
	*Plan
	// Mechanism is "landlock", "seatbelt" or "none".
	Mechanism string `json:"mechanism"`
	// Landlock is the ruleset (nil when none is applied).
	Landlock *LandlockSet `json:"landlock,omitempty"`
	// Seccomp summarises the filter's rules, one line each.
	Seccomp []string `json:"seccomp,omitempty"`
	// SeccompInstructions is the filter's length in BPF instructions.
	SeccompInstructions int `json:"seccomp_instructions,omitempty"`
	// MountNamespace says whether a private read-only mount namespace is
	// used (it needs CAP_SYS_ADMIN).
	MountNamespace bool `json:"mount_namespace"`
	// IPCNamespace says whether the command gets its own SysV IPC and
	// POSIX message queue namespace (with the mount namespace).
	IPCNamespace bool `json:"ipc_namespace"`
	// PIDNamespace says whether the command is PID 1 of a PID namespace
	// of its own (started so by codex-sandbox), with its own /proc.
	PIDNamespace bool `json:"pid_namespace"`
	// Active lists the protections in force.
	Active []string `json:"active"`
	// Unavailable lists protections this machine cannot give, with why.
	Unavailable []string `json:"unavailable"`
	// Error is set when the sandbox cannot be set up at all (the command
	// would not run).
	Error string `json:"error,omitempty"`
}

// LandlockSet is the Landlock ruleset a plan asks for.
type LandlockSet struct {
	ABI        int        `json:"abi"`
	HandledFS  []string   `json:"handled_fs"`
	HandledNet []string   `json:"handled_net,omitempty"`
	Scoped     []string   `json:"scoped,omitempty"`
	Rules      []PathRule `json:"rules"`
	attr       rulesetAttr
}

// PathRule is one Landlock rule: the rights granted beneath Path.
type PathRule struct {
	Path   string   `json:"path"`
	Access []string `json:"access"`
	access uint64
	// dir: Path is known to be a directory (opened with O_DIRECTORY).
	dir bool
}

// Report condenses the explanation into the wire report.
func (e *Explanation) Report() *protocol.SandboxReport {
	r := &protocol.SandboxReport{
		Mechanism:     e.Mechanism,
		Active:        e.Active,
		Unavailable:   e.Unavailable,
		WritableRoots: e.WritableRoots,
	}
	if e.Landlock != nil {
		r.LandlockABI = e.Landlock.ABI
	}
	if e.MountNamespace {
		r.ReadOnlySubpaths = e.Protected
	}
	return r
}
