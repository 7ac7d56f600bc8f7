package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// TestProtoMCPToolApproval drives `codex proto` with MCP servers in the
// config, as the TUI does: a server that cannot start is reported once,
// a call of a tool that needs approval (open-world) under on-request is
// asked about with the usual exec_approval_request (naming the MCP
// server and tool), the denial is a failed call told to the model, and a
// read-only tool runs without asking.
func TestProtoMCPToolApproval(t *testing.T) {
	bin := everything(t)
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", openTool, toolArgs[openTool])}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c2", "mcp__everything__echo", map[string]any{"message": "read only"})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	args := append(fx.providerArgs(), "-C", fx.repo, "-a", "on-request", "--ephemeral",
		"-c", `mcp_servers.everything={command="`+bin+`",args=["stdio"]}`,
		"-c", `mcp_servers.broken={command="/nonexistent/mcp-server"}`)
	environ := []string{}
	for k, v := range fx.env {
		environ = append(environ, k+"="+v)
	}
	done := make(chan int, 1)
	go func() {
		defer func() { _ = outW.Close() }()
		done <- RunProto(context.Background(), args, ServiceEnv{Stdin: inR, Stdout: outW, Stderr: io.Discard,
			Getenv: func(k string) string { return fx.env[k] }, Environ: environ})
	}()
	events := make(chan protocol.Event, 64)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ev protocol.Event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Errorf("bad line %q: %v", sc.Text(), err)
				continue
			}
			events <- ev
		}
	}()
	send := func(line string) {
		if _, err := fmt.Fprintln(inW, line); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"id":"t1","op":{"type":"user_input","items":[{"type":"text","text":"go"}]}}`)
	var msgs []protocol.Msg
	timeout := time.After(60 * time.Second)
loop:
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("proto ended early: %s", types(msgs))
			}
			msgs = append(msgs, ev.Msg)
			switch m := ev.Msg.(type) {
			case protocol.ExecApprovalRequestMsg:
				b, err := json.Marshal(protocol.Submission{ID: "a1", Op: protocol.ExecApprovalOp{ID: m.CallID, Decision: protocol.DecisionDenied}})
				if err != nil {
					t.Fatal(err)
				}
				send(string(b))
			case protocol.TaskCompleteMsg:
				break loop
			}
		case <-timeout:
			t.Fatalf("turn did not end: %s", types(msgs))
		}
	}
	if err := inW.Close(); err != nil {
		t.Fatal(err)
	}
	for range events {
	}
	if code := <-done; code != 0 {
		t.Errorf("proto exit %d", code)
	}
	notices := find[protocol.BackgroundEventMsg](msgs)
	if len(notices) != 1 || !strings.Contains(notices[0].Message, "MCP server `broken` failed to start") {
		t.Errorf("background events = %+v", notices)
	}
	asks := find[protocol.ExecApprovalRequestMsg](msgs)
	if len(asks) != 1 || asks[0].CallID != "c1" || asks[0].McpServer != "everything" || asks[0].McpTool != "gzip-file-as-resource" ||
		asks[0].Command[0] != openTool {
		t.Errorf("approval requests = %+v", asks)
	}
	ends := find[protocol.McpToolCallEndMsg](msgs)
	if len(ends) != 2 || ends[0].CallID != "c1" || !strings.Contains(ends[0].Error, "rejected by user") ||
		ends[1].CallID != "c2" || ends[1].Error != "" || !strings.Contains(string(ends[1].Result), "Echo: read only") {
		t.Errorf("mcp_tool_call_end events = %+v", ends)
	}
	var body struct {
		Input []json.RawMessage `json:"input"`
	}
	reqs := fx.srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("model requests = %d", len(reqs))
	}
	if err := reqs[1].JSON(&body); err != nil {
		t.Fatal(err)
	}
	if in := string(body.Input[len(body.Input)-1]); !strings.Contains(in, "MCP tool call rejected by user") {
		t.Errorf("model was told %s", in)
	}
}

// TestProtoNotify: config's notify program runs after each turn of a
// proto session (the TUI's), with that turn's id, input and answer, and
// the session does not end before it has run.
func TestProtoNotify(t *testing.T) {
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("first answer")}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("second answer")}})
	out := filepath.Join(t.TempDir(), "notified")
	args := append(fx.providerArgs(), "-C", fx.repo, "--ephemeral",
		"-c", `notify=["sh","-c","printf '%s\n' \"$1\" >> `+out+`","notify"]`)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		defer func() { _ = outW.Close() }()
		done <- RunProto(context.Background(), args, ServiceEnv{Stdin: inR, Stdout: outW, Stderr: io.Discard,
			Getenv: func(k string) string { return fx.env[k] }})
	}()
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for _, turn := range []string{`"t1",...one`, `"t2",...two`} {
		id, text, _ := strings.Cut(turn, ",...")
		if _, err := fmt.Fprintf(inW, `{"id":%s,"op":{"type":"user_input","items":[{"type":"text","text":%q}]}}`+"\n", id, text); err != nil {
			t.Fatal(err)
		}
		for l := range lines {
			if strings.Contains(l, `"task_complete"`) {
				break
			}
		}
	}
	_ = inW.Close() // the session ends; the service waits for notify
	for range lines {
	}
	if code := <-done; code != 0 {
		t.Fatalf("proto exit %d", code)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var p map[string]any
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("payload %q: %v", line, err)
		}
		got[fmt.Sprint(p["turn-id"])] = p
	}
	for turn, want := range map[string][2]string{"t1": {"one", "first answer"}, "t2": {"two", "second answer"}} {
		p := got[turn]
		if p == nil || p["type"] != "agent-turn-complete" || fmt.Sprint(p["input-messages"]) != "["+want[0]+"]" ||
			p["last-assistant-message"] != want[1] || p["cwd"] != fx.repo || p["thread-id"] == "" {
			t.Errorf("turn %s: payload %v", turn, p)
		}
	}
}
