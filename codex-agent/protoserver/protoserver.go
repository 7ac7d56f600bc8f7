// Package protoserver serves one agent session over the Codex front-end
// protocol: JSONL submissions {id, op} on the input, JSONL events
// {id, msg} on the output (see PROTOCOL.md in this folder).
//
// The server adds what belongs to the front-end connection rather than to
// the conversation: the persistent prompt history (add_to_history,
// get_history_entry_request, and the history fields of
// session_configured), and the reporting of bad input, which never ends
// the session: a malformed line is answered with an error event naming
// the line.
package protoserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/codexgo/common/jsonl"
	"github.com/codexgo/common/protocol"
)

// Session is the agent session the server drives (agent.Session).
type Session interface {
	Run(ctx context.Context) error
	Submit(ctx context.Context, sub protocol.Submission) error
	Events() <-chan protocol.Event
	ThreadID() string
}

// MaxLine bounds one input line; a longer line is reported and skipped.
const MaxLine = 16 << 20

// Serve runs sess, reads submissions from in and writes its events to
// out until a shutdown op, the end of the input, or ctx ends. At the end
// of the input it waits for the turns already submitted to finish, then
// shuts the session down. hist may be nil (no persistent history).
func Serve(ctx context.Context, sess Session, in io.Reader, out io.Writer, hist *History) error {
	w := jsonl.NewWriter(out)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &server{sess: sess, w: w, hist: hist, configured: make(chan struct{}), idle: make(chan struct{}, 1), stop: cancel}
	runDone := make(chan error, 1)
	go func() { runDone <- sess.Run(runCtx) }()
	writeDone := make(chan error, 1)
	go func() { writeDone <- s.pump() }()

	inputDone := make(chan struct{})
	go func() {
		defer close(inputDone)
		s.read(runCtx, in)
	}()
	var werr error
	select {
	case werr = <-writeDone:
	case <-ctx.Done():
		werr = <-writeDone
	}
	cancel()
	rerr := <-runDone
	// The reader may be blocked on input nobody will send; it is abandoned
	// (it holds no resources but the reader it was given).
	if werr != nil {
		return werr
	}
	return rerr
}

type server struct {
	sess       Session
	w          *jsonl.Writer
	hist       *History
	configured chan struct{}
	// stop ends the session when the output is gone.
	stop context.CancelFunc

	mu          sync.Mutex
	outstanding int  // turns submitted and not yet ended
	interrupted bool // an interrupt dropped the queued turns
	idle        chan struct{}
}

// write sends one event; a failed output ends the server.
func (s *server) write(ev protocol.Event) error {
	if err := s.w.Write(ev); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return nil
}

// pump copies the session's events to the output in order.
func (s *server) pump() error {
	first := true
	var err error
	for ev := range s.sess.Events() {
		if m, ok := ev.Msg.(protocol.SessionConfiguredMsg); ok && s.hist != nil {
			m.HistoryLogID, m.HistoryEntryCount = s.hist.Stat()
			ev.Msg = m
		}
		if err == nil {
			err = s.write(ev)
			if err != nil {
				s.stop()
			}
		}
		if first {
			first = false
			close(s.configured)
		}
		switch ev.Msg.(type) {
		case protocol.TaskCompleteMsg, protocol.TurnAbortedMsg:
			s.turnEnded(ev.Msg)
		}
	}
	if first {
		close(s.configured)
	}
	return err
}

func (s *server) turnEnded(m protocol.Msg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outstanding--
	if _, ok := m.(protocol.TurnAbortedMsg); ok && s.interrupted {
		// The interrupt dropped every queued turn with the running one.
		s.outstanding = 0
		s.interrupted = false
	}
	if s.outstanding <= 0 {
		s.outstanding = 0
		select {
		case s.idle <- struct{}{}:
		default:
		}
	}
}

// read decodes submissions until the input ends, then shuts down once
// the submitted turns are over.
func (s *server) read(ctx context.Context, in io.Reader) {
	<-s.configured
	r := jsonl.NewReader(in, MaxLine)
	for {
		line, err := r.ReadLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var le *jsonl.LineError
			if errors.As(err, &le) {
				s.report("", fmt.Sprintf("line %d: %v", le.Line, le.Err))
				continue
			}
			s.report("", fmt.Sprintf("read input: %v", err))
			break
		}
		s.handle(ctx, r.Line(), line)
		if ctx.Err() != nil {
			return
		}
	}
	// Wait for the turns in flight, then shut down.
	for {
		s.mu.Lock()
		n := s.outstanding
		s.mu.Unlock()
		if n <= 0 {
			break
		}
		select {
		case <-s.idle:
		case <-ctx.Done():
			return
		}
	}
	_ = s.sess.Submit(ctx, protocol.Submission{ID: "eof", Op: protocol.ShutdownOp{}})
}

// report writes an error event for bad input.
func (s *server) report(id, msg string) {
	_ = s.write(protocol.Event{ID: id, Msg: protocol.ErrorMsg{Message: msg}})
}

// handle decodes and routes one line.
func (s *server) handle(ctx context.Context, n int, line []byte) {
	sub, err := Decode(line)
	if err != nil {
		s.report(submissionID(line), fmt.Sprintf("line %d: %v", n, err))
		return
	}
	switch op := sub.Op.(type) {
	case protocol.AddToHistoryOp:
		if s.hist == nil {
			return
		}
		if err := s.hist.Append(s.sess.ThreadID(), op.Text); err != nil {
			s.report(sub.ID, err.Error())
		}
		return
	case protocol.GetHistoryEntryRequestOp:
		var entry *string
		if s.hist != nil {
			entry = s.hist.Entry(op.LogID, op.Offset)
		}
		_ = s.write(protocol.Event{ID: sub.ID, Msg: protocol.GetHistoryEntryResponseMsg{Offset: op.Offset, LogID: op.LogID, Entry: entry}})
		return
	case protocol.UnknownOp:
		s.report(sub.ID, fmt.Sprintf("line %d: unknown op type %q", n, op.Type))
		return
	case protocol.UserInputOp, protocol.UserTurnOp, protocol.CompactOp:
		s.mu.Lock()
		s.outstanding++
		s.mu.Unlock()
	case protocol.InterruptOp:
		s.mu.Lock()
		s.interrupted = s.outstanding > 0
		s.mu.Unlock()
	}
	if err := s.sess.Submit(ctx, sub); err != nil {
		s.report(sub.ID, fmt.Sprintf("line %d: %s: %v", n, sub.Op.OpType(), err))
	}
}

// Decode parses one input line as a submission. Unknown op types decode
// (as protocol.UnknownOp); everything else that is not a submission is an
// error saying what is wrong.
func Decode(line []byte) (protocol.Submission, error) {
	var sub protocol.Submission
	if err := json.Unmarshal(line, &sub); err != nil {
		return protocol.Submission{}, fmt.Errorf("invalid submission: %s", cleanErr(err))
	}
	return sub, nil
}

// submissionID digs the id out of a line that did not decode, so the
// error can be matched to the submission.
func submissionID(line []byte) string {
	var head struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(line, &head) != nil {
		return ""
	}
	var id string
	if json.Unmarshal(head.ID, &id) == nil {
		return id
	}
	return strings.Trim(string(head.ID), `"`)
}

// cleanErr shortens encoding/json's messages.
func cleanErr(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}
