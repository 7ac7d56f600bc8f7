// Package agentclient is the Go client of the agent protocol: it writes
// protocol.Submission values as JSON lines to an agent and reads the
// agent's protocol.Event lines back.
//
// Two transports share one Client: a child process (Spawn, normally the
// running binary re-executed as `codex-agent proto`) and an in-process
// agent Main run over io.Pipes (InProcess), so a front end and its tests
// use the same code.
//
// Delivery guarantees, which is why front ends can rely on it:
//   - Send never blocks on the agent: submissions go to an unbounded
//     queue that one writer goroutine drains in order. A front end may call
//     it from its event loop.
//   - No event is ever dropped: a reader goroutine decodes every line into
//     an unbounded queue, so the agent is never stalled by a slow front end
//     and nothing is lost. Events() is closed only after the agent's output
//     ended and every event was delivered.
//   - A line that is not a valid event becomes an ErrorMsg event naming
//     the line, so a bad agent cannot kill the front end silently.
//   - Close ends the agent (stdin closed, then a signal after a grace
//     period for a child) and reaps it.
package agentclient

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/codexgo/common/jsonl"
	"github.com/codexgo/common/protocol"
)

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("agentclient: connection closed")

// MaxLineBytes bounds one event line; a longer line is reported as an
// error event and skipped, so a runaway agent cannot exhaust memory.
const MaxLineBytes = 64 << 20

// Client is a connection to one agent. Its methods are safe for
// concurrent use.
type Client struct {
	w      io.WriteCloser
	events chan protocol.Event
	nextID atomic.Uint64

	mu      sync.Mutex
	cond    *sync.Cond
	out     []protocol.Submission // queued submissions, oldest first
	closing bool                  // no more submissions accepted
	werr    error                 // first write error

	writerDone chan struct{}
	readEOF    chan struct{} // the agent's output has ended
	readerDone chan struct{} // every event was handed out

	stop     func() // asks the agent to end (signal, cancel)
	wait     func() error
	waitOnce sync.Once
	waitErr  error
	closed   atomic.Bool
}

// New wraps an agent reached through r (its events) and w (its
// submissions). wait, if not nil, blocks until the agent has exited and
// returns its status; stop, if not nil, forces it to end (Wait and Close
// return only once r has ended, so without stop the agent must end it).
// Most callers want Spawn or InProcess instead.
func New(r io.Reader, w io.WriteCloser, stop func(), wait func() error) *Client {
	c := &Client{
		w:          w,
		events:     make(chan protocol.Event),
		writerDone: make(chan struct{}),
		readEOF:    make(chan struct{}),
		readerDone: make(chan struct{}),
		stop:       stop,
		wait:       wait,
	}
	c.cond = sync.NewCond(&c.mu)
	go c.writeLoop()
	go c.readLoop(r)
	return c
}

// NextID returns a fresh submission id ("1", "2", ...).
func (c *Client) NextID() string {
	return strconv.FormatUint(c.nextID.Add(1), 10)
}

// Submit queues op under a fresh id and returns the id.
func (c *Client) Submit(op protocol.Op) (string, error) {
	id := c.NextID()
	return id, c.Send(protocol.Submission{ID: id, Op: op})
}

