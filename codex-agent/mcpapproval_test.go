package agent

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/codexgo/codex-mcp-client/mcpmanager"
	"github.com/codexgo/common/protocol"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// startEverything starts mcp-server-everything (stdio) under a manager
// named "everything"; client adds handlers (progress) when non-nil.
func startEverything(t *testing.T, client *mcp.ClientOptions) *mcpmanager.Manager {
	return startEverythings(t, client, "everything")
}

// startEverythings starts one mcp-server-everything per name.
func startEverythings(t *testing.T, client *mcp.ClientOptions, names ...string) *mcpmanager.Manager {
	t.Helper()
	bin := everything(t)
	var failed []string
	servers := map[string]mcpconfig.Server{}
	for _, n := range names {
		servers[n] = mcpconfig.Server{Command: bin, Args: []string{"stdio"}}
	}
	m := mcpmanager.Start(context.Background(), servers,
		mcpmanager.Options{Conn: mcpconn.Options{Getenv: os.Getenv, Client: client},
			OnStartupFailure: func(s string, err error) { failed = append(failed, s+": "+err.Error()) }})
	t.Cleanup(func() { _ = m.Close() })
	if len(failed) > 0 {
		t.Fatalf("mcp-server-everything did not start: %v", failed)
	}
	return m
}

// Tools of mcp-server-everything by what their annotations claim, and
// arguments for each.
const (
	readOnlyTool = "mcp__everything__echo"                     // readOnlyHint true
	allFalseTool = "mcp__everything__toggle-simulated-logging" // readOnly, destructive, openWorld hints all false
	openTool     = "mcp__everything__gzip-file-as-resource"    // readOnlyHint false, openWorldHint true
)

var toolArgs = map[string]map[string]any{
	readOnlyTool: {"message": "hi"},
	allFalseTool: {},
	openTool:     {"name": "hi.gz", "data": "data:text/plain;base64,aGk="},
}

// TestMCPToolApprovals checks MCP calls against approval_policy, in a
// session with a real MCP server, as the Codex CLI 0.169 decides them
// (approval.TestToolMatrix has every mix of annotations): a tool
// annotated read-only, or neither destructive nor open-world, runs
// without asking under every policy; any other is asked about under
// untrusted, on-request and on-failure and refused under never (unless
// danger-full-access). The question is the usual exec_approval_request,
// a denial or refusal goes back to the model and shows as a failed
// call, abort ends the turn.
func TestMCPToolApprovals(t *testing.T) {
	m := startEverything(t, nil)
	tests := []struct {
		name     string
		policy   protocol.AskForApproval
		sandbox  protocol.SandboxMode
		tool     string
		answer   protocol.ReviewDecision
		asked    bool
		ran      bool
		wantOut  string
		wantLast string // last event of the turn
	}{
		{"never refuses a tool that needs approval", protocol.ApprovalNever, protocol.SandboxWorkspaceWrite, openTool, "", false, false,
			"MCP tool call requires approval, but approval policy is never", "task_complete"},
		{"never runs it under danger-full-access", protocol.ApprovalNever, protocol.SandboxDangerFullAccess, openTool, "", false, true, "hi.gz", "task_complete"},
		{"never runs a tool annotated all false", protocol.ApprovalNever, protocol.SandboxReadOnly, allFalseTool, "", false, true, "Output:", "task_complete"},
		{"on-request runs a read-only tool", protocol.ApprovalOnRequest, protocol.SandboxWorkspaceWrite, readOnlyTool, "", false, true, "Echo: hi", "task_complete"},
		{"on-request runs a tool annotated all false", protocol.ApprovalOnRequest, protocol.SandboxWorkspaceWrite, allFalseTool, "", false, true, "Output:", "task_complete"},
		{"on-request asks for an open-world tool, approved", protocol.ApprovalOnRequest, protocol.SandboxWorkspaceWrite, openTool, protocol.DecisionApproved, true, true, "hi.gz", "task_complete"},
		{"on-request asks for an open-world tool, denied", protocol.ApprovalOnRequest, protocol.SandboxWorkspaceWrite, openTool, protocol.DecisionDenied, true, false,
			"MCP tool call rejected by user: gzip-file-as-resource (server everything) was not run", "task_complete"},
		{"on-failure asks for an open-world tool", protocol.ApprovalOnFailure, protocol.SandboxWorkspaceWrite, openTool, protocol.DecisionDenied, true, false, "rejected by user", "task_complete"},
		{"untrusted runs a read-only tool", protocol.ApprovalUntrusted, protocol.SandboxWorkspaceWrite, readOnlyTool, "", false, true, "Echo: hi", "task_complete"},
		{"untrusted asks for an open-world tool", protocol.ApprovalUntrusted, protocol.SandboxDangerFullAccess, openTool, protocol.DecisionApproved, true, true, "hi.gz", "task_complete"},
		{"abort ends the turn", protocol.ApprovalUntrusted, protocol.SandboxWorkspaceWrite, openTool, protocol.DecisionAbort, true, false, "", "turn_aborted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.FunctionCall("c1", tt.tool, toolArgs[tt.tool])}},
				{Items: []json.RawMessage{modelserver.Message("ok")}},
			}, func(c *SessionConfig) {
				c.ApprovalPolicy = tt.policy
				c.Sandbox = protocol.SandboxPolicy{Mode: tt.sandbox}
				c.External = []ExternalTool{MCPTools{M: m}}
			})
			var asked []protocol.ExecApprovalRequestMsg
			msgs := h.turn("go", func(msg protocol.Msg) protocol.Op {
				r := msg.(protocol.ExecApprovalRequestMsg)
				asked = append(asked, r)
				return protocol.ExecApprovalOp{ID: r.CallID, Decision: tt.answer}
			})
			if got := len(asked) > 0; got != tt.asked {
				t.Fatalf("asked = %v, want %v (%s)", got, tt.asked, types(msgs))
			}
			if tt.asked {
				r := asked[0]
				args, err := json.Marshal(toolArgs[tt.tool])
				if err != nil {
					t.Fatal(err)
				}
				if r.CallID != "c1" || r.McpServer != "everything" || len(r.Command) != 2 || r.Command[0] != tt.tool ||
					r.Command[1] != string(args) || r.Cwd != h.dir || r.Reason == "" {
					t.Errorf("approval request = %+v", r)
				}
			}
			if got := msgs[len(msgs)-1].MsgType(); got != tt.wantLast {
				t.Fatalf("turn ended with %s, want %s (%s)", got, tt.wantLast, types(msgs))
			}
			ends := find[protocol.McpToolCallEndMsg](msgs)
			if len(ends) != 1 {
				t.Fatalf("mcp_tool_call_end events = %d (%s)", len(ends), types(msgs))
			}
			if ran := ends[0].Error == "" && ends[0].Result != nil; ran != tt.ran {
				t.Errorf("ran = %v, want %v: %+v", ran, tt.ran, ends[0])
			}
			if tt.wantLast == "task_complete" {
				if out := outputOf(t, h.requestInput(1), "c1"); !strings.Contains(out, tt.wantOut) {
					t.Errorf("output to the model = %q, want it to contain %q", out, tt.wantOut)
				}
			}
		})
	}
}

