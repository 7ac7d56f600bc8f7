// Package fakeagent is a scripted agent speaking the real agent protocol,
// for the TUI's end-to-end tests while no model is involved. The prompt
// picks the script:
//
//   - containing "run": asks to run `echo hello`, runs it after approval
//     (streaming its output), then answers "Done.";
//   - containing "big patch": asks to apply a 2-file patch (absolute
//     paths, a 30-line new file and an update), writes the new file after
//     approval and says which decision it got;
//   - containing "patch": asks to apply a patch to hello.txt, applies it
//     (in the working directory) after approval;
//   - containing "wait": starts a long command and waits for interrupt;
//   - containing "long N": streams an N-line Markdown answer;
//   - containing "slow": streams the first words of a paragraph, then
//     waits until the test writes to the FIFO release.fifo in the working
//     directory (if there is one) before it ends the paragraph;
//   - anything else: streams back "You said: <prompt>" as Markdown.
//
// Every turn ends with task_complete or turn_aborted; shutdown answers
// shutdown_complete.
package fakeagent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/codexgo/common/protocol"
)

type agent struct {
	mu  sync.Mutex
	enc *json.Encoder
	// answers receives the decisions for approval requests by call id.
	answers   chan protocol.Op
	interrupt chan struct{}
	// eof is closed when the front end is gone: waiting turns end.
	eof chan struct{}
	cwd string
}

func (a *agent) emit(id string, m protocol.Msg) {
	a.mu.Lock()
	defer a.mu.Unlock()
	_ = a.enc.Encode(protocol.Event{ID: id, Msg: m})
}

// Main runs the fake agent: `proto` plus ignored -c overrides.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cwd, _ := os.Getwd()
	a := &agent{enc: json.NewEncoder(stdout), answers: make(chan protocol.Op, 16), interrupt: make(chan struct{}, 1), eof: make(chan struct{}), cwd: cwd}
	model, resume := "fake-model", ""
	approval, sandbox := protocol.ApprovalOnRequest, protocol.SandboxWorkspaceWrite
	var other []string // arguments besides proto and -c pairs, reported
	for i, s := range args {
		if s != "-c" || i+1 >= len(args) {
			if s != "proto" && (i == 0 || args[i-1] != "-c") {
				other = append(other, s)
			}
			continue
		}
		k, v, _ := strings.Cut(args[i+1], "=")
		switch k {
		case "model":
			model, _ = strconv.Unquote(v)
		case "experimental_resume":
			resume, _ = strconv.Unquote(v)
		case "approval_policy":
			v, _ = strconv.Unquote(v)
			approval = protocol.AskForApproval(v)
		case "sandbox_mode":
			v, _ = strconv.Unquote(v)
			sandbox = protocol.SandboxMode(v)
		}
	}
	a.emit("", protocol.SessionConfiguredMsg{SessionID: "fake-session", Model: model, Cwd: cwd,
		ApprovalPolicy: approval, SandboxPolicy: &protocol.SandboxPolicy{Mode: sandbox}})
	if resume != "" {
		a.emit("", protocol.BackgroundEventMsg{Message: "resumed " + filepath.Base(resume)})
	}
	if len(other) > 0 {
		a.emit("", protocol.BackgroundEventMsg{Message: "agent flags: " + strings.Join(other, " ")})
	}
	turns := make(chan protocol.Submission, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for sub := range turns {
			a.turn(sub)
		}
	}()
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var sub protocol.Submission
		if err := json.Unmarshal(sc.Bytes(), &sub); err != nil {
			a.emit("", protocol.ErrorMsg{Message: "bad submission: " + err.Error()})
			continue
		}
		switch sub.Op.(type) {
		case protocol.UserInputOp:
			turns <- sub
		case protocol.ExecApprovalOp, protocol.PatchApprovalOp:
			a.answers <- sub.Op
		case protocol.InterruptOp:
			select {
			case a.interrupt <- struct{}{}:
			default:
			}
		case protocol.ShutdownOp:
			close(turns)
			wg.Wait()
			a.emit(sub.ID, protocol.ShutdownCompleteMsg{})
			return 0
		}
	}
	close(a.eof)
	close(turns)
	wg.Wait()
	_, _ = fmt.Fprintln(stderr, "fake agent: input closed")
	return 0
}

// wait blocks for an approval answer or an interrupt.
func (a *agent) wait() (protocol.ReviewDecision, bool) {
	select {
	case op := <-a.answers:
		switch o := op.(type) {
		case protocol.ExecApprovalOp:
			return o.Decision, true
		case protocol.PatchApprovalOp:
			return o.Decision, true
		}
	case <-a.interrupt:
	case <-a.eof:
	}
	return "", false
}

