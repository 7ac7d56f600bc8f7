package mcpserver_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/proctest"
)

func TestInitializeAndListTools(t *testing.T) {
	t.Parallel()
	c, _, _ := startRaw(t, nil)
	res := c.initialize(map[string]any{})
	r := res["result"].(map[string]any)
	info := r["serverInfo"].(map[string]any)
	if info["name"] != "codex-mcp-server" || info["title"] != "Codex" || info["version"] != "9.9.9" {
		t.Errorf("serverInfo = %v", info)
	}
	if tools := r["capabilities"].(map[string]any)["tools"].(map[string]any); tools["listChanged"] != true {
		t.Errorf("tools capability = %v, want listChanged", tools)
	}
	list := c.await(c.call(1, "tools/list", map[string]any{}))["result"].(map[string]any)["tools"].([]any)
	byName := map[string]map[string]any{}
	for _, tl := range list {
		m := tl.(map[string]any)
		byName[m["name"].(string)] = m
	}
	if len(byName) != 2 || byName["codex"] == nil || byName["codex-reply"] == nil {
		t.Fatalf("tools = %v, want codex and codex-reply", list)
	}
	in := byName["codex"]["inputSchema"].(map[string]any)
	props := in["properties"].(map[string]any)
	for _, k := range []string{"prompt", "model", "profile", "cwd", "approval-policy", "sandbox", "config", "base-instructions", "developer-instructions", "compact-prompt"} {
		if props[k] == nil {
			t.Errorf("codex input schema lacks %s", k)
		}
	}
	if got := fmt.Sprint(props["approval-policy"].(map[string]any)["enum"]); got != "[untrusted on-failure on-request never]" {
		t.Errorf("approval-policy enum = %s", got)
	}
	if got := fmt.Sprint(in["required"]); got != "[prompt]" {
		t.Errorf("codex required = %s", got)
	}
	rprops := byName["codex-reply"]["inputSchema"].(map[string]any)["properties"].(map[string]any)
	if rprops["threadId"] == nil || rprops["conversationId"] == nil {
		t.Errorf("codex-reply properties = %v", rprops)
	}
	for name, tl := range byName {
		out := tl["outputSchema"].(map[string]any)
		if fmt.Sprint(out["required"]) != "[threadId content]" {
			t.Errorf("%s output schema = %v", name, out)
		}
	}
}

