package linuxsandbox

import (
	"github.com/codexgo/common/protocol"
)

// Explanation is the effective policy and what this machine enforces of
// it: what --explain prints and what a report is made from.
type Explanation struct {
	// ProtocolVersion is the --explain JSON's
	// (protocol.SandboxReportProtocolVersion; schema/explain.schema.json),
	// set when it is printed.
	ProtocolVersion int `json:"protocol_version,omitempty"`
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
	// Limits are what this sandbox never stops, on any machine (see
	// KnownLimits); --explain only, not in the report.
	Limits []string `json:"limits,omitempty"`
}

// KnownLimits lists what a restricted sandbox does not stop anywhere
// (README, Limits), for --explain.
func KnownLimits() []string {
	return []string{
		"reads: never restricted; the command reads whatever its user can",
		"git: repositories deeper than the workspace's direct children that are not gitlinks of its index, the user's global and system git config, and programs a repository's config runs through PATH or a shell are not protected",
		"not yet existing: a protected name (.codex, .git) or a path a git config names (a missing core.hooksPath, an include) can be created; each is listed in unprotectable_subpaths",
		"network on: abstract unix sockets (the host's D-Bus, X11) and io_uring are reachable; with allow_unix_sockets or the network on, a unix datagram reaches any pathname socket (needs Landlock ABI 9)",
		"kernel surface: bpf, perf_event_open on the command's own processes, userfaultfd and (network on) io_uring are left to the kernel's own checks; a kernel bug there is not contained",
	}
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
