package protocol

import "fmt"

// Versions of the JSON contracts between our tools. Each is the
// contract's major version, carried in its messages as protocol_version:
// a field added compatibly (one a reader may ignore) does not change it;
// a change an older reader would misread does. A reader accepts a message
// without the field (a producer older than the field, taken as version
// 1) and any version up to its own, and refuses a newer one with
// VersionError: the message may mean what it cannot understand, and the
// fix is to upgrade the reader.
//
// The Codex CLI's own wire formats (codex exec --json events, the
// app-server protocol, proto's events, MCP, the Responses API) carry no
// such field: they stay byte-compatible with the Codex clients.
const (
	// ExecProtocolVersion is codex-sandbox --json's: an ExecRequest on
	// stdin, an ExecResult on stdout (also --sandbox-cmd's).
	ExecProtocolVersion = 1
	// PolicyProtocolVersion is codex-execpolicy check's: a
	// PolicyRequest per JSONL line in, a PolicyVerdict per line out
	// (--jsonl), or one verdict (--json). Its --format codex output is the
	// Codex CLI's and has none.
	PolicyProtocolVersion = 1
	// SandboxReportProtocolVersion is codex-linux-sandbox's: each line it
	// (and its PID namespace's init) writes to --report-fd, and its
	// --explain JSON (also codex-sandbox --explain's).
	SandboxReportProtocolVersion = 1
	// MCPClientProtocolVersion is codex-mcp-client's own JSON: the summary
	// the bare invocation prints and the objects the list-* commands
	// gather. What a server answered (call, read-resource, get-prompt,
	// --jsonl) is MCP's and printed as sent.
	MCPClientProtocolVersion = 1
)

// CheckVersion checks a message's protocol_version against the newest
// version of the contract the reader knows; 0 (no field) is accepted.
func CheckVersion(contract string, got, known int) error {
	if got < 0 || got > known {
		return &VersionError{Contract: contract, Got: got, Known: known}
	}
	return nil
}

// VersionError is a message of a contract version the reader does not
// know.
type VersionError struct {
	Contract   string
	Got, Known int
}

func (e *VersionError) Error() string {
	if e.Got < 0 {
		return fmt.Sprintf("%s: protocol_version %d is not a version", e.Contract, e.Got)
	}
	return fmt.Sprintf("%s: protocol_version %d is newer than the %d this program speaks: upgrade it to match the program that wrote the message", e.Contract, e.Got, e.Known)
}