func TestCodexAndReply(t *testing.T) {
	t.Parallel()
	c, srv, _ := startRaw(t, []modelserver.Turn{
		turnOf(execCall("c1", "echo from-the-tool")),
		turnOf(modelserver.Message("first answer")),
		turnOf(modelserver.Message("second answer")),
	})
	c.initialize(map[string]any{})
	res := c.await(c.call("call-1", "tools/call", map[string]any{"name": "codex", "arguments": map[string]any{
		"prompt": "say something", "approval-policy": "auto-edit",
		"sandbox-permissions": []string{"disk-full-read-access", "disk-write-cwd", "network-full-access"},
		"config":              map[string]any{"model_reasoning_effort": "high"}, "include-plan-tool": true,
	}, "_meta": map[string]any{"progressToken": "tok"}}))
	r := res["result"].(map[string]any)
	if r["isError"] == true {
		t.Fatalf("codex call failed: %v", r)
	}
	sc := r["structuredContent"].(map[string]any)
	threadID, _ := sc["threadId"].(string)
	if threadID == "" || sc["content"] != "first answer" {
		t.Errorf("structuredContent = %v", sc)
	}
	if text := r["content"].([]any)[0].(map[string]any)["text"]; text != "first answer" {
		t.Errorf("content text = %v", text)
	}
	evs := c.codexEvents()
	var types []string
	for _, e := range evs {
		meta := e["_meta"].(map[string]any)
		if meta["requestId"] != "call-1" || meta["threadId"] != threadID {
			t.Errorf("codex/event _meta = %v, want requestId call-1, threadId %s", meta, threadID)
		}
		types = append(types, e["msg"].(map[string]any)["type"].(string))
	}
	joined := strings.Join(types, ",")
	for _, want := range []string{"session_configured", "task_started", "exec_command_begin", "exec_command_end", "agent_message", "task_complete"} {
		if !strings.Contains(joined, want) {
			t.Errorf("codex/event types %s lack %s", joined, want)
		}
	}
	if len(c.progress) < 4 || c.progress[0]["progressToken"] != "tok" {
		t.Errorf("progress notifications = %v, want several for token tok", c.progress)
	}
	var msgs []string
	for _, p := range c.progress {
		msgs = append(msgs, fmt.Sprint(p["message"]))
	}
	if got := strings.Join(msgs, "|"); !strings.Contains(got, "running /bin/bash -lc 'echo from-the-tool'") || !strings.Contains(got, "first answer") {
		t.Errorf("progress messages = %s", got)
	}
	if types[0] != "session_configured" {
		t.Errorf("first codex/event = %s, want session_configured", types[0])
	}
	// codex-reply continues the thread; the old conversationId name works too.
	res = c.await(c.call(2, "tools/call", map[string]any{"name": "codex-reply", "arguments": map[string]any{
		"conversationId": threadID, "prompt": "and again"}}))
	r = res["result"].(map[string]any)
	if sc := r["structuredContent"].(map[string]any); sc["threadId"] != threadID || sc["content"] != "second answer" {
		t.Errorf("reply structuredContent = %v", sc)
	}
	reqs := srv.Requests()
	if b := string(reqs[len(reqs)-1].Body); !strings.Contains(b, "say something") || !strings.Contains(b, "first answer") {
		t.Errorf("reply request lacks the thread's history: %s", b)
	}
	// Errors are isError results.
	for _, tt := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"codex-reply", map[string]any{"threadId": "nope", "prompt": "x"}, "Session not found for thread_id: nope"},
		{"codex-reply", map[string]any{"prompt": "x"}, "missing threadId"},
		{"codex", map[string]any{"prompt": "x", "approval-policy": "sometimes"}, "Failed to start Codex session: unknown approval policy"},
		{"codex", map[string]any{}, "Failed to start Codex session: missing prompt"},
		{"codex", map[string]any{"prompt": "x", "sandbox-permissions": []string{"disk-everything"}}, "unknown sandbox permission"},
	} {
		r := c.await(c.call(9, "tools/call", map[string]any{"name": tt.name, "arguments": tt.args}))["result"].(map[string]any)
		text := r["content"].([]any)[0].(map[string]any)["text"].(string)
		if r["isError"] != true || !strings.Contains(text, tt.want) {
			t.Errorf("%s %v: got %v, want isError with %q", tt.name, tt.args, r, tt.want)
		}
	}
}

func TestElicitationAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer map[string]any // result, or nil for a JSON-RPC error
		ran    bool
	}{
		{"codex decision approved", map[string]any{"decision": "approved"}, true},
		{"codex decision denied", map[string]any{"decision": "denied"}, false},
		{"standard accept", map[string]any{"action": "accept"}, true},
		{"standard accept with form", map[string]any{"action": "accept", "content": map[string]any{"decision": "denied"}}, false},
		{"standard decline", map[string]any{"action": "decline"}, false},
		{"json-rpc error", nil, false},
		{"garbage", map[string]any{"whatever": 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, dir := startRaw(t, []modelserver.Turn{
				turnOf(execCall("c1", "touch ran.txt")),
				turnOf(modelserver.Message("done")),
			})
			c.initialize(map[string]any{"elicitation": map[string]any{}})
			resp := c.call(1, "tools/call", map[string]any{"name": "codex", "arguments": map[string]any{
				"prompt": "touch it", "approval-policy": "untrusted"}})
			req := c.nextRequest()
			p := req["params"].(map[string]any)
			wantMsg := fmt.Sprintf("Allow Codex to run `/bin/bash -lc 'touch ran.txt'` in `%s`?", dir)
			if req["method"] != "elicitation/create" || p["message"] != wantMsg || p["codex_elicitation"] != "exec-approval" ||
				p["codex_call_id"] != "c1" || p["codex_cwd"] != dir || p["codex_mcp_tool_call_id"] != float64(1) || p["threadId"] == "" ||
				!reflect.DeepEqual(p["codex_command"], []any{"/bin/bash", "-lc", "touch ran.txt"}) {
				t.Errorf("elicitation = %v", req)
			}
			if tt.answer == nil {
				c.send(map[string]any{"jsonrpc": "2.0", "id": req["id"], "error": map[string]any{"code": -32601, "message": "no"}})
			} else {
				c.send(map[string]any{"jsonrpc": "2.0", "id": req["id"], "result": tt.answer})
			}
			r := c.await(resp)["result"].(map[string]any)
			if r["isError"] == true {
				t.Fatalf("call failed: %v", r)
			}
			if got := fileExists(filepath.Join(dir, "ran.txt")); got != tt.ran {
				t.Errorf("command ran = %v, want %v", got, tt.ran)
			}
		})
	}
}

