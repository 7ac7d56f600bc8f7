package appserver

import (
	"context"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/codexgo/common/protocol"
)

// Session is one live conversation the server drives: the agent's
// session (agent.Session), driven by protocol ops and read as protocol
// events. The server maps those onto threads, turns and items.
type Session interface {
	Run(ctx context.Context) error
	Submit(ctx context.Context, sub protocol.Submission) error
	Events() <-chan protocol.Event
	ThreadID() string
}

// ThreadConfig is what a client asks of a new, resumed or forked thread
// (thread/start, thread/resume, thread/fork); empty fields take
// config.toml's values.
type ThreadConfig struct {
	Cwd            string
	Model          string
	ModelProvider  string
	ApprovalPolicy string
	Sandbox        string
	// Overrides are config.toml overrides (key=TOML value), the
	// server's -c flags first, then the thread's `config` map.
	Overrides             []string
	BaseInstructions      string
	DeveloperInstructions string
	Ephemeral             bool
	// Resume is the rollout of the thread to continue; Fork the rollout
	// whose conversation a new thread starts from.
	Resume, Fork string
	// Client names the program driving the server ("name; version").
	Client string
}

// Opened is a session built for a thread.
type Opened struct {
	Session Session
	// Path is the rollout file ("" when ephemeral).
	Path           string
	Model          string
	ModelProvider  string
	Cwd            string
	ApprovalPolicy protocol.AskForApproval
	Sandbox        protocol.SandboxPolicy
	Effort         string
	// MCP is the session's own MCP servers (nil: none configured); their
	// elicitations reach the session.
	MCP *mcpmanager.Manager
	// Elicit puts an MCP server's elicitation to the thread's client as
	// the session's own (its approval policy decides first); nil
	// declines. The server-wide MCP servers' elicitations during a
	// client's mcpServer/tool/call go through it.
	Elicit func(ctx context.Context, server string, req *mcp.ElicitRequest) (*mcp.ElicitResult, error)
	// Close flushes the rollout and stops what the session started (MCP
	// servers); call it after Run returns.
	Close func() error
}

// Backend builds sessions: the agent's session builder (wired by the
// agent package, which this package must not import).
type Backend interface {
	Open(ctx context.Context, cfg ThreadConfig) (*Opened, error)
}
