package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

// TestExecCommandSession runs a command that waits for input: it is
// still running when its yield time is up, so the model gets a session
// ID, writes a line to it with write_stdin and gets the rest of its
// output and its exit code; one exec_command_end covers the whole run.
func TestExecCommandSession(t *testing.T) {
	for _, tc := range []struct {
		name   string
		runner Runner
	}{{"direct", DirectRunner{}}, {"sandbox", SandboxRunner{}}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command",
					map[string]any{"cmd": "echo ready; read x; echo got:$x; exit 4", "yield_time_ms": 250})}},
				// Far longer than the test's patience: the answer must come
				// when the command ends, not when the yield time is up.
				{Items: []json.RawMessage{modelserver.FunctionCall("c2", "write_stdin",
					map[string]any{"session_id": 1001, "chars": "hello\n", "yield_time_ms": 300000})}},
				{Items: []json.RawMessage{modelserver.Message("done")}},
			}, func(cfg *SessionConfig) { cfg.Runner = tc.runner })
			msgs := h.turn("talk to it", nil)
			first := outputOf(t, h.requestInput(1), "c1")
			if !strings.Contains(first, "\nProcess running with session ID 1001\n") {
				t.Fatalf("exec_command output = %q, want a running session", first)
			}
			second := outputOf(t, h.requestInput(2), "c2")
			if !strings.Contains(second, "\nProcess exited with code 4\n") || !strings.Contains(second, "got:hello\n") {
				t.Errorf("write_stdin output = %q, want the exit and the answer", second)
			}
			if both := first + second; strings.Count(both, "ready\n") != 1 {
				t.Errorf("outputs %q and %q: want \"ready\" exactly once", first, second)
			}
			ends := find[protocol.ExecCommandEndMsg](msgs)
			if len(ends) != 1 || ends[0].CallID != "c1" || ends[0].ExitCode != 4 || ends[0].AggregatedOutput != "ready\ngot:hello\n" {
				t.Fatalf("exec_command_end = %+v, want one for c1 with the whole output", ends)
			}
			if got := types(msgs); !strings.HasSuffix(got, "agent_message,token_count,task_complete") ||
				strings.Index(got, "terminal_interaction") > strings.Index(got, "exec_command_end") {
				t.Errorf("events = %s", got)
			}
			// What the model typed is reported, with the command it went to.
			if in := find[protocol.TerminalInteractionMsg](msgs); len(in) != 1 ||
				in[0] != (protocol.TerminalInteractionMsg{CallID: "c1", ProcessID: "1001", Stdin: "hello\n"}) {
				t.Errorf("terminal_interaction = %+v", in)
			}
		})
	}
}

// TestExecCommandTerminal runs a session with tty set: the command's
// input and output are a terminal (which echoes what is written to it),
// and it is the command's controlling terminal, sandboxed or not, so ^C
// written to it interrupts the command.
func TestExecCommandTerminal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		runner Runner
		ctrlC  bool
	}{{"direct", DirectRunner{}, true}, {"sandbox", SandboxRunner{}, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			turns := []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command",
					map[string]any{"cmd": "test -t 0 && test -t 1 && test -t 2 && echo all-tty; read x; echo got:$x", "tty": true, "yield_time_ms": 250})}},
				{Items: []json.RawMessage{modelserver.FunctionCall("c2", "write_stdin",
					map[string]any{"session_id": 1001, "chars": "hello\n", "yield_time_ms": 300000})}},
			}
			if tc.ctrlC {
				turns = append(turns,
					modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c3", "exec_command",
						// ^C typed before the command owns the terminal is
						// lost (no foreground group yet): a loaded machine
						// gets two seconds to start it.
						map[string]any{"cmd": "sleep 1000", "tty": true, "yield_time_ms": 2000})}},
					modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c4", "write_stdin",
						map[string]any{"session_id": 1002, "chars": "\x03", "yield_time_ms": 300000})}})
			}
			turns = append(turns, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("done")}})
			h := newHarness(t, turns, func(cfg *SessionConfig) { cfg.Runner = tc.runner })
			h.turn("use a terminal", nil)
			first := outputOf(t, h.requestInput(1), "c1")
			second := outputOf(t, h.requestInput(2), "c2")
			if !strings.Contains(first, "session ID 1001") || !strings.Contains(first+second, "all-tty\r\n") {
				t.Errorf("exec_command output %q: want a running session on a terminal", first)
			}
			// The terminal echoes the line written, then the answer comes.
			if !strings.Contains(second, "hello\r\n") || !strings.Contains(second, "got:hello\r\n") || !strings.Contains(second, "Process exited with code 0") {
				t.Errorf("write_stdin output %q: want the echo, the answer and the exit", second)
			}
			if tc.ctrlC {
				if got := outputOf(t, h.requestInput(4), "c4"); !strings.Contains(got, "Process exited with code 130") {
					t.Errorf("^C output %q: want the command interrupted (130)", got)
				}
			}
		})
	}
}