// Send queues s for the agent. It never blocks on the agent; it fails
// only after Close or once writing to the agent has failed.
func (c *Client) Send(s protocol.Submission) error {
	if s.Op == nil {
		return fmt.Errorf("send submission %q: no op", s.ID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	if c.closing {
		return ErrClosed
	}
	c.out = append(c.out, s)
	c.cond.Signal()
	return nil
}

// Events returns the agent's events in order. The channel is closed after
// the agent's output ends and every event has been delivered. Events not
// read stay queued (and their goroutine alive) until they are.
func (c *Client) Events() <-chan protocol.Event { return c.events }

func (c *Client) writeLoop() {
	defer close(c.writerDone)
	bw := bufio.NewWriter(c.w)
	for {
		c.mu.Lock()
		for len(c.out) == 0 && !c.closing {
			c.cond.Wait()
		}
		batch := c.out
		c.out = nil
		closing := c.closing
		c.mu.Unlock()

		var err error
		for _, s := range batch {
			var b []byte
			b, err = json.Marshal(s)
			if err != nil {
				err = fmt.Errorf("encode submission %q: %w", s.ID, err)
				break
			}
			b = append(b, '\n')
			if _, err = bw.Write(b); err != nil {
				break
			}
		}
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			c.mu.Lock()
			if c.werr == nil {
				c.werr = fmt.Errorf("write to agent: %w", err)
			}
			c.closing = true
			c.mu.Unlock()
			_ = c.w.Close()
			return
		}
		if closing && len(batch) == 0 {
			_ = c.w.Close()
			return
		}
	}
}

// readLoop decodes events into an unbounded queue and a second goroutine
// hands them out, so the agent's writes never wait on the consumer.
func (c *Client) readLoop(r io.Reader) {
	var (
		mu    sync.Mutex
		cond  = sync.NewCond(&mu)
		queue []protocol.Event
		eof   bool
	)
	go func() {
		defer close(c.readerDone)
		defer close(c.events)
		for {
			mu.Lock()
			for len(queue) == 0 && !eof {
				cond.Wait()
			}
			if len(queue) == 0 && eof {
				mu.Unlock()
				return
			}
			ev := queue[0]
			queue[0] = protocol.Event{}
			queue = queue[1:]
			mu.Unlock()
			c.events <- ev
		}
	}()
	push := func(ev protocol.Event) {
		mu.Lock()
		queue = append(queue, ev)
		cond.Signal()
		mu.Unlock()
	}
	rd := jsonl.NewReader(r, MaxLineBytes)
	for {
		var ev protocol.Event
		err := rd.Next(&ev)
		if err == nil {
			push(ev)
			continue
		}
		var le *jsonl.LineError
		if !errors.As(err, &le) {
			break // end of input, or the pipe failed
		}
		if errors.Is(err, jsonl.ErrLineTooLong) {
			push(errorEvent(fmt.Sprintf("agentclient: event line %d longer than %d bytes, skipped", le.Line, MaxLineBytes)))
		} else {
			push(errorEvent(fmt.Sprintf("agentclient: bad event line %d: %v", le.Line, le.Err)))
		}
	}
	close(c.readEOF)
	mu.Lock()
	eof = true
	cond.Signal()
	mu.Unlock()
}

func errorEvent(msg string) protocol.Event {
	return protocol.Event{Msg: protocol.ErrorMsg{Message: msg}}
}

// CloseSend flushes the queued submissions and closes the agent's input,
// which asks it to finish. Later Sends fail with ErrClosed.
func (c *Client) CloseSend() {
	c.mu.Lock()
	c.closing = true
	c.cond.Signal()
	c.mu.Unlock()
}

// Wait blocks until the agent has exited and its output has been read
// (not necessarily consumed from Events), and returns its exit status.
// Submissions still queued then are discarded.
func (c *Client) Wait() error {
	c.waitOnce.Do(func() {
		<-c.readEOF
		if c.wait != nil {
			c.waitErr = c.wait()
		}
		c.CloseSend()
		<-c.writerDone
	})
	return c.waitErr
}

// Close ends the agent: it closes the agent's input, and if the agent has
// not finished its output within grace, forces it to stop; then it reaps
// it. Events still queued stay readable from Events until that channel is
// closed. It returns the agent's exit status.
func (c *Client) Close(grace time.Duration) error {
	c.CloseSend()
	if c.closed.CompareAndSwap(false, true) && c.stop != nil {
		t := time.NewTimer(grace)
		select {
		case <-c.readEOF:
		case <-t.C:
			c.stop()
		}
		t.Stop()
	}
	return c.Wait()
}

// Done is closed once every event has been handed out through Events.
func (c *Client) Done() <-chan struct{} { return c.readerDone }

// WriteError reports the first failure to write to the agent, if any.
func (c *Client) WriteError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.werr
}
