package agentclient

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/selfexec"
)

// TestMain lets the test binary act as the fake agent when re-executed
// as "codex-agent" (the arg0 trick Spawn relies on).
func TestMain(m *testing.M) {
	if selfexec.Name(os.Args[0]) == "codex-agent" {
		os.Exit(fakeAgent(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// fakeAgent is a small agent speaking the real wire format. Modes (first
// argument): "proto" answers submissions; "flood N" writes N deltas and a
// task_complete without reading; "garbage" writes malformed lines; "exit N"
// exits with status N; "panic" panics.
//
// In proto mode: user_input runs a turn that streams the input back as
// two deltas, asks to run `echo hi`, and ends after the decision arrives
// (task_complete when approved, turn_aborted otherwise); shutdown answers
// shutdown_complete and returns 0; an unknown op gets an error event.
func fakeAgent(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	emit := func(id string, m protocol.Msg) {
		if err := enc.Encode(protocol.Event{ID: id, Msg: m}); err != nil {
			_, _ = fmt.Fprintln(stderr, "fake agent:", err)
		}
	}
	mode := "proto"
	if len(args) > 0 {
		mode = args[0]
	}
	switch mode {
	case "flood":
		n, _ := strconv.Atoi(args[1])
		for i := 0; i < n; i++ {
			emit("1", protocol.AgentMessageDeltaMsg{Delta: strconv.Itoa(i) + " "})
		}
		emit("1", protocol.TaskCompleteMsg{})
		return 0
	case "garbage":
		_, _ = io.WriteString(stdout, "not json\n\n{\"id\":\"1\"}\n")
		emit("1", protocol.TaskCompleteMsg{})
		return 0
	case "exit":
		n, _ := strconv.Atoi(args[1])
		return n
	case "panic":
		panic("fake agent broke")
	}
	emit("", protocol.SessionConfiguredMsg{SessionID: "s1", Model: "fake"})
	sc := bufio.NewScanner(stdin)
	turn := ""
	for sc.Scan() {
		var sub protocol.Submission
		if err := json.Unmarshal(sc.Bytes(), &sub); err != nil {
			emit("", protocol.ErrorMsg{Message: err.Error()})
			continue
		}
		switch op := sub.Op.(type) {
		case protocol.UserInputOp:
			turn = sub.ID
			emit(turn, protocol.TaskStartedMsg{})
			text := op.Items[0].Text
			emit(turn, protocol.AgentMessageDeltaMsg{Delta: text[:len(text)/2]})
			emit(turn, protocol.AgentMessageDeltaMsg{Delta: text[len(text)/2:]})
			emit(turn, protocol.ExecApprovalRequestMsg{CallID: "call-1", Command: []string{"echo", "hi"}})
		case protocol.ExecApprovalOp:
			if op.Decision == protocol.DecisionApproved {
				emit(turn, protocol.TaskCompleteMsg{LastAgentMessage: "done"})
			} else {
				emit(turn, protocol.TurnAbortedMsg{Reason: "interrupted"})
			}
		case protocol.ShutdownOp:
			emit(sub.ID, protocol.ShutdownCompleteMsg{})
			return 0
		default:
			emit(sub.ID, protocol.ErrorMsg{Message: "unknown op " + sub.Op.OpType()})
		}
	}
	return 0
}
