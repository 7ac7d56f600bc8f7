package fakeagent

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// turnCtx sends one turn's notifications.
type turnCtx struct {
	s  *server
	id string
	n  int
}

func (t *turnCtx) base(extra map[string]any) map[string]any {
	extra["threadId"], extra["turnId"] = threadID, t.id
	return extra
}

func (t *turnCtx) started(item map[string]any) {
	t.s.notify("item/started", t.base(map[string]any{"item": item, "startedAtMs": 0}))
}

func (t *turnCtx) completed(item map[string]any) {
	t.s.notify("item/completed", t.base(map[string]any{"item": item, "completedAtMs": 0}))
}

// message streams an agent message item in parts.
func (t *turnCtx) message(parts ...string) {
	t.n++
	id := fmt.Sprintf("%s-msg-%d", t.id, t.n)
	t.started(map[string]any{"type": "agentMessage", "id": id, "text": ""})
	for _, p := range parts {
		t.s.notify("item/agentMessage/delta", t.base(map[string]any{"itemId": id, "delta": p}))
	}
	t.completed(map[string]any{"type": "agentMessage", "id": id, "text": strings.Join(parts, "")})
}

// review runs a review turn: the review-mode items the Codex CLI 0.169's
// server sends around it, and the review as the final agent message.
func (t *turnCtx) review(hint string) {
	entered := map[string]any{"type": "enteredReviewMode", "id": t.id + "-review", "review": hint}
	t.started(entered)
	t.completed(entered)
	const review = "- [P2] hello.go:3 the greeting is never flushed\n\nVerdict: needs changes"
	exited := map[string]any{"type": "exitedReviewMode", "id": t.id + "-review-end", "review": review}
	t.started(exited)
	t.completed(exited)
	// Then the review again as the turn's agent message.
	msg := map[string]any{"type": "agentMessage", "id": t.id + "-review-msg", "text": review}
	t.started(msg)
	t.completed(msg)
}

func command(id, cmd, cwd, status string, exit any, out any) map[string]any {
	return map[string]any{"type": "commandExecution", "id": id, "command": cmd, "cwd": cwd, "status": status,
		"commandActions": []any{map[string]any{"type": "unknown", "command": cmd}}, "source": "agent",
		"aggregatedOutput": out, "exitCode": exit, "durationMs": nil}
}

// approval asks the client about an item and waits for the decision.
func (t *turnCtx) approval(method, itemID string, extra map[string]any) (string, bool) {
	params := t.base(map[string]any{"itemId": itemID, "startedAtMs": 0})
	for k, v := range extra {
		params[k] = v
	}
	id, ch := t.s.request(method, params)
	d, ok := t.s.wait(ch)
	t.s.notify("serverRequest/resolved", map[string]any{"threadId": threadID, "requestId": id})
	return d, ok
}

// userMessage is a userMessage item of text.
func userMessage(id, text string) map[string]any {
	return map[string]any{"type": "userMessage", "id": id, "content": []any{map[string]any{"type": "text", "text": text, "text_elements": []any{}}}}
}