// TestMCPApprovedForSession: approved_for_session on one call of a tool
// covers later calls of that tool, not the same tool of another server.
func TestMCPApprovedForSession(t *testing.T) {
	m := startEverythings(t, nil, "everything", "other")
	args := toolArgs[openTool]
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", openTool, args)}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c2", openTool, args)}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c3", "mcp__other__gzip-file-as-resource", args)}},
		{Items: []json.RawMessage{modelserver.Message("ok")}},
	}, func(c *SessionConfig) {
		c.ApprovalPolicy = protocol.ApprovalOnRequest
		c.External = []ExternalTool{MCPTools{M: m}}
	})
	var asked []string
	msgs := h.turn("go", func(msg protocol.Msg) protocol.Op {
		r := msg.(protocol.ExecApprovalRequestMsg)
		asked = append(asked, r.CallID)
		return protocol.ExecApprovalOp{ID: r.CallID, Decision: protocol.DecisionApprovedForSession, Remember: true}
	})
	if got := strings.Join(asked, ","); got != "c1,c3" {
		t.Errorf("asked for %s, want c1,c3", got)
	}
	for _, e := range find[protocol.McpToolCallEndMsg](msgs) {
		if e.Error != "" {
			t.Errorf("call %s failed: %s", e.CallID, e.Error)
		}
	}
}

// TestMCPServerCrashMidSession kills the MCP server while a call runs:
// the model gets a clear error, the next call restarts the server and
// succeeds, and the session goes on.
func TestMCPServerCrashMidSession(t *testing.T) {
	progress := make(chan struct{}, 1)
	m := startEverything(t, &mcp.ClientOptions{ProgressNotificationHandler: func(context.Context, *mcp.ProgressNotificationClientRequest) {
		select {
		case progress <- struct{}{}:
		default:
		}
	}})
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "mcp__everything__trigger-long-running-operation",
			map[string]any{"duration": 60, "steps": 120})}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c2", "mcp__everything__echo", map[string]any{"message": "again"})}},
		{Items: []json.RawMessage{modelserver.Message("survived")}},
	}, func(c *SessionConfig) { c.External = []ExternalTool{MCPTools{M: m}} })
	first := m.Pid("everything")
	if first == 0 {
		t.Fatal("no server pid")
	}
	if err := h.s.Submit(context.Background(), protocol.Submission{ID: "t1", Op: protocol.UserInputOp{Items: protocol.TextInput("go")}}); err != nil {
		t.Fatal(err)
	}
	// The first progress notification proves the call is in flight.
	var once sync.Once
	kill := func() {
		once.Do(func() {
			if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
				t.Errorf("kill server: %v", err)
			}
		})
	}
	var msgs []protocol.Msg
	timeout := time.After(60 * time.Second)
loop:
	for {
		select {
		case <-progress:
			kill()
		case ev, ok := <-h.s.Events():
			if !ok {
				t.Fatal("events closed")
			}
			msgs = append(msgs, ev.Msg)
			switch ev.Msg.(type) {
			case protocol.TaskCompleteMsg, protocol.TurnAbortedMsg:
				break loop
			}
		case <-timeout:
			t.Fatalf("turn did not end: %s", types(msgs))
		}
	}
	if tc := find[protocol.TaskCompleteMsg](msgs); len(tc) != 1 || tc[0].LastAgentMessage != "survived" {
		t.Fatalf("turn = %s", types(msgs))
	}
	ends := find[protocol.McpToolCallEndMsg](msgs)
	if len(ends) != 2 || !strings.Contains(ends[0].Error, "stopped during the call") || ends[1].Error != "" {
		t.Fatalf("mcp_tool_call_end events = %+v", ends)
	}
	out1 := outputOf(t, h.requestInput(1), "c1")
	for _, want := range []string{"tool call error:", "mcp server everything stopped during the call", "restarted on the next call"} {
		if !strings.Contains(out1, want) {
			t.Errorf("model was told %q, want it to contain %q", out1, want)
		}
	}
	if out2 := outputOf(t, h.requestInput(2), "c2"); !strings.Contains(out2, "Echo: again") {
		t.Errorf("call after the crash = %q", out2)
	}
	if second := m.Pid("everything"); second == 0 || second == first {
		t.Errorf("server pid after restart = %d (was %d)", second, first)
	}
}