func TestPatchElicitation(t *testing.T) {
	t.Parallel()
	c, _, dir := startRaw(t, []modelserver.Turn{
		turnOf(modelserver.CustomToolCall("p1", "apply_patch", "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n")),
		turnOf(modelserver.Message("patched")),
	})
	c.initialize(map[string]any{"elicitation": map[string]any{}})
	resp := c.call(1, "tools/call", map[string]any{"name": "codex", "arguments": map[string]any{
		"prompt": "patch it", "approval-policy": "on-request", "sandbox": "read-only"}})
	req := c.nextRequest()
	p := req["params"].(map[string]any)
	changes, _ := p["codex_changes"].(map[string]any)
	if p["codex_elicitation"] != "patch-approval" || changes[filepath.Join(dir, "a.txt")] == nil ||
		!strings.HasSuffix(p["message"].(string), "Allow Codex to apply proposed code changes?") {
		t.Errorf("patch elicitation = %v", p)
	}
	c.send(map[string]any{"jsonrpc": "2.0", "id": req["id"], "result": map[string]any{"decision": "approved_for_session"}})
	if r := c.await(resp)["result"].(map[string]any); r["structuredContent"].(map[string]any)["content"] != "patched" {
		t.Errorf("result = %v", r)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a.txt")); err != nil || string(b) != "hi\n" {
		t.Errorf("a.txt = %q, %v", b, err)
	}
}

// TestCancelInterruptsTurn cancels a call running a long command: the
// turn is aborted and the command's process is gone.
func TestCancelInterruptsTurn(t *testing.T) {
	t.Parallel()
	marker := fmt.Sprintf("6%d.%d", os.Getpid()%1000, time.Now().UnixNano()%100000)
	c, _, _ := startRaw(t, []modelserver.Turn{
		turnOf(execCall("c1", "sleep "+marker+" & echo started; wait")),
		turnOf(modelserver.Message("after cancel")),
	})
	c.initialize(map[string]any{})
	resp := c.call(7, "tools/call", map[string]any{"name": "codex", "arguments": map[string]any{"prompt": "wait"}})
	ev := c.waitEvent("exec_command_output_delta")
	threadID := ev["_meta"].(map[string]any)["threadId"].(string)
	pid := waitPid(t, "sleep "+marker)
	fd := pidfd(t, pid)
	c.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": map[string]any{"requestId": 7, "reason": "user"}})
	ab := c.waitEvent("turn_aborted")
	if ab["msg"].(map[string]any)["reason"] != "interrupted" {
		t.Errorf("turn_aborted = %v", ab)
	}
	if !proctest.Exits(fd, 5*time.Second) {
		t.Errorf("command %d still runs after the cancel", pid)
	}
	select {
	case r := <-resp:
		t.Logf("cancelled call answered anyway: %v", r)
	default:
	}
	// The thread goes on.
	r := c.await(c.call(8, "tools/call", map[string]any{"name": "codex-reply", "arguments": map[string]any{"threadId": threadID, "prompt": "again"}}))
	if sc := r["result"].(map[string]any)["structuredContent"].(map[string]any); sc["content"] != "after cancel" {
		t.Errorf("reply after cancel = %v", r)
	}
}

