package agentclient

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/common/protocol"
)

type transport struct {
	name  string
	start func(t *testing.T, args ...string) *Client
}

func transports() []transport {
	return []transport{
		{"in-process", func(t *testing.T, args ...string) *Client {
			return InProcess(context.Background(), fakeAgent, args, nil)
		}},
		{"child", func(t *testing.T, args ...string) *Client {
			// A race-enabled child sleeps 1 s at exit unless told not to.
			env := append(os.Environ(), "GORACE=atexit_sleep_ms=0")
			c, err := Spawn(context.Background(), SpawnOptions{Args: args, Env: env})
			if err != nil {
				t.Fatalf("Spawn: %v", err)
			}
			return c
		}},
	}
}

// next returns the next event or fails the test when the stream ended.
func next(t *testing.T, c *Client) protocol.Event {
	t.Helper()
	ev, ok := <-c.Events()
	if !ok {
		t.Fatal("events closed early")
	}
	return ev
}

func TestRoundTrip(t *testing.T) {
	for _, tr := range transports() {
		t.Run(tr.name, func(t *testing.T) {
			for _, decision := range []protocol.ReviewDecision{protocol.DecisionApproved, protocol.DecisionAbort} {
				c := tr.start(t)
				if got := next(t, c).Msg.MsgType(); got != "session_configured" {
					t.Fatalf("first event = %s, want session_configured", got)
				}
				id, err := c.Submit(protocol.UserInputOp{Items: protocol.TextInput("hello world")})
				if err != nil {
					t.Fatalf("Submit: %v", err)
				}
				var text strings.Builder
				for {
					ev := next(t, c)
					if ev.ID != id {
						t.Fatalf("event id = %q, want %q", ev.ID, id)
					}
					if d, ok := ev.Msg.(protocol.AgentMessageDeltaMsg); ok {
						text.WriteString(d.Delta)
					}
					if req, ok := ev.Msg.(protocol.ExecApprovalRequestMsg); ok {
						if err := c.Send(protocol.Submission{ID: c.NextID(), Op: protocol.ExecApprovalOp{ID: req.CallID, Decision: decision}}); err != nil {
							t.Fatalf("Send: %v", err)
						}
						break
					}
				}
				if got, want := text.String(), "hello world"; got != want {
					t.Errorf("streamed text = %q, want %q", got, want)
				}
				end := next(t, c).Msg.MsgType()
				want := "task_complete"
				if decision != protocol.DecisionApproved {
					want = "turn_aborted"
				}
				if end != want {
					t.Errorf("%s: turn ended with %s, want %s", decision, end, want)
				}
				if _, err := c.Submit(protocol.ShutdownOp{}); err != nil {
					t.Fatalf("Submit shutdown: %v", err)
				}
				if got := next(t, c).Msg.MsgType(); got != "shutdown_complete" {
					t.Errorf("after shutdown got %s, want shutdown_complete", got)
				}
				if _, ok := <-c.Events(); ok {
					t.Error("events not closed after the agent exited")
				}
				if err := c.Close(5 * time.Second); err != nil {
					t.Errorf("Close: %v", err)
				}
				if err := c.Send(protocol.Submission{ID: "x", Op: protocol.InterruptOp{}}); !errors.Is(err, ErrClosed) {
					t.Errorf("Send after Close = %v, want ErrClosed", err)
				}
			}
		})
	}
}

// TestNoEventDropped lets the agent write everything and exit before the
// consumer reads a single event: nothing may block the agent and nothing
// may be lost.
func TestNoEventDropped(t *testing.T) {
	const n = 20000
	for _, tr := range transports() {
		t.Run(tr.name, func(t *testing.T) {
			c := tr.start(t, "flood", strconv.Itoa(n))
			if err := c.Wait(); err != nil {
				t.Fatalf("Wait: %v", err)
			}
			i := 0
			for ev := range c.Events() {
				if i < n {
					d, ok := ev.Msg.(protocol.AgentMessageDeltaMsg)
					if !ok || d.Delta != strconv.Itoa(i)+" " {
						t.Fatalf("event %d = %#v, want delta %d", i, ev.Msg, i)
					}
				} else if ev.Msg.MsgType() != "task_complete" {
					t.Fatalf("last event = %s, want task_complete", ev.Msg.MsgType())
				}
				i++
			}
			if i != n+1 {
				t.Errorf("got %d events, want %d", i, n+1)
			}
		})
	}
}

