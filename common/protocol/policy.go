package protocol

import "encoding/json"

// Decision is the execpolicy's verdict on a command. Forbidden outranks
// prompt, which outranks allow.
type Decision string

// The decisions.
const (
	DecisionAllow     Decision = "allow"
	DecisionPrompt    Decision = "prompt"
	DecisionForbidden Decision = "forbidden"
)

// Rank orders decisions by strictness (allow 0, prompt 1, forbidden 2);
// unknown values rank as prompt so they never weaken a verdict.
func (d Decision) Rank() int {
	switch d {
	case DecisionAllow:
		return 0
	case DecisionForbidden:
		return 2
	}
	return 1
}

// PolicyRequest is one question to codex-execpolicy: may this command run?
// Give either Argv (or ArgvB64 for arguments that are not UTF-8) or Script
// (a shell script, judged as `bash -c Script`).
type PolicyRequest struct {
	// ProtocolVersion is PolicyProtocolVersion when sent; a request
	// without it is taken as version 1.
	ProtocolVersion int      `json:"protocol_version,omitempty"`
	Argv            []string `json:"argv"`
	Cwd             string   `json:"cwd,omitempty"`
	// ID is echoed unchanged in the verdict (any JSON value).
	ID json.RawMessage `json:"id,omitempty"`
	// Script is a shell script to judge instead of Argv.
	Script string `json:"script,omitempty"`
	// ArgvB64 holds each argument base64-encoded (standard encoding), for
	// arguments that are not valid UTF-8. It replaces Argv when set.
	ArgvB64 []string `json:"argv_b64,omitempty"`
	// WritableRoots lists folders the command may write in; a write outside
	// them is at least prompt. Empty means every write prompts.
	WritableRoots []string `json:"writable_roots,omitempty"`
	// ReadableRoots, when non-empty, lists folders the command may read; a
	// read outside them is at least prompt.
	ReadableRoots []string `json:"readable_roots,omitempty"`
}

// PolicyVerdict is codex-execpolicy's answer. Commands holds one entry per
// simple command found (a `bash -lc` script may hold several); Decision is
// the strictest of them.
type PolicyVerdict struct {
	// ProtocolVersion is PolicyProtocolVersion in codex-execpolicy's
	// output; zero (omitted) in verdicts that never leave the process.
	ProtocolVersion int `json:"protocol_version,omitempty"`
	// ID echoes the request's id.
	ID       json.RawMessage `json:"id,omitempty"`
	Decision Decision        `json:"decision"`
	Reason   string          `json:"reason,omitempty"`
	Commands []ParsedCommand `json:"commands,omitempty"`
	// Error is set when the request itself was bad (empty argv, malformed
	// line); Decision is then prompt.
	Error string `json:"error,omitempty"`
	// Line is the input line number of a malformed JSONL request.
	Line int `json:"line,omitempty"`
	// SuggestedPrefix, on a prompt, is the prefix to remember if the user
	// approves "and don't ask again": the program, plus its subcommand for
	// tools that have them (["git", "push"]), never the exact argv. Absent
	// when the command should not be generalised (shells, sudo, rm...).
	SuggestedPrefix []string `json:"suggested_prefix,omitempty"`
}

// ParsedCommand is one simple command as the policy understood it.
type ParsedCommand struct {
	Argv     []string `json:"argv"`
	Program  string   `json:"program"`
	Decision Decision `json:"decision"`
	// Rule names the rule that decided (file:line, or "default").
	Rule   string `json:"rule,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Kind says what kind of finding decided, so that a caller applying
	// an approval policy need not know the policy's rule names: see
	// CommandKind. Empty (an older or external policy) must be read as
	// KindUnverified for an allow and as KindRule for a prompt.
	Kind CommandKind `json:"kind,omitempty"`
	// ReadFiles and WriteFiles are the paths the typed policy says the
	// command reads and writes, resolved against the cwd.
	ReadFiles  []string `json:"read_files,omitempty"`
	WriteFiles []string `json:"write_files,omitempty"`

	// Executable is the trusted absolute path to exec (the first
	// system_path entry that exists), when the policy names one.
	Executable string `json:"executable,omitempty"`
	// Via lists the wrappers this command was found inside, outermost
	// first (e.g. ["sudo", "xargs"] or ["bash -c"]).
	Via []string `json:"via,omitempty"`
	// Flags are the value-less options given, in order.
	Flags []string `json:"flags,omitempty"`
	// Options are the options given with values.
	Options []ParsedOption `json:"options,omitempty"`
	// Args are the positional arguments with their roles.
	Args []ParsedArg `json:"args,omitempty"`
	// Redirects are the shell redirections attached to the command.
	Redirects []ParsedRedirect `json:"redirects,omitempty"`
	// MatchedRules lists every policy rule that matched this command.
	MatchedRules []MatchedRule `json:"matched_rules,omitempty"`
}

// CommandKind classifies why a command got its decision.
type CommandKind string

// The command kinds.
const (
	// KindSafe: a rule of the default policy knows this use of the
	// program as read-only (no file written), or the entry is a shell
	// wrapper whose commands are judged one by one.
	KindSafe CommandKind = "safe"
	// KindWrite: the command writes files (inside the writable roots for
	// an allow, elsewhere or unknown roots for a prompt) or deletes them.
	KindWrite CommandKind = "write"
	// KindRule: a rule of the user's or the project's .rules files decided.
	KindRule CommandKind = "rule"
	// KindDanger: a danger heuristic (forced delete, push, pipe to shell,
	// raw disk write…) decided: its prompt is a warning to heed.
	KindDanger CommandKind = "danger"
	// KindUnverified: no rule knows the command, or the shell construct
	// cannot be verified (substitution, loops, expansions).
	KindUnverified CommandKind = "unverified"
)

// ParsedOption is one option with its value and the value's role.
type ParsedOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

// ParsedArg is one positional argument: Index is its position in the
// argument list after the program (0-based, as the legacy engine counted), Type is its role (ReadableFile, WriteableFile, OpaqueNonFile,
// PositiveInteger, SedCommand, Literal, Unknown).
type ParsedArg struct {
	Index int    `json:"index"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// ParsedRedirect is one redirection: Op is the shell operator (">", ">>",
// "<", "2>&1", "<<"...), Target the file (empty for here-docs and fd dups).
type ParsedRedirect struct {
	Op     string `json:"op"`
	Target string `json:"target,omitempty"`
}

// MatchedRule is one rule that matched a command: Source is file:line (or
// "default:line" for the built-in policy, "builtin:<id>" for built-in
// heuristics).
type MatchedRule struct {
	Source        string   `json:"source"`
	Kind          string   `json:"kind"`
	Decision      Decision `json:"decision"`
	Pattern       []string `json:"pattern,omitempty"`
	Justification string   `json:"justification,omitempty"`
}
