package mcpclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/codexgo/common/protocol"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// operation runs requests against one connected server.
type operation struct {
	conn    *mcpconn.Conn
	timeout time.Duration
	stdin   io.Reader
	stdout  io.Writer
}

// serverSummary is what the bare invocation prints (schema/summary.schema.json).
type serverSummary struct {
	// Version is codex-mcp-client's, protocol.MCPClientProtocolVersion;
	// ProtocolVersion is MCP's, the one the server agreed to.
	Version         int                     `json:"protocol_version"`
	ProtocolVersion string                  `json:"protocolVersion"`
	ServerInfo      *mcp.Implementation     `json:"serverInfo"`
	Capabilities    *mcp.ServerCapabilities `json:"capabilities"`
	Instructions    string                  `json:"instructions,omitempty"`
	Tools           []*mcp.Tool             `json:"tools"`
}

func (o *operation) run(ctx context.Context, inv *invocation) error {
	cctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cs := o.conn.Session
	var (
		raw json.RawMessage
		v   any
		err error
	)
	what := inv.sub
	switch inv.sub {
	case "":
		what = "list tools"
		init := cs.InitializeResult()
		sum := serverSummary{Version: protocol.MCPClientProtocolVersion, ProtocolVersion: init.ProtocolVersion, ServerInfo: init.ServerInfo,
			Capabilities: init.Capabilities, Instructions: init.Instructions, Tools: []*mcp.Tool{}}
		if init.Capabilities != nil && init.Capabilities.Tools != nil {
			sum.Tools, err = collect(cs.Tools(cctx, nil))
		}
		v = sum
	case "list-tools":
		var ts []*mcp.Tool
		ts, err = collect(cs.Tools(cctx, nil))
		v = listed("tools", ts)
	case "list-resources":
		var rs []*mcp.Resource
		rs, err = collect(cs.Resources(cctx, nil))
		v = listed("resources", rs)
	case "list-resource-templates":
		var rs []*mcp.ResourceTemplate
		rs, err = collect(cs.ResourceTemplates(cctx, nil))
		v = listed("resourceTemplates", rs)
	case "list-prompts":
		var ps []*mcp.Prompt
		ps, err = collect(cs.Prompts(cctx, nil))
		v = listed("prompts", ps)
	case "read-resource":
		v, err = cs.ReadResource(cctx, &mcp.ReadResourceParams{URI: inv.operand})
		raw = o.conn.Raw("resources/read")
	case "get-prompt":
		v, err = cs.GetPrompt(cctx, &mcp.GetPromptParams{Name: inv.operand, Arguments: inv.promptArgs})
		raw = o.conn.Raw("prompts/get")
	case "call":
		return o.call(ctx, cctx, inv)
	}
	if err != nil {
		return o.failure(ctx, err, what)
	}
	return writeJSON(o.stdout, raw, v)
}

// listed is what a list-* command prints: every page gathered under key,
// with codex-mcp-client's protocol_version (schema/list.schema.json).
func listed(key string, items any) map[string]any {
	return map[string]any{"protocol_version": protocol.MCPClientProtocolVersion, key: items}
}

// call runs tools/call; a result with isError is printed and exits 1.
func (o *operation) call(ctx, cctx context.Context, inv *invocation) error {
	res, err := o.conn.Session.CallTool(cctx, &mcp.CallToolParams{Name: inv.operand, Arguments: inv.toolArgs})
	if err != nil {
		return o.failure(ctx, err, "call "+inv.operand)
	}
	if err := writeJSON(o.stdout, o.conn.Raw("tools/call"), res); err != nil {
		return err
	}
	if res.IsError {
		return fmt.Errorf("call %s: the tool reported an error (isError)", inv.operand)
	}
	return nil
}

// toolArgs reads call's --args or --args-file ("-" is stdin).
func toolArgs(inv *invocation, stdin io.Reader) (map[string]any, error) {
	data := []byte(inv.argsJSON)
	switch {
	case inv.argsFile == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read arguments: %w", err)
		}
		data = b
	case inv.argsFile != "":
		b, err := os.ReadFile(inv.argsFile)
		if err != nil {
			return nil, usagef("call --args-file: %v", err)
		}
		data = b
	}
	args := map[string]any{}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &args); err != nil || args == nil {
			return nil, usagef("call: arguments must be a JSON object: %s", jsonErr(err))
		}
	}
	return args, nil
}

func jsonErr(err error) string {
	if err == nil {
		return "got null"
	}
	return err.Error()
}

// failure explains why a request failed: timeout, interrupt, a dead
// server (with its exit status), or the server's error response.
func (o *operation) failure(ctx context.Context, err error, what string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: interrupted", what)
	}
	if ee := o.exitErr(); ee != nil {
		return fmt.Errorf("%s: %v", what, ee)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: timed out after %s", what, o.timeout)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// exitErr reports a server that died. The session notices the closed
// pipe a moment before the exit status is collected, hence the waits.
func (o *operation) exitErr() error {
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	select {
	case <-o.conn.Done():
	case <-t.C:
		return nil
	}
	select {
	case <-o.conn.Exited():
		return o.conn.ExitError()
	case <-t.C:
		return errors.New("connection to server lost")
	}
}

func collect[T any](seq func(func(*T, error) bool)) ([]*T, error) {
	out := []*T{}
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