func TestMalformedLinesBecomeErrors(t *testing.T) {
	for _, tr := range transports() {
		t.Run(tr.name, func(t *testing.T) {
			c := tr.start(t, "garbage")
			var got []string
			for ev := range c.Events() {
				if e, ok := ev.Msg.(protocol.ErrorMsg); ok {
					got = append(got, e.Message)
					continue
				}
				got = append(got, ev.Msg.MsgType())
			}
			if len(got) != 3 {
				t.Fatalf("events = %q, want 2 errors and task_complete", got)
			}
			if !strings.Contains(got[0], "line 1") || !strings.Contains(got[1], "line 3") || got[2] != "task_complete" {
				t.Errorf("events = %q, want errors naming lines 1 and 3, then task_complete", got)
			}
			if err := c.Close(5 * time.Second); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

func TestExitStatus(t *testing.T) {
	for _, tr := range transports() {
		t.Run(tr.name, func(t *testing.T) {
			c := tr.start(t, "exit", "3")
			err := c.Wait()
			var ee *ExitError
			if !errors.As(err, &ee) || ee.Code != 3 {
				t.Errorf("Wait = %v, want exit status 3", err)
			}
		})
	}
}

func TestInProcessPanicIsContained(t *testing.T) {
	var stderr strings.Builder
	c := InProcess(context.Background(), fakeAgent, []string{"panic"}, &stderr)
	var ee *ExitError
	if err := c.Wait(); !errors.As(err, &ee) || ee.Code != 70 {
		t.Errorf("Wait = %v, want exit status 70", err)
	}
	if !strings.Contains(stderr.String(), "fake agent broke") {
		t.Errorf("stderr = %q, want the panic value", stderr.String())
	}
}

// TestCloseKillsStuckAgent: an agent that ignores the end of its input is
// killed after the grace period and reaped.
func TestCloseKillsStuckAgent(t *testing.T) {
	c, err := Spawn(context.Background(), SpawnOptions{Program: "sleep", Args: []string{"60"}})
	if err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	start := time.Now()
	err = c.Close(50 * time.Millisecond)
	if err == nil {
		t.Error("Close of a killed agent returned nil, want the signal status")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close took %v", d)
	}
	if _, ok := <-c.Events(); ok {
		t.Error("events not closed")
	}
}

// TestInProcessCloseCancels: an in-process agent blocked on its context
// ends when Close cancels it.
func TestInProcessCloseCancels(t *testing.T) {
	stuck := func(ctx context.Context, _ []string, _ io.Reader, _, _ io.Writer) int {
		<-ctx.Done()
		return 0
	}
	c := InProcess(context.Background(), stuck, nil, nil)
	if err := c.Close(10 * time.Millisecond); err != nil {
		t.Errorf("Close = %v", err)
	}
}

func TestSpawnMissingProgram(t *testing.T) {
	_, err := Spawn(context.Background(), SpawnOptions{Program: "/nonexistent/codex-agent"})
	if err == nil {
		t.Fatal("Spawn of a missing program succeeded")
	}
}

// TestSubmissionOrder: submissions queued from many calls reach the agent
// in the order Send was called.
func TestSubmissionOrder(t *testing.T) {
	r, w := io.Pipe()
	events, _ := io.Pipe()
	c := New(events, w, nil, nil)
	const n = 500
	go func() {
		for i := 0; i < n; i++ {
			_ = c.Send(protocol.Submission{ID: strconv.Itoa(i), Op: protocol.InterruptOp{}})
		}
		c.CloseSend()
	}()
	sc := bufio.NewScanner(r)
	i := 0
	for sc.Scan() {
		want := `{"id":"` + strconv.Itoa(i) + `","op":{"type":"interrupt"}}`
		if sc.Text() != want {
			t.Fatalf("line %d = %s, want %s", i, sc.Text(), want)
		}
		i++
	}
	if i != n {
		t.Errorf("agent read %d submissions, want %d", i, n)
	}
}

func TestLongLineSkipped(t *testing.T) {
	long := `{"id":"x","msg":{"type":"agent_message","message":"` + strings.Repeat("x", MaxLineBytes) + `"}}`
	in := long + "\n" + `{"id":"1","msg":{"type":"task_complete"}}` + "\n"
	_, w := io.Pipe()
	c := New(strings.NewReader(in), w, nil, nil)
	var got []string
	for ev := range c.Events() {
		if e, ok := ev.Msg.(protocol.ErrorMsg); ok {
			got = append(got, e.Message)
			continue
		}
		got = append(got, ev.Msg.MsgType())
	}
	if len(got) != 2 || !strings.Contains(got[0], "event line 1 longer than") || got[1] != "task_complete" {
		t.Fatalf("events = %.200q, want a too-long error for line 1, then task_complete", got)
	}
}
