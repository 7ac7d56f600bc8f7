// Package fakeagent is a scripted `codex app-server` speaking the real
// app-server protocol (JSON-RPC 2.0 v2 on stdio, the messages shaped as
// codex-agent/appserver sends them), for the TUI's end-to-end tests while
// no model is involved. The prompt picks the script:
//
//   - containing "run": asks to run `echo hello`
//     (item/commandExecution/requestApproval), runs it after approval
//     (streaming its output), then answers "Done."; declined, "Not run.";
//   - containing "big patch": asks to apply a 2-file patch (absolute
//     paths, a 30-line new file and an update), writes the new file after
//     approval and says which decision it got;
//   - containing "patch": asks to apply a patch to hello.txt, applies it
//     (in the working directory) after approval;
//   - containing "wait": starts a long command and waits for turn/interrupt;
//   - containing "long N": streams an N-line Markdown answer;
//   - containing "hold": says "Holding." and waits for turn/steer, then
//     answers "Steered by: <the steered text>" (or ends when interrupted);
//   - containing "form": asks for a form (mcpServer/elicitation/request:
//     name, age, subscribe, color) and reports the answer as
//     "Form answered: <action> <content>";
//   - review/start: a review turn (enteredReviewMode with what 0.169
//     says it reviews, exitedReviewMode with the findings); it cannot be
//     steered;
//   - containing "slow": streams the first words of a paragraph, then
//     waits until the test writes to the FIFO release.fifo in the working
//     directory (if there is one) before it ends the paragraph;
//   - anything else: streams back "You said: <prompt>" as Markdown.
//
// Every turn ends with turn/completed; the server exits at the end of its
// input, as the real one does.
package fakeagent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

const threadID = "fake-session"

type server struct {
	mu  sync.Mutex
	enc *json.Encoder
	// answers receive the client's answers to server requests by id.
	answers   map[int64]chan json.RawMessage
	nextReq   int64
	interrupt chan struct{}
	// eof is closed when the client is gone: waiting turns end.
	eof chan struct{}
	cwd string

	model, approval, sandbox string
	other                    []string // flags besides -c, reported
	turns                    int
	// active is the running turn, steerable whether turn/steer may add
	// to it (under mu); steers carries the steered text to it.
	active    string
	steerable bool
	steers    chan string
}

func (s *server) send(v map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.enc.Encode(v)
}

func (s *server) notify(method string, params map[string]any) {
	s.send(map[string]any{"method": method, "params": params})
}

// request sends a server request and returns where its answer comes.
func (s *server) request(method string, params map[string]any) (int64, chan json.RawMessage) {
	ch := make(chan json.RawMessage, 1)
	s.mu.Lock()
	id := s.nextReq
	s.nextReq++
	s.answers[id] = ch
	s.mu.Unlock()
	s.send(map[string]any{"id": id, "method": method, "params": params})
	return id, ch
}

type rpc struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
}

// Main runs the fake server: `app-server` plus -c overrides and flags.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cwd, _ := os.Getwd()
	s := &server{enc: json.NewEncoder(stdout), answers: map[int64]chan json.RawMessage{}, interrupt: make(chan struct{}, 1),
		eof: make(chan struct{}), steers: make(chan string, 16), cwd: cwd, model: "fake-model", approval: "on-request", sandbox: "workspace-write"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "app-server" && i == 0:
		case a == "-c" && i+1 < len(args):
			i++
			k, v, _ := strings.Cut(args[i], "=")
			uq, err := strconv.Unquote(v)
			if err != nil {
				uq = v
			}
			switch k {
			case "model":
				s.model = uq
			case "approval_policy":
				s.approval = uq
			case "sandbox_mode":
				s.sandbox = uq
			}
		default:
			s.other = append(s.other, a)
		}
	}
	turns := make(chan turnReq, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for t := range turns {
			s.turn(t)
		}
	}()
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var m rpc
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			s.send(map[string]any{"id": nil, "error": map[string]any{"code": -32700, "message": "Parse error: " + err.Error()}})
			continue
		}
		switch {
		case m.Method == "" && len(m.ID) > 0:
			id, _ := strconv.ParseInt(string(m.ID), 10, 64)
			s.mu.Lock()
			ch := s.answers[id]
			delete(s.answers, id)
			s.mu.Unlock()
			if ch != nil {
				ch <- m.Result
			}
		case len(m.ID) == 0:
			// initialized and other notifications
		default:
			s.handle(m, turns)
		}
	}
	close(s.eof)
	close(turns)
	wg.Wait()
	_, _ = fmt.Fprintln(stderr, "fake app-server: input closed")
	return 0
}

type turnReq struct {
	id   string
	text string
	// review is the review's hint, for a review turn (review/start).
	review string
}

func (s *server) respond(id json.RawMessage, result any) {
	s.send(map[string]any{"id": id, "result": result})
}