// TestExecCommandSessionEndsWithSession leaves a command running past its
// turn; shutting the session down ends it, reports its end before
// shutdown_complete, and leaves no process behind.
func TestExecCommandSessionEndsWithSession(t *testing.T) {
	marker := fmt.Sprintf("1%03d.%05d", os.Getpid()%1000, time.Now().UnixNano()%100000)
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command",
			map[string]any{"cmd": "sleep " + marker, "yield_time_ms": 250})}},
		{Items: []json.RawMessage{modelserver.Message("left it running")}},
	}, func(cfg *SessionConfig) { cfg.Runner = SandboxRunner{} })
	msgs := h.turn("start a server", nil)
	if out := outputOf(t, h.requestInput(1), "c1"); !strings.Contains(out, "Process running with session ID 1001") {
		t.Fatalf("output = %q", out)
	}
	if len(find[protocol.ExecCommandEndMsg](msgs)) != 0 {
		t.Fatalf("events = %s: the command ended with its turn", types(msgs))
	}
	if len(markedProcesses("sleep "+marker)) != 1 {
		t.Fatalf("the session's command is not running after its turn: %v", markedProcesses("sleep "+marker))
	}
	if err := h.s.Submit(context.Background(), protocol.Submission{ID: "s1", Op: protocol.ShutdownOp{}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for ev := range h.s.Events() {
		got = append(got, ev.Msg.MsgType())
		if e, ok := ev.Msg.(protocol.ExecCommandEndMsg); ok && (e.CallID != "c1" || e.Status != protocol.ExecFailed) {
			t.Errorf("end = %+v, want c1 failed (killed)", e)
		}
	}
	if strings.Join(got, ",") != "exec_command_end,shutdown_complete" {
		t.Errorf("events after shutdown = %v, want exec_command_end then shutdown_complete", got)
	}
	if left := markedProcesses("sleep " + marker); len(left) > 0 {
		t.Errorf("processes left after shutdown: %v", left)
	}
}

// TestWriteStdinUnknownSession answers a write_stdin to a session that
// does not exist with the ones that do.
func TestWriteStdinUnknownSession(t *testing.T) {
	h := newHarness(t, []modelserver.Turn{
		{Items: []json.RawMessage{modelserver.FunctionCall("c1", "write_stdin", map[string]any{"session_id": 5, "chars": "x"})}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c2", "exec_command", map[string]any{"cmd": "cat", "yield_time_ms": 250})}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c3", "write_stdin", map[string]any{"session_id": "7"})}},
		{Items: []json.RawMessage{modelserver.FunctionCall("c4", "write_stdin", map[string]any{"session_id": "1001", "chars": "echoed\n"})}},
		{Items: []json.RawMessage{modelserver.Message("done")}},
	}, nil)
	h.turn("poke", nil)
	for _, tc := range []struct {
		req  int
		call string
		want string
	}{
		{1, "c1", "write_stdin failed: unknown session id 5 (no session is running)"},
		{3, "c3", "write_stdin failed: unknown session id 7 (running sessions: 1001)"},
	} {
		if got := outputOf(t, h.requestInput(tc.req), tc.call); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.call, got, tc.want)
		}
	}
	// cat echoes the line back and keeps running.
	got := outputOf(t, h.requestInput(4), "c4")
	if !strings.Contains(got, "Process running with session ID 1001") {
		t.Errorf("c4: got %q, want the session still running", got)
	}
}

// TestExecEndsSessionsWithTurn: codex exec has one turn, so a command
// still running at its end is ended then, and its command_execution item
// completes before turn.completed; nothing is left running.
func TestExecEndsSessionsWithTurn(t *testing.T) {
	marker := fmt.Sprintf("2%03d.%05d", os.Getpid()%1000, time.Now().UnixNano()%100000)
	// The command leaves a file once it has printed; the model's second
	// answer (which ends the turn, and so the command) waits for it, so
	// the command has printed whatever its yield and the machine's load.
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{modelserver.FunctionCall("c1", "exec_command",
			map[string]any{"cmd": "echo serving; : > printed; sleep " + marker, "yield_time_ms": 250})}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("started it")}})
	printed := filepath.Join(fx.repo, "printed")
	fx.srv.OnRequest(func(r modelserver.Request) {
		if len(fx.srv.Requests()) < 2 {
			return
		}
		waitFor(t, 60*time.Second, func() bool { _, err := os.Stat(printed); return err == nil })
	})
	r := fx.run(append(fx.providerArgs(), "--json", "-s", "workspace-write", "serve")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var types []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var ev struct {
			Type string `json:"type"`
			Item struct {
				Type   string `json:"type"`
				Status string `json:"status"`
				Output string `json:"aggregated_output"`
			} `json:"item"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		name := ev.Type
		if ev.Item.Type != "" {
			name += ":" + ev.Item.Type + ":" + ev.Item.Status
		}
		if ev.Item.Type == "command_execution" && ev.Type == "item.completed" && ev.Item.Output != "serving\n" {
			t.Errorf("command output %q, want serving", ev.Item.Output)
		}
		types = append(types, name)
	}
	want := "thread.started,turn.started,item.started:command_execution:in_progress,item.completed:agent_message:," +
		"item.completed:command_execution:failed,turn.completed"
	if got := strings.Join(types, ","); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	if left := markedProcesses("sleep " + marker); len(left) > 0 {
		t.Errorf("processes left after exec: %v", left)
	}
}

// waitFor polls cond, an observable state, until it holds or limit
// passes (then the test fails); it may run on any goroutine.
func waitFor(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("condition not reached within %v", limit)
			return
		}
		<-tick.C
	}
}
