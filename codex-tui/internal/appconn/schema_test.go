package appconn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codexgo/codex-tui/internal/fakeagent"
	"github.com/codexgo/common/agentclient"
	"github.com/codexgo/common/protocol"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaPath is the app-server protocol's JSON Schema as the Codex CLI
// 0.169.0 generates it (kept with the app-server).
const schemaPath = "../../../codex-agent/appserver/testdata/codex_app_server_protocol.schemas.json"

const schemaURL = "file:///codex_app_server_protocol.schemas.json"

type schemas struct {
	c    *jsonschema.Compiler
	defs map[string]any
}

func loadSchemas(t *testing.T) *schemas {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		t.Fatal(err)
	}
	return &schemas{c: c, defs: doc.(map[string]any)["definitions"].(map[string]any)}
}

// check validates v against a definition (top level, else under v2).
func (s *schemas) check(name string, v any) error {
	ref := "#/definitions/" + name
	if _, ok := s.defs[name]; !ok {
		ref = "#/definitions/v2/" + name
	}
	sch, err := s.c.Compile(schemaURL + ref)
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// responseType is the result type of the requests the TUI and the fake
// server make.
var responseType = map[string]string{
	"initialize":                            "InitializeResponse",
	"thread/start":                          "ThreadStartResponse",
	"thread/resume":                         "ThreadResumeResponse",
	"thread/fork":                           "ThreadForkResponse",
	"turn/start":                            "TurnStartResponse",
	"turn/interrupt":                        "TurnInterruptResponse",
	"turn/steer":                            "TurnSteerResponse",
	"review/start":                          "ReviewStartResponse",
	"mcpServer/elicitation/request":         "McpServerElicitationRequestResponse",
	"mcpServerStatus/list":                  "ListMcpServerStatusResponse",
	"item/commandExecution/requestApproval": "CommandExecutionRequestApprovalResponse",
	"item/fileChange/requestApproval":       "FileChangeRequestApprovalResponse",
}

// recorder keeps every line of one direction.
type recorder struct {
	mu    sync.Mutex
	lines [][]byte
	buf   bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf.Write(b)
	for {
		i := bytes.IndexByte(r.buf.Bytes(), '\n')
		if i < 0 {
			return len(b), nil
		}
		r.lines = append(r.lines, append([]byte(nil), r.buf.Next(i + 1)[:i]...))
	}
}

type teeWriter struct {
	w   io.WriteCloser
	rec *recorder
}

func (t teeWriter) Write(b []byte) (int, error) {
	_, _ = t.rec.Write(b)
	return t.w.Write(b)
}
func (t teeWriter) Close() error { return t.w.Close() }

// TestConversationIsSchemaValid drives the scripted server (the fake the
// TUI's end-to-end tests use) through this client: a prompt, an approved
// command, a declined and an approved patch, an interrupted command, /mcp
// and a resume; every line either side wrote must validate against the
// app-server schema, so the fake speaks the protocol the real server
// speaks and the client asks what a real server understands.
func TestConversationIsSchemaValid(t *testing.T) {
	s := loadSchemas(t)
	dir := t.TempDir()
	t.Chdir(dir)
	fromServer, fromClient := &recorder{}, &recorder{}
	run := func(o Options, steps func(c *Conn, next func() protocol.Event)) {
		p := agentclient.StartInProcess(context.Background(), fakeagent.Main, []string{"app-server", "--enable", "x"}, nil)
		p.Stdout = io.TeeReader(p.Stdout, fromServer)
		p.Stdin = teeWriter{p.Stdin, fromClient}
		c := Open(p, o)
		next := func() protocol.Event {
			select {
			case ev, ok := <-c.Events():
				if !ok {
					t.Fatal("events closed")
				}
				return ev
			case <-time.After(30 * time.Second): // a hang, not a timing assertion
				t.Fatal("no event")
			}
			return protocol.Event{}
		}
		until := func(match func(protocol.Msg) bool) protocol.Msg {
			for {
				if ev := next(); match(ev.Msg) {
					return ev.Msg
				}
			}
		}
		until(func(m protocol.Msg) bool { _, ok := m.(protocol.SessionConfiguredMsg); return ok })
		steps(c, next)
		if err := c.Send(protocol.Submission{ID: "q", Op: protocol.ShutdownOp{}}); err != nil {
			t.Fatal(err)
		}
		until(func(m protocol.Msg) bool { _, ok := m.(protocol.ShutdownCompleteMsg); return ok })
		if err := c.Close(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	send := func(c *Conn, op protocol.Op) {
		if err := c.Send(protocol.Submission{ID: "x", Op: op}); err != nil {
			t.Fatal(err)
		}
	}
	untilMsg := func(next func() protocol.Event, pred func(protocol.Msg) bool) protocol.Msg {
		for {
			if m := next().Msg; pred(m) {
				return m
			}
		}
	}
	turnEnd := func(m protocol.Msg) bool {
		switch m.(type) {
		case protocol.TaskCompleteMsg, protocol.TurnAbortedMsg, protocol.ErrorMsg:
			return true
		}
		return false
	}
	run(Options{Cwd: dir}, func(c *Conn, next func() protocol.Event) {
		send(c, protocol.UserInputOp{Items: []protocol.InputItem{{Type: "text", Text: "hello"}, {Type: "local_image", Path: "/tmp/a.png"}}})
		untilMsg(next, turnEnd)
		send(c, protocol.OverrideTurnContextOp{Model: "o3", Effort: "low", ApprovalPolicy: protocol.ApprovalNever,
			SandboxPolicy: &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{"/r"}}})
		send(c, protocol.UserInputOp{Items: protocol.TextInput("run it")})
		req := untilMsg(next, func(m protocol.Msg) bool { _, ok := m.(protocol.ExecApprovalRequestMsg); return ok }).(protocol.ExecApprovalRequestMsg)
		send(c, protocol.ExecApprovalOp{ID: req.CallID, Decision: protocol.DecisionApprovedForSession, Remember: true})
		if m := untilMsg(next, turnEnd); fmt.Sprint(m) != fmt.Sprint(protocol.TaskCompleteMsg{LastAgentMessage: "Done."}) {
			t.Errorf("run turn ended with %#v", m)
		}
		send(c, protocol.UserInputOp{Items: protocol.TextInput("patch")})
		preq := untilMsg(next, func(m protocol.Msg) bool { _, ok := m.(protocol.ApplyPatchApprovalRequestMsg); return ok }).(protocol.ApplyPatchApprovalRequestMsg)
		if len(preq.Changes) != 1 {
			t.Errorf("patch request changes %v", preq.Changes)
		}
		send(c, protocol.PatchApprovalOp{ID: preq.CallID, Decision: protocol.DecisionAbort})
		untilMsg(next, turnEnd)
		send(c, protocol.UserInputOp{Items: protocol.TextInput("big patch")})
		preq = untilMsg(next, func(m protocol.Msg) bool { _, ok := m.(protocol.ApplyPatchApprovalRequestMsg); return ok }).(protocol.ApplyPatchApprovalRequestMsg)
		send(c, protocol.PatchApprovalOp{ID: preq.CallID, Decision: protocol.DecisionApproved})
		untilMsg(next, turnEnd)
		send(c, protocol.UserInputOp{Items: protocol.TextInput("wait")})
		untilMsg(next, func(m protocol.Msg) bool { _, ok := m.(protocol.ExecCommandBeginMsg); return ok })
		send(c, protocol.InterruptOp{})
		if m := untilMsg(next, turnEnd); fmt.Sprint(m) != fmt.Sprint(protocol.TurnAbortedMsg{Reason: "interrupted"}) {
			t.Errorf("interrupted turn ended with %#v", m)
		}
		send(c, protocol.ListMcpToolsOp{})
		untilMsg(next, func(m protocol.Msg) bool { _, ok := m.(protocol.McpListToolsResponseMsg); return ok })
		send(c, protocol.UserInputOp{Items: protocol.TextInput("hold")})
		untilMsg(next, func(m protocol.Msg) bool { a, ok := m.(protocol.AgentMessageMsg); return ok && a.Message == "Holding." })
		if err := c.Send(protocol.Submission{ID: "steer-1", Op: protocol.SteerOp{Items: protocol.TextInput("go on")}}); err != nil {
			t.Fatal(err)
		}
		if m := untilMsg(next, func(m protocol.Msg) bool { _, ok := m.(SteerResultMsg); return ok }); m != (SteerResultMsg{SubmissionID: "steer-1", Accepted: true}) {
			t.Errorf("steer answered %#v", m)
		}
		if m := untilMsg(next, turnEnd); fmt.Sprint(m) != fmt.Sprint(protocol.TaskCompleteMsg{LastAgentMessage: "Steered by: go on"}) {
			t.Errorf("steered turn ended with %#v", m)
		}
		send(c, ReviewOp{Target: ReviewTarget{Type: "commit", Sha: "abc1234", Title: "fix"}})
		if m := untilMsg(next, func(m protocol.Msg) bool { _, ok := m.(ReviewModeMsg); return ok }); m != (ReviewModeMsg{Entered: true, Review: "commit abc1234: fix"}) {
			t.Errorf("review entered %#v", m)
		}
		untilMsg(next, turnEnd)
		send(c, protocol.UserInputOp{Items: protocol.TextInput("form")})
		form := untilMsg(next, func(m protocol.Msg) bool { _, ok := m.(protocol.ElicitationRequestMsg); return ok }).(protocol.ElicitationRequestMsg)
		send(c, protocol.ResolveElicitationOp{RequestID: form.ID, Decision: "accept", Content: json.RawMessage(`{"name":"Ada","age":42}`)})
		if m := untilMsg(next, turnEnd); fmt.Sprint(m) != fmt.Sprint(protocol.TaskCompleteMsg{LastAgentMessage: `Form answered: accept {"name":"Ada","age":42}`}) {
			t.Errorf("form turn ended with %#v", m)
		}
	})
	run(Options{Cwd: dir, Resume: filepath.Join(dir, "rollout-x.jsonl")}, func(*Conn, func() protocol.Event) {})
	run(Options{Cwd: dir, Resume: filepath.Join(dir, "rollout-x.jsonl"), Fork: "fake-session"}, func(*Conn, func() protocol.Event) {})

	check := func(who string, lines [][]byte, peerLines [][]byte, reqDef, notifDef string) {
		asked := map[string]string{}
		for _, l := range peerLines {
			var m struct {
				ID     json.RawMessage `json:"id"`
				Method string          `json:"method"`
			}
			if json.Unmarshal(l, &m) == nil && m.Method != "" && len(m.ID) > 0 {
				asked[string(m.ID)] = m.Method
			}
		}
		for _, l := range lines {
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(l))
			if err != nil {
				t.Errorf("%s line %s: %v", who, l, err)
				continue
			}
			obj := v.(map[string]any)
			var def string
			switch {
			case obj["method"] != nil && obj["id"] != nil:
				def = reqDef
			case obj["method"] != nil:
				def = notifDef
			default:
				id, _ := json.Marshal(obj["id"])
				def = responseType[asked[string(id)]]
				if def == "" {
					t.Errorf("%s answered an unknown request: %s", who, l)
					continue
				}
				v = obj["result"]
			}
			if err := s.check(def, v); err != nil {
				t.Errorf("%s line is not a valid %s: %s\n%v", who, def, l, err)
			}
		}
	}
	check("server", fromServer.lines, fromClient.lines, "ServerRequest", "ServerNotification")
	check("client", fromClient.lines, fromServer.lines, "ClientRequest", "ClientNotification")
	if len(fromServer.lines) < 40 || len(fromClient.lines) < 15 {
		t.Errorf("too few lines checked: server %d, client %d", len(fromServer.lines), len(fromClient.lines))
	}
	all := string(bytes.Join(fromClient.lines, []byte("\n")))
	for _, want := range []string{`"method":"turn/steer"`, `"method":"review/start"`, `"action":"accept"`, `"method":"thread/resume"`, `"method":"thread/fork"`, `"acceptWithExecpolicyAmendment"`, `"decision":"cancel"`, `"method":"turn/interrupt"`, `"localImage"`, `"sandboxPolicy"`} {
		if !strings.Contains(all, want) {
			t.Errorf("the client never sent %s", want)
		}
	}
}
