package protoserver_test

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

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/codex-agent/protoserver"
	"github.com/codexgo/common/protocol"
)

func noSleep(context.Context, time.Duration) error { return nil }

// conn is a proto server on pipes, driven the way a front end drives it:
// JSONL lines in, JSONL events out.
type conn struct {
	t      testing.TB
	srv    *modelserver.Server
	dir    string
	home   string
	in     *io.PipeWriter
	events chan protocol.Event
	raw    chan string
	done   chan error
}

func start(t testing.TB, turns []modelserver.Turn, mutate func(*agent.SessionConfig)) *conn {
	t.Helper()
	srv, err := modelserver.Start(modelserver.Script{Turns: turns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir := t.TempDir()
	home := t.TempDir()
	cfg := agent.SessionConfig{
		Model:          "mock-model",
		Client:         &model.Responses{HTTP: model.HTTP{BaseURL: srv.URL(), Sleep: noSleep}},
		Retry:          model.StreamRetry{Max: 2, Sleep: noSleep},
		Cwd:            dir,
		ApprovalPolicy: protocol.ApprovalNever,
		Sandbox:        protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite},
		Tools:          agent.ToolSet{Shell: agent.ShellExecCommand, FreeformPatch: true, Plan: true},
		Instructions:   "base instructions",
		Env:            map[string]string{"PATH": os.Getenv("PATH"), "HOME": dir},
		RulesFile:      filepath.Join(home, "rules", "default.rules"),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	sess, err := agent.NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &conn{t: t, srv: srv, dir: dir, home: home, in: inW, events: make(chan protocol.Event, 1024),
		raw: make(chan string, 1024), done: make(chan error, 1)}
	hist := &protoserver.History{Path: filepath.Join(home, "history.jsonl"), Save: true}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		err := protoserver.Serve(ctx, sess, inR, outW, hist)
		_ = outW.Close()
		c.done <- err
	}()
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(outR)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			line := sc.Text()
			c.raw <- line
			var ev protocol.Event
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Errorf("output line does not decode: %v: %s", err, line)
				continue
			}
			c.events <- ev
		}
	}()
	t.Cleanup(func() {
		cancel()
		_ = inW.Close()
		_ = inR.Close()
		for range c.events {
		}
		<-c.done
	})
	first := c.next()
	if _, ok := first.Msg.(protocol.SessionConfiguredMsg); !ok {
		t.Fatalf("first event = %#v, want session_configured", first)
	}
	return c
}

// send writes one raw line.
func (c *conn) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		c.t.Fatalf("write %q: %v", line, err)
	}
}

// submit writes one submission.
func (c *conn) submit(id string, op protocol.Op) {
	c.t.Helper()
	b, err := json.Marshal(protocol.Submission{ID: id, Op: op})
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(string(b))
}

func (c *conn) next() protocol.Event {
	c.t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			c.t.Fatal("event stream ended")
		}
		<-c.raw
		return ev
	case <-time.After(30 * time.Second):
		c.t.Fatal("no event within 30s")
	}
	return protocol.Event{}
}

// until reads events up to and including the first one whose type is in
// types, answering approval requests with answer when it is set.
func (c *conn) until(answer func(protocol.Event) protocol.Op, types ...string) []protocol.Event {
	c.t.Helper()
	var out []protocol.Event
	for {
		ev := c.next()
		out = append(out, ev)
		for _, t := range types {
			if ev.Msg.MsgType() == t {
				return out
			}
		}
		if answer != nil {
			switch ev.Msg.(type) {
			case protocol.ExecApprovalRequestMsg, protocol.ApplyPatchApprovalRequestMsg:
				if op := answer(ev); op != nil {
					c.submit("answer", op)
				}
			}
		}
	}
}

// turn submits a prompt and reads the turn's events.
func (c *conn) turn(id, prompt string, answer func(protocol.Event) protocol.Op) []protocol.Event {
	c.t.Helper()
	c.submit(id, protocol.UserInputOp{Items: protocol.TextInput(prompt)})
	return c.until(answer, "task_complete", "turn_aborted")
}

func msgTypes(evs []protocol.Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Msg.MsgType())
	}
	return strings.Join(s, ",")
}

func find[T protocol.Msg](evs []protocol.Event) []T {
	var out []T
	for _, e := range evs {
		if v, ok := e.Msg.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// requestInput returns the input of the n-th model request.
func (c *conn) requestInput(n int) []model.Item {
	c.t.Helper()
	reqs := c.srv.Requests()
	if n >= len(reqs) {
		c.t.Fatalf("only %d model requests", len(reqs))
	}
	var body struct {
		Input []model.Item `json:"input"`
	}
	if err := reqs[n].JSON(&body); err != nil {
		c.t.Fatal(err)
	}
	return body.Input
}

func inputText(items []model.Item) string {
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "[%s/%s] %s %s %s\n", it.Type, it.Role, it.Text(), it.Arguments, it.Output)
	}
	return b.String()
}

func execCall(id, cmd string) json.RawMessage {
	return modelserver.FunctionCall(id, "exec_command", map[string]any{"cmd": cmd})
}

func turnOf(items ...json.RawMessage) modelserver.Turn { return modelserver.Turn{Items: items} }
