package protocol

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
type PolicyRequest struct {
	Argv []string `json:"argv"`
	Cwd  string   `json:"cwd,omitempty"`
}

// PolicyVerdict is codex-execpolicy's answer. Commands holds one entry per
// simple command found (a `bash -lc` script may hold several); Decision is
// the strictest of them.
type PolicyVerdict struct {
	Decision Decision        `json:"decision"`
	Reason   string          `json:"reason,omitempty"`
	Commands []ParsedCommand `json:"commands,omitempty"`
}

// ParsedCommand is one simple command as the policy understood it.
type ParsedCommand struct {
	Argv     []string `json:"argv"`
	Program  string   `json:"program"`
	Decision Decision `json:"decision"`
	// Rule names the rule that decided (file:line, or "default").
	Rule   string `json:"rule,omitempty"`
	Reason string `json:"reason,omitempty"`
	// ReadFiles and WriteFiles are the paths the typed policy says the
	// command reads and writes, resolved against the cwd.
	ReadFiles  []string `json:"read_files,omitempty"`
	WriteFiles []string `json:"write_files,omitempty"`
}