func (a *agent) turn(sub protocol.Submission) {
	id := sub.ID
	text := sub.Op.(protocol.UserInputOp).Items[0].Text
	a.emit(id, protocol.TaskStartedMsg{ModelContextWindow: 200000})
	abort := func() { a.emit(id, protocol.TurnAbortedMsg{Reason: "interrupted"}) }
	switch {
	case strings.Contains(text, "run"):
		cmd := []string{"bash", "-lc", "echo hello"}
		a.emit(id, protocol.ExecApprovalRequestMsg{CallID: "call-1", Command: cmd, Cwd: a.cwd, Reason: "to greet"})
		d, ok := a.wait()
		if !ok || d == protocol.DecisionAbort {
			abort()
			return
		}
		if d == protocol.DecisionDenied {
			a.emit(id, protocol.AgentMessageMsg{Message: "Not run."})
			break
		}
		a.emit(id, protocol.ExecCommandBeginMsg{CallID: "call-1", Command: cmd, Cwd: a.cwd})
		a.emit(id, protocol.ExecCommandOutputDeltaMsg{CallID: "call-1", Stream: "stdout", Chunk: []byte("hello\n")})
		a.emit(id, protocol.ExecCommandEndMsg{CallID: "call-1", Stdout: "hello\n", AggregatedOutput: "hello\n", ExitCode: 0, DurationMS: 12})
		a.emit(id, protocol.AgentMessageDeltaMsg{Delta: "Done."})
		a.emit(id, protocol.AgentMessageMsg{Message: "Done."})
	case strings.Contains(text, "big patch"):
		var notes strings.Builder
		for i := 1; i <= 30; i++ {
			fmt.Fprintf(&notes, "note line %d\n", i)
		}
		notesPath, mainPath := filepath.Join(a.cwd, "notes.txt"), filepath.Join(a.cwd, "main.txt")
		ch := map[string]protocol.FileChange{
			notesPath: {Type: "add", Content: notes.String()},
			mainPath:  {Type: "update", UnifiedDiff: "--- a" + mainPath + "\n+++ b" + mainPath + "\n@@ -1,2 +1,2 @@\n keep\n-old line\n+new line\n"},
		}
		a.emit(id, protocol.ApplyPatchApprovalRequestMsg{CallID: "patch-2", Changes: ch, Reason: "write notes"})
		d, ok := a.wait()
		if !ok || (d != protocol.DecisionApproved && d != protocol.DecisionApprovedForSession) {
			abort()
			return
		}
		a.emit(id, protocol.PatchApplyBeginMsg{CallID: "patch-2", Changes: ch})
		err := os.WriteFile(notesPath, []byte(notes.String()), 0o644)
		a.emit(id, protocol.PatchApplyEndMsg{CallID: "patch-2", Success: err == nil})
		a.emit(id, protocol.AgentMessageMsg{Message: "Applied with decision " + string(d) + "."})
	case strings.Contains(text, "patch"):
		ch := map[string]protocol.FileChange{"hello.txt": {Type: "add", Content: "hello\nworld\n"}}
		a.emit(id, protocol.ApplyPatchApprovalRequestMsg{CallID: "patch-1", Changes: ch, Reason: "create a file"})
		d, ok := a.wait()
		if !ok || d != protocol.DecisionApproved {
			abort()
			return
		}
		a.emit(id, protocol.PatchApplyBeginMsg{CallID: "patch-1", Changes: ch})
		err := os.WriteFile(filepath.Join(a.cwd, "hello.txt"), []byte("hello\nworld\n"), 0o644)
		a.emit(id, protocol.PatchApplyEndMsg{CallID: "patch-1", Success: err == nil})
		a.emit(id, protocol.AgentMessageMsg{Message: "Created `hello.txt`."})
	case strings.Contains(text, "wait"):
		a.emit(id, protocol.ExecCommandBeginMsg{CallID: "call-w", Command: []string{"sleep", "600"}, Cwd: a.cwd})
		select {
		case <-a.interrupt:
		case <-a.eof:
		}
		// As the real agent: the interrupted command's end comes first.
		a.emit(id, protocol.ExecCommandEndMsg{CallID: "call-w", ExitCode: 143, DurationMS: 5, Status: protocol.ExecFailed})
		abort()
		return
	case strings.Contains(text, "slow"):
		first := "Streaming words arrive one by one "
		for _, w := range strings.SplitAfter(first, " ") {
			a.emit(id, protocol.AgentMessageDeltaMsg{Delta: w})
		}
		if f, err := os.Open(filepath.Join(a.cwd, "release.fifo")); err == nil {
			_, _ = io.Copy(io.Discard, f) // blocks until the writer closes
			_ = f.Close()
		}
		rest := "and the paragraph ends here.\n\nA second paragraph.\n"
		a.emit(id, protocol.AgentMessageDeltaMsg{Delta: rest})
		a.emit(id, protocol.AgentMessageMsg{Message: first + rest})
	case strings.Contains(text, "long"):
		n := 100
		if f := strings.Fields(text[strings.Index(text, "long")+4:]); len(f) > 0 {
			if v, err := strconv.Atoi(f[0]); err == nil {
				n = v
			}
		}
		var all strings.Builder
		for i := 1; i <= n; i++ {
			line := fmt.Sprintf("Line %d of the answer.\n\n", i)
			all.WriteString(line)
			a.emit(id, protocol.AgentMessageDeltaMsg{Delta: line})
		}
		a.emit(id, protocol.AgentMessageMsg{Message: all.String()})
	default:
		reply := "You said: **" + text + "**\n\n```sh\necho fenced\n```\n"
		for _, part := range strings.SplitAfter(reply, " ") {
			a.emit(id, protocol.AgentMessageDeltaMsg{Delta: part})
		}
		a.emit(id, protocol.AgentMessageMsg{Message: reply})
	}
	a.emit(id, protocol.TokenCountMsg{
		TotalTokenUsage:    protocol.TokenUsage{InputTokens: 15000, OutputTokens: 500, TotalTokens: 15500},
		LastTokenUsage:     protocol.TokenUsage{InputTokens: 15000, OutputTokens: 500, TotalTokens: 15500},
		ModelContextWindow: 200000,
	})
	a.emit(id, protocol.TaskCompleteMsg{})
}
