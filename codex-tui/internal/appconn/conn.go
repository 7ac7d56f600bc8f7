// Package appconn is the TUI's connection to `codex app-server`: a
// JSON-RPC 2.0 client of the app-server protocol (v2, one JSON object a
// line on the child's stdio) that offers the TUI's model the agent
// protocol's submissions and events, so the TUI speaks the protocol every
// other Codex client speaks while its model keeps one event vocabulary.
//
// The translation is one file (translate.go): submissions become
// requests (turn/start, turn/interrupt, thread/compact/start,
// mcpServerStatus/list) or answers to the server's approval requests;
// notifications and server requests become events. Guarantees, as
// common/agentclient gives them for `codex proto`:
//   - Send never blocks on the server (an unbounded queue, one writer);
//   - no event is dropped (an unbounded queue between the reader and
//     Events), and Events is closed only once the server's output ended;
//   - a line that is not JSON-RPC, or a failed request, becomes an error
//     event instead of killing the front end;
//   - Close ends the server (stdin closed, then the process group killed
//     after a grace period) and reaps it.
package appconn

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/codexgo/common/agentclient"
	"github.com/codexgo/common/jsonl"
	"github.com/codexgo/common/protocol"
)

// ErrClosed is returned by Send after Close or a shutdown.
var ErrClosed = errors.New("appconn: connection closed")

// MaxLineBytes bounds one line from the server.
const MaxLineBytes = 64 << 20

// Options say which thread the connection opens.
type Options struct {
	// Cwd is the thread's working directory (absolute).
	Cwd string
	// Resume is a rollout file to resume (thread/resume by path); ""
	// starts a new thread.
	Resume string
	// Fork, if set, is the thread id of a recorded session to fork
	// (thread/fork) instead.
	Fork string
	// Version is the client's version, for initialize's clientInfo.
	Version string
}

// Conn is a connection to one app-server and the one thread it opened.
// Its methods are safe for concurrent use.
type Conn struct {
	proc *agentclient.Process

	events chan protocol.Event

	wmu     sync.Mutex
	wcond   *sync.Cond
	out     [][]byte
	closing bool
	werr    error

	writerDone chan struct{}
	readEOF    chan struct{}
	readerDone chan struct{}

	qmu   sync.Mutex
	qcond *sync.Cond
	queue []protocol.Event
	eof   bool

	nextID atomic.Int64
	// st is the translation's state (translate.go), under mu.
	mu sync.Mutex
	st state

	waitOnce sync.Once
	waitErr  error
	closed   atomic.Bool
}

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// message is any JSON-RPC line: a request (id and method), a
// notification (method), or a response (id with result or error).
type message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *rpcError       `json:"error,omitempty"`
}

// Open starts talking to the server p (already started): initialize,
// then thread/start or thread/resume. The thread's answer is the
// session_configured event.
func Open(p *agentclient.Process, o Options) *Conn {
	c := newConn(p)
	go c.writeLoop()
	go c.deliver()
	c.start(o)
	go c.readLoop()
	return c
}

// newConn is a connection with no goroutine running yet.
func newConn(p *agentclient.Process) *Conn {
	c := &Conn{
		proc:       p,
		events:     make(chan protocol.Event),
		writerDone: make(chan struct{}),
		readEOF:    make(chan struct{}),
		readerDone: make(chan struct{}),
	}
	c.wcond = sync.NewCond(&c.wmu)
	c.qcond = sync.NewCond(&c.qmu)
	c.st = newState()
	return c
}

// Events returns the events in order; closed after the server's output
// ended and every event was handed out.
func (c *Conn) Events() <-chan protocol.Event { return c.events }

// Send translates a submission; it never blocks on the server.
func (c *Conn) Send(s protocol.Submission) error {
	if s.Op == nil {
		return fmt.Errorf("send submission %q: no op", s.ID)
	}
	c.wmu.Lock()
	err := c.werr
	if err == nil && c.closing {
		err = ErrClosed
	}
	c.wmu.Unlock()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.submit(s)
	return nil
}

// call sends a request; done runs on the reader goroutine with the
// result or the error (under c.mu).
func (c *Conn) call(method string, params any, done func(json.RawMessage, *rpcError)) {
	id := c.nextID.Add(1)
	c.st.pending[id] = done
	c.write(map[string]any{"id": id, "method": method, "params": params})
}