func (s *server) turn(r turnReq) {
	t := &turnCtx{s: s, id: r.id}
	text := r.text
	for len(s.steers) > 0 {
		<-s.steers // steered into an earlier turn that did not wait for it
	}
	s.mu.Lock()
	s.active, s.steerable = t.id, r.review == ""
	s.mu.Unlock()
	s.notify("turn/started", map[string]any{"threadId": threadID, "turn": turnObject(t.id, "inProgress")})
	end := func(status string) {
		s.mu.Lock()
		s.active = ""
		s.mu.Unlock()
		s.notify("turn/completed", map[string]any{"threadId": threadID, "turn": turnObject(t.id, status)})
	}
	if r.review != "" {
		t.review(r.review)
		end("completed")
		return
	}
	user := userMessage(t.id+"-user-0", text)
	t.started(user)
	t.completed(user)
	switch {
	case strings.Contains(text, "run"):
		cmd := "echo hello"
		t.started(command("call-1", cmd, s.cwd, "inProgress", nil, nil))
		d, ok := t.approval("item/commandExecution/requestApproval", "call-1", map[string]any{"command": cmd, "cwd": s.cwd,
			"reason": "to greet", "commandActions": []any{map[string]any{"type": "unknown", "command": cmd}}})
		switch {
		case !ok || d == "cancel":
			t.completed(command("call-1", cmd, s.cwd, "declined", nil, "aborted by the user"))
			end("interrupted")
			return
		case d == "decline":
			t.completed(command("call-1", cmd, s.cwd, "declined", nil, "declined by the user"))
			t.message("Not run.")
		default:
			s.notify("item/commandExecution/outputDelta", t.base(map[string]any{"itemId": "call-1", "delta": "hello\n"}))
			done := command("call-1", cmd, s.cwd, "completed", 0, "hello\n")
			done["durationMs"] = 12
			t.completed(done)
			t.message("Done.")
		}
	case strings.Contains(text, "big patch"):
		var notes strings.Builder
		for i := 1; i <= 30; i++ {
			fmt.Fprintf(&notes, "note line %d\n", i)
		}
		notesPath, mainPath := filepath.Join(s.cwd, "notes.txt"), filepath.Join(s.cwd, "main.txt")
		ch := fileChanges(map[string][2]string{
			notesPath: {"add", notes.String()},
			mainPath:  {"update", "--- a" + mainPath + "\n+++ b" + mainPath + "\n@@ -1,2 +1,2 @@\n keep\n-old line\n+new line\n"},
		})
		item := map[string]any{"type": "fileChange", "id": "patch-2", "changes": ch, "status": "inProgress"}
		t.started(item)
		d, ok := t.approval("item/fileChange/requestApproval", "patch-2", map[string]any{"reason": "write notes", "grantRoot": nil})
		if !ok || (d != "accept" && d != "acceptForSession") {
			item["status"] = "declined"
			t.completed(item)
			end("interrupted")
			return
		}
		err := os.WriteFile(notesPath, []byte(notes.String()), 0o644)
		item["status"] = "completed"
		if err != nil {
			item["status"] = "failed"
		}
		t.completed(item)
		t.message("Applied with decision " + decisionName(d) + ".")
	case strings.Contains(text, "patch"):
		item := map[string]any{"type": "fileChange", "id": "patch-1", "changes": fileChanges(map[string][2]string{"hello.txt": {"add", "hello\nworld\n"}}), "status": "inProgress"}
		t.started(item)
		d, ok := t.approval("item/fileChange/requestApproval", "patch-1", map[string]any{"reason": "create a file", "grantRoot": nil})
		if !ok || d != "accept" {
			item["status"] = "declined"
			t.completed(item)
			end("interrupted")
			return
		}
		err := os.WriteFile(filepath.Join(s.cwd, "hello.txt"), []byte("hello\nworld\n"), 0o644)
		item["status"] = "completed"
		if err != nil {
			item["status"] = "failed"
		}
		t.completed(item)
		t.message("Created `hello.txt`.")
	case strings.Contains(text, "wait"):
		t.started(command("call-w", "sleep 600", s.cwd, "inProgress", nil, nil))
		select {
		case <-s.interrupt:
		case <-s.eof:
		}
		// As the real server: the interrupted command's end comes first.
		done := command("call-w", "sleep 600", s.cwd, "failed", 143, "")
		done["durationMs"] = 5
		t.completed(done)
		end("interrupted")
		return
	case strings.Contains(text, "hold"):
		t.message("Holding.")
		select {
		case steer := <-s.steers:
			user := userMessage(t.id+"-user-1", steer)
			t.started(user)
			t.completed(user)
			t.message("Steered by: " + steer)
		case <-s.interrupt:
			end("interrupted")
			return
		case <-s.eof:
			end("interrupted")
			return
		}
	case strings.Contains(text, "form"):
		// Raw, so the fields come in this order, as a server writes them.
		schema := json.RawMessage(`{"type":"object","properties":{"name":{"type":"string","title":"Name"},` +
			`"age":{"type":"integer","minimum":0},"subscribe":{"type":"boolean"},` +
			`"color":{"type":"string","enum":["red","green"]}},"required":["name","age"]}`)
		id, ch := s.request("mcpServer/elicitation/request", map[string]any{"threadId": threadID, "turnId": t.id,
			"serverName": "profile", "mode": "form", "message": "Tell me about you", "requestedSchema": schema, "_meta": nil})
		var answer struct {
			Action  string          `json:"action"`
			Content json.RawMessage `json:"content"`
		}
		select {
		case r := <-ch:
			_ = json.Unmarshal(r, &answer)
		case <-s.interrupt:
		case <-s.eof:
		}
		s.notify("serverRequest/resolved", map[string]any{"threadId": threadID, "requestId": id})
		t.message("Form answered: " + answer.Action + " " + string(answer.Content))
	case strings.Contains(text, "slow"):
		first := "Streaming words arrive one by one "
		t.n++
		id := fmt.Sprintf("%s-msg-%d", t.id, t.n)
		t.started(map[string]any{"type": "agentMessage", "id": id, "text": ""})
		for _, w := range strings.SplitAfter(first, " ") {
			s.notify("item/agentMessage/delta", t.base(map[string]any{"itemId": id, "delta": w}))
		}
		if f, err := os.Open(filepath.Join(s.cwd, "release.fifo")); err == nil {
			_, _ = io.Copy(io.Discard, f) // blocks until the writer closes
			_ = f.Close()
		}
		rest := "and the paragraph ends here.\n\nA second paragraph.\n"
		s.notify("item/agentMessage/delta", t.base(map[string]any{"itemId": id, "delta": rest}))
		t.completed(map[string]any{"type": "agentMessage", "id": id, "text": first + rest})
	case strings.Contains(text, "long"):
		n := 100
		if f := strings.Fields(text[strings.Index(text, "long")+4:]); len(f) > 0 {
			if v, err := strconv.Atoi(f[0]); err == nil {
				n = v
			}
		}
		lines := make([]string, 0, n)
		for i := 1; i <= n; i++ {
			lines = append(lines, fmt.Sprintf("Line %d of the answer.\n\n", i))
		}
		t.message(lines...)
	default:
		reply := "You said: **" + text + "**\n\n```sh\necho fenced\n```\n"
		t.message(strings.SplitAfter(reply, " ")...)
	}
	usage := map[string]any{"inputTokens": 15000, "cachedInputTokens": 0, "outputTokens": 500, "reasoningOutputTokens": 0, "totalTokens": 15500}
	s.notify("thread/tokenUsage/updated", t.base(map[string]any{"tokenUsage": map[string]any{"total": usage, "last": usage, "modelContextWindow": 200000}}))
	end("completed")
}