// TestSeveralThreads runs a second thread to completion while the first
// waits in a command.
func TestSeveralThreads(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "gate")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, _ := startRaw(t, []modelserver.Turn{
		turnOf(execCall("a1", "cat "+fifo)),
		turnOf(modelserver.Message("B done")),
		turnOf(modelserver.Message("A done")),
	})
	c.initialize(map[string]any{})
	respA := c.call("A", "tools/call", map[string]any{"name": "codex", "arguments": map[string]any{"prompt": "thread A"}})
	c.waitEvent("exec_command_begin")
	rB := c.await(c.call("B", "tools/call", map[string]any{"name": "codex", "arguments": map[string]any{"prompt": "thread B"}}))
	scB := rB["result"].(map[string]any)["structuredContent"].(map[string]any)
	if scB["content"] != "B done" {
		t.Errorf("thread B = %v", scB)
	}
	if err := os.WriteFile(fifo, []byte("go\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	scA := c.await(respA)["result"].(map[string]any)["structuredContent"].(map[string]any)
	if scA["content"] != "A done" || scA["threadId"] == scB["threadId"] {
		t.Errorf("thread A = %v, thread B = %v", scA, scB)
	}
}

// TestDisconnectKillsCommands closes the client's end mid-call.
func TestDisconnectKillsCommands(t *testing.T) {
	t.Parallel()
	marker := fmt.Sprintf("7%d.%d", os.Getpid()%1000, time.Now().UnixNano()%100000)
	c, _, _ := startRaw(t, []modelserver.Turn{turnOf(execCall("c1", "sleep "+marker+" & echo started; wait"))})
	c.initialize(map[string]any{})
	c.call(1, "tools/call", map[string]any{"name": "codex", "arguments": map[string]any{"prompt": "wait"}})
	c.waitEvent("exec_command_output_delta")
	fd := pidfd(t, waitPid(t, "sleep "+marker))
	_ = c.in.Close()
	if !proctest.Exits(fd, 5*time.Second) {
		t.Error("command still runs after the client disconnected")
	}
	select {
	case <-c.closed:
	case <-time.After(10 * time.Second):
		t.Error("server did not end after the client disconnected")
	}
}

func procCmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// waitPid finds the process whose command line starts with prefix; the
// exec may lag the "started" output, so /proc is polled.
func waitPid(t *testing.T, prefix string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			var pid int
			if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
				continue
			}
			if strings.HasPrefix(procCmdline(pid), prefix) {
				return pid
			}
		}
		_, _ = syscall.Select(0, nil, nil, nil, &syscall.Timeval{Usec: 2000})
	}
	t.Fatalf("no process %q", prefix)
	return 0
}

func pidfd(t *testing.T, pid int) int {
	t.Helper()
	fd, _, errno := syscall.Syscall(434, uintptr(pid), 0, 0) // pidfd_open
	if errno != 0 {
		t.Fatalf("pidfd_open %d: %v", pid, errno)
	}
	t.Cleanup(func() { _ = syscall.Close(int(fd)) })
	return int(fd)
}

var _ = json.Marshal

func TestSecondInitialize(t *testing.T) {
	t.Parallel()
	c, _, _ := startRaw(t, nil)
	c.initialize(map[string]any{})
	res := c.await(c.call(5, "initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "again", "version": "1"}}))
	e, _ := res["error"].(map[string]any)
	if e["code"] != float64(-32600) || e["message"] != "initialize called more than once" {
		t.Errorf("second initialize = %v, want error -32600", res)
	}
	// The connection still works.
	if r := c.await(c.call(6, "tools/list", map[string]any{})); r["result"] == nil {
		t.Errorf("tools/list after a second initialize = %v", r)
	}
}