// notify sends a notification.
func (c *Conn) notify(method string, params any) {
	m := map[string]any{"method": method}
	if params != nil {
		m["params"] = params
	}
	c.write(m)
}

// respond answers a server request.
func (c *Conn) respond(id json.RawMessage, result any) {
	c.write(map[string]any{"id": id, "result": result})
}

// respondError refuses a server request.
func (c *Conn) respondError(id json.RawMessage, code int, msg string) {
	c.write(map[string]any{"id": id, "error": rpcError{Code: code, Message: msg}})
}

func (c *Conn) write(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.push(protocol.Event{Msg: protocol.ErrorMsg{Message: "appconn: encode: " + err.Error()}})
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closing || c.werr != nil {
		return
	}
	c.out = append(c.out, append(b, '\n'))
	c.wcond.Signal()
}

func (c *Conn) writeLoop() {
	defer close(c.writerDone)
	bw := bufio.NewWriter(c.proc.Stdin)
	for {
		c.wmu.Lock()
		for len(c.out) == 0 && !c.closing {
			c.wcond.Wait()
		}
		batch, closing := c.out, c.closing
		c.out = nil
		c.wmu.Unlock()
		var err error
		for _, b := range batch {
			if _, err = bw.Write(b); err != nil {
				break
			}
		}
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			c.wmu.Lock()
			if c.werr == nil {
				c.werr = fmt.Errorf("write to app-server: %w", err)
			}
			c.closing = true
			c.wmu.Unlock()
			_ = c.proc.Stdin.Close()
			return
		}
		if closing && len(batch) == 0 {
			_ = c.proc.Stdin.Close()
			return
		}
	}
}

// push queues an event for Events.
func (c *Conn) push(ev protocol.Event) {
	c.qmu.Lock()
	c.queue = append(c.queue, ev)
	c.qcond.Signal()
	c.qmu.Unlock()
}

func (c *Conn) deliver() {
	defer close(c.readerDone)
	defer close(c.events)
	for {
		c.qmu.Lock()
		for len(c.queue) == 0 && !c.eof {
			c.qcond.Wait()
		}
		if len(c.queue) == 0 {
			c.qmu.Unlock()
			return
		}
		ev := c.queue[0]
		c.queue[0] = protocol.Event{}
		c.queue = c.queue[1:]
		c.qmu.Unlock()
		c.events <- ev
	}
}

func (c *Conn) readLoop() {
	rd := jsonl.NewReader(c.proc.Stdout, MaxLineBytes)
	for {
		var m message
		err := rd.Next(&m)
		if err == nil {
			c.mu.Lock()
			c.handle(m)
			c.mu.Unlock()
			continue
		}
		var le *jsonl.LineError
		if !errors.As(err, &le) {
			break
		}
		c.push(protocol.Event{Msg: protocol.ErrorMsg{Message: fmt.Sprintf("appconn: bad line %d from the app-server: %v", le.Line, le.Err)}})
	}
	close(c.readEOF)
	c.mu.Lock()
	if c.st.shutdown {
		// The server ends at the end of its input, having ended every
		// turn and command: that is the session's shutdown.
		c.push(protocol.Event{Msg: protocol.ShutdownCompleteMsg{}})
	}
	c.mu.Unlock()
	c.qmu.Lock()
	c.eof = true
	c.qcond.Signal()
	c.qmu.Unlock()
}

// CloseSend flushes what is queued and closes the server's input, which
// asks it to end.
func (c *Conn) CloseSend() {
	c.wmu.Lock()
	c.closing = true
	c.wcond.Signal()
	c.wmu.Unlock()
}

// Wait blocks until the server has exited and its output has been read;
// it returns its exit status.
func (c *Conn) Wait() error {
	c.waitOnce.Do(func() {
		<-c.readEOF
		if c.proc.Wait != nil {
			c.waitErr = c.proc.Wait()
		}
		c.CloseSend()
		<-c.writerDone
	})
	return c.waitErr
}

// Close closes the server's input and, if it has not ended its output
// within grace, kills it; then it reaps it.
func (c *Conn) Close(grace time.Duration) error {
	c.CloseSend()
	if c.closed.CompareAndSwap(false, true) && c.proc.Stop != nil {
		t := time.NewTimer(grace)
		select {
		case <-c.readEOF:
		case <-t.C:
			c.proc.Stop()
		}
		t.Stop()
	}
	return c.Wait()
}

// Done is closed once every event has been handed out.
func (c *Conn) Done() <-chan struct{} { return c.readerDone }