func (s *server) handle(m rpc, turns chan<- turnReq) {
	switch m.Method {
	case "initialize":
		s.respond(m.ID, map[string]any{"userAgent": "codex_fake/0.0.0", "codexHome": "", "platformFamily": "unix", "platformOs": "linux"})
	case "thread/start", "thread/resume", "thread/fork":
		var p struct {
			Path     string `json:"path"`
			ThreadID string `json:"threadId"`
		}
		_ = json.Unmarshal(m.Params, &p)
		s.respond(m.ID, s.threadResponse())
		if m.Method == "thread/fork" {
			s.notify("warning", map[string]any{"threadId": threadID, "message": "forked " + p.ThreadID})
		}
		if p.Path != "" {
			s.notify("warning", map[string]any{"threadId": threadID, "message": "resumed " + filepath.Base(p.Path)})
		}
		if len(s.other) > 0 {
			s.notify("warning", map[string]any{"threadId": threadID, "message": "agent flags: " + strings.Join(s.other, " ")})
		}
	case "turn/start":
		var p struct {
			Input []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"input"`
		}
		_ = json.Unmarshal(m.Params, &p)
		s.turns++
		id := fmt.Sprintf("turn-%d", s.turns)
		text := ""
		if len(p.Input) > 0 {
			text = p.Input[0].Text
		}
		s.respond(m.ID, map[string]any{"turn": turnObject(id, "inProgress")})
		turns <- turnReq{id: id, text: text}
	case "review/start":
		var p struct {
			Target struct {
				Type, Branch, Sha, Title, Instructions string
			} `json:"target"`
		}
		_ = json.Unmarshal(m.Params, &p)
		s.turns++
		id := fmt.Sprintf("turn-%d", s.turns)
		// What the Codex CLI says a review looks at.
		hint := "current changes"
		switch p.Target.Type {
		case "baseBranch":
			hint = "changes against '" + p.Target.Branch + "'"
		case "commit":
			hint = "commit " + p.Target.Sha
			if p.Target.Title != "" {
				hint += ": " + p.Target.Title
			}
		case "custom":
			hint = p.Target.Instructions
		}
		s.respond(m.ID, map[string]any{"reviewThreadId": threadID, "turn": turnObject(id, "inProgress")})
		turns <- turnReq{id: id, review: hint}
	case "turn/steer":
		var p struct {
			ExpectedTurnID string `json:"expectedTurnId"`
			Input          []struct {
				Text string `json:"text"`
			} `json:"input"`
		}
		_ = json.Unmarshal(m.Params, &p)
		s.mu.Lock()
		active, steerable := s.active, s.steerable
		s.mu.Unlock()
		if active == "" || active != p.ExpectedTurnID || !steerable {
			s.send(map[string]any{"id": m.ID, "error": map[string]any{"code": -32600, "message": "turn " + p.ExpectedTurnID + " cannot be steered"}})
			return
		}
		text := ""
		if len(p.Input) > 0 {
			text = p.Input[0].Text
		}
		s.respond(m.ID, map[string]any{"turnId": active})
		s.steers <- text
	case "turn/interrupt":
		s.respond(m.ID, map[string]any{})
		select {
		case s.interrupt <- struct{}{}:
		default:
		}
	case "mcpServerStatus/list":
		s.respond(m.ID, map[string]any{"data": []any{}, "nextCursor": nil})
	default:
		s.send(map[string]any{"id": m.ID, "error": map[string]any{"code": -32601, "message": "Method not found: " + m.Method}})
	}
}

func (s *server) threadResponse() map[string]any {
	sandbox := map[string]any{"type": "readOnly", "networkAccess": false}
	switch s.sandbox {
	case "workspace-write":
		sandbox = map[string]any{"type": "workspaceWrite", "writableRoots": []string{}, "networkAccess": false,
			"excludeTmpdirEnvVar": false, "excludeSlashTmp": false}
	case "danger-full-access":
		sandbox = map[string]any{"type": "dangerFullAccess"}
	}
	thread := map[string]any{"id": threadID, "sessionId": threadID, "preview": "", "ephemeral": true, "modelProvider": "fake",
		"createdAt": 0, "updatedAt": 0, "status": map[string]any{"type": "idle"}, "path": nil, "cwd": s.cwd, "cliVersion": "0.0.0",
		"source": "appServer", "name": nil, "turns": []any{}, "projectId": nil, "model": s.model, "forkedFromId": nil, "originator": nil}
	approval := s.approval
	if approval == "on-failure" {
		approval = "on-request" // as the real server: v2 has no on-failure
	}
	return map[string]any{"thread": thread, "model": s.model, "modelProvider": "fake", "cwd": s.cwd,
		"approvalPolicy": approval, "approvalsReviewer": "user", "sandbox": sandbox, "reasoningEffort": nil}
}

func turnObject(id, status string) map[string]any {
	return map[string]any{"id": id, "items": []any{}, "status": status, "error": nil}
}

// wait blocks for the answer to a request, an interrupt, or the end.
func (s *server) wait(ch chan json.RawMessage) (string, bool) {
	select {
	case r := <-ch:
		var a struct {
			Decision json.RawMessage `json:"decision"`
		}
		_ = json.Unmarshal(r, &a)
		var d string
		if json.Unmarshal(a.Decision, &d) == nil {
			return d, true
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(a.Decision, &obj) == nil {
			for k := range obj {
				return k, true
			}
		}
		return "", true
	case <-s.interrupt:
	case <-s.eof:
	}
	return "", false
}

// decisionName is the agent's name of an approval decision, which the
// scripts report back.
func decisionName(d string) string {
	switch d {
	case "accept":
		return "approved"
	case "acceptForSession", "acceptWithExecpolicyAmendment":
		return "approved_for_session"
	case "cancel":
		return "abort"
	}
	return "denied"
}

func fileChanges(ch map[string][2]string) []any {
	paths := make([]string, 0, len(ch))
	for p := range ch {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	out := []any{}
	for _, p := range paths {
		kind := map[string]any{"type": ch[p][0]}
		if ch[p][0] == "update" {
			kind["move_path"] = nil
		}
		out = append(out, map[string]any{"path": p, "kind": kind, "diff": ch[p][1]})
	}
	return out
}
