package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/codexgo/codex-agent/runner"
	"github.com/codexgo/common/protocol"
)

// Unified exec, as the Codex CLI's exec_command and write_stdin: a
// command that is still running when its yield time is up keeps running
// as a session the model polls and writes to, instead of holding the turn
// until it ends (a dev server, a watcher, a prompt waiting for input).
const (
	defaultExecYieldMS  = 10_000
	minYieldMS          = 250
	maxYieldMS          = 30_000
	defaultWriteYieldMS = 250
	// An empty write_stdin is a poll: it waits longer, since there is
	// nothing to do but wait.
	minPollYieldMS = 5_000
	maxPollYieldMS = 300_000
	// maxProcs bounds the sessions kept; starting one more ends the least
	// recently used.
	maxProcs = 64
)

// proc is one exec_command session.
type proc struct {
	id     int
	callID string
	subID  string // the submission whose turn started it: its events carry this id
	// stdin is the write end of the command's input; nil when the runner
	// cannot give it one.
	stdin *os.File
	kill  context.CancelFunc
	// done is closed once the command has ended and its exec_command_end
	// has been emitted; res and err are set before.
	done chan struct{}

	mu     sync.Mutex
	unread *runner.CapBuffer // output the model has not seen yet
	// unreadLines counts the lines of all the unread output (not only
	// of what unread kept).
	unreadLines int
	all         *runner.CapBuffer // all output, for exec_command_end
	watchID     string            // a call waiting on it streams output deltas to this submission
	lastUsed    time.Time
	res         protocol.ExecResult
	err         error
}

// procTable holds a session's running exec_command sessions.
type procTable struct {
	mu    sync.Mutex
	next  int
	procs map[int]*proc
	// quit, once closed, makes a command ending during shutdown skip its
	// events instead of waiting for a reader that may be gone.
	quit     chan struct{}
	quitOnce sync.Once
}

func newProcTable() *procTable {
	return &procTable{next: 1000, procs: map[int]*proc{}, quit: make(chan struct{})}
}

func (t *procTable) get(id int) *proc {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.procs[id]
}

func (t *procTable) remove(id int) {
	t.mu.Lock()
	delete(t.procs, id)
	t.mu.Unlock()
}

// ids lists the live session ids, in order.
func (t *procTable) ids() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Sorted(maps.Keys(t.procs))
}

// add registers p under a new id; over maxProcs it returns the least
// recently used session for the caller to end.
func (t *procTable) add(p *proc) (evict *proc) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	p.id = t.next
	if len(t.procs) >= maxProcs {
		for _, q := range t.procs {
			if evict == nil || q.used().Before(evict.used()) {
				evict = q
			}
		}
		delete(t.procs, evict.id)
	}
	t.procs[p.id] = p
	return evict
}

// closeAll ends every session and waits for each to be gone. With quiet
// set, a reader is not counted on: pending events are dropped.
func (t *procTable) closeAll(quiet bool) {
	if quiet {
		t.quitOnce.Do(func() { close(t.quit) })
	}
	t.mu.Lock()
	all := make([]*proc, 0, len(t.procs))
	for _, p := range t.procs {
		all = append(all, p)
	}
	t.procs = map[int]*proc{}
	t.mu.Unlock()
	for _, p := range all {
		p.kill()
	}
	for _, p := range all {
		<-p.done
	}
}

func (p *proc) used() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastUsed
}

// startProc starts c as a session under sp and returns at once; the
// command's exec_command_begin is emitted before.
func (s *Registry) startProc(id string, cfg Turn, c shellCall, cwd string, sp protocol.SandboxPolicy, parsed []protocol.ParsedCommand) *proc {
	s.emit(id, protocol.ExecCommandBeginMsg{CallID: c.callID, Command: c.argv, Cwd: cwd, ParsedCmd: parsed})
	// No timeout: the model decides, through write_stdin, how long to
	// wait; the session ends with the conversation at the latest.
	req := protocol.ExecRequest{Argv: c.argv, Cwd: cwd, Env: cfg.Env, SandboxPolicy: sp, MaxOutputBytes: runner.DefaultMaxOutputBytes}
	rn := cfg.Runner
	if sp.Mode == protocol.SandboxDangerFullAccess {
		rn = cfg.Unsandboxed
	}
	ctx, kill := context.WithCancel(context.Background())
	p := &proc{callID: c.callID, subID: id, kill: kill, done: make(chan struct{}), lastUsed: time.Now(),
		unread: runner.NewCapBuffer(runner.DefaultMaxOutputBytes), all: runner.NewCapBuffer(runner.DefaultMaxOutputBytes)}
	out := func(stream string, chunk []byte) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.unread.Write(chunk)
		p.unreadLines += bytes.Count(chunk, []byte("\n"))
		p.all.Write(chunk)
		// Under p.mu, so that no delta follows the end of a wait.
		if p.watchID != "" {
			s.emitQuiet(p.watchID, protocol.ExecCommandOutputDeltaMsg{CallID: c.callID, Stream: stream, Chunk: chunk})
		}
	}
	var stdio runner.Stdio
	var far *os.File // the end handed down, closed once the command ended
	var term *os.File
	ir, live := rn.(runner.InputRunner)
	if live && c.tty {
		if near, f, err := runner.OpenTerminal(termRows, termCols); err == nil {
			term, far, p.stdin = near, f, near
			stdio.Terminal = f
		}
	}
	if live && term == nil {
		if r, w, err := os.Pipe(); err == nil {
			far, p.stdin = r, w
			stdio.Stdin = r
		} else {
			live = false
		}
	}
	if evict := s.procs.add(p); evict != nil {
		evict.kill()
	}
	go func() {
		var res protocol.ExecResult
		var err error
		readDone := make(chan struct{})
		if term != nil {
			go func() {
				defer close(readDone)
				readTerminal(term, out)
			}()
		} else {
			close(readDone)
		}
		if live {
			res, err = ir.RunInput(ctx, req, stdio, out)
			_ = far.Close()
		} else {
			res, err = rn.Run(ctx, req, out)
		}
		if term != nil {
			// The command's last output may still be in the terminal:
			// read until its far end is closed everywhere, or a moment
			// more if something the command left behind still holds it.
			_ = term.SetReadDeadline(time.Now().Add(terminalDrain))
			<-readDone
		}
		if errors.Is(err, context.Canceled) {
			// Ended by us (interrupt, eviction or shutdown): a result, not
			// a failure of the runner.
			err = nil
		}
		p.mu.Lock()
		p.res, p.err = res, err
		agg := p.all.String()
		p.mu.Unlock()
		s.emitQuiet(p.subID, endMsg(c.callID, res, err, agg, 0))
		if p.stdin != nil {
			_ = p.stdin.Close()
		}
		close(p.done)
	}()
	return p
}

// The terminal a tty session gets, and how long its output is still read
// after the command ended.
const (
	termRows      = 24
	termCols      = 80
	terminalDrain = 500 * time.Millisecond
)

// readTerminal passes what the command writes to the terminal to out,
// until the terminal reports its far end closed (EIO) or the read
// deadline passes.
func readTerminal(term *os.File, out func(string, []byte)) {
	buf := make([]byte, 32<<10)
	for {
		n, err := term.Read(buf)
		if n > 0 {
			out("stdout", append([]byte(nil), buf[:n]...))
		}
		if err != nil {
			return
		}
	}
}

// endMsg is the exec_command_end of a command that ran; timeoutMS is the
// timeout it had (0: none).
func endMsg(callID string, res protocol.ExecResult, err error, aggregated string, timeoutMS int64) protocol.ExecCommandEndMsg {
	if err != nil {
		msg := err.Error()
		return protocol.ExecCommandEndMsg{CallID: callID, Stderr: msg, AggregatedOutput: msg, ExitCode: 1, FormattedOutput: msg,
			Status: protocol.ExecFailed}
	}
	if res.Error != "" && aggregated == "" {
		aggregated = res.Error + "\n"
	}
	if res.TimedOut {
		aggregated += fmt.Sprintf("command timed out after %d milliseconds\n", timeoutMS)
	}
	status := protocol.ExecCompleted
	if res.ExitCode != 0 || res.TimedOut {
		status = protocol.ExecFailed
	}
	return protocol.ExecCommandEndMsg{CallID: callID, Stdout: res.Stdout, Stderr: res.Stderr, AggregatedOutput: aggregated,
		ExitCode: res.ExitCode, DurationMS: res.DurationMS, FormattedOutput: aggregated, Status: status}
}

// wait waits up to yield for p to end, streaming its output as deltas of
// submission subID meanwhile. It reports whether p has ended; false also
// when ctx ended first.
func (p *proc) wait(ctx context.Context, subID string, yield time.Duration) bool {
	p.mu.Lock()
	p.watchID, p.lastUsed = subID, time.Now()
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.watchID = ""
		p.mu.Unlock()
	}()
	t := time.NewTimer(yield)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// drain returns the output the model has not seen and forgets it.
func (p *proc) drain() output {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := output{text: p.unread.String(), total: p.unread.Total(), lines: p.unreadLines}
	p.unread, p.unreadLines = runner.NewCapBuffer(runner.DefaultMaxOutputBytes), 0
	return out
}

// runningOutput is the model's text for a command still running.
func runningOutput(sessionID int, wall time.Duration, out output, maxTokens, capBytes int) string {
	return fmt.Sprintf("Chunk ID: %06d\nWall time: %.4f seconds\nProcess running with session ID %d\nOriginal token count: %d\nOutput:\n%s",
		rand.IntN(1000000), wall.Seconds(), sessionID, out.tokens(), trimTokens(out, maxTokens, capBytes))
}

// exitedOutput is the model's text for a command that ended.
func exitedOutput(exitCode int, wall time.Duration, out output, maxTokens, capBytes int) string {
	return fmt.Sprintf("Chunk ID: %06d\nWall time: %.4f seconds\nProcess exited with code %d\nOriginal token count: %d\nOutput:\n%s",
		rand.IntN(1000000), wall.Seconds(), exitCode, out.tokens(), trimTokens(out, maxTokens, capBytes))
}

// trimTokens keeps output within maxTokens (default 10000) tokens of
// about four bytes, and within capBytes when set.
func trimTokens(o output, maxTokens, capBytes int) string {
	if maxTokens <= 0 {
		maxTokens = 10000
	}
	limit := maxTokens * 4
	if capBytes > 0 && capBytes < limit {
		limit = capBytes
	}
	out, _ := trimOutput(o, limit)
	return out
}

// clampYield turns a requested yield_time_ms into a duration: def when
// unset, else within [lo, hi].
func clampYield(ms float64, def, lo, hi int) time.Duration {
	v := int(ms)
	if ms <= 0 {
		v = def
	}
	v = max(lo, min(hi, v))
	return time.Duration(v) * time.Millisecond
}

// writeStdinArgs are write_stdin's arguments.
type writeStdinArgs struct {
	SessionID       json.RawMessage `json:"session_id"`
	Chars           string          `json:"chars"`
	YieldTimeMS     float64         `json:"yield_time_ms"`
	MaxOutputTokens float64         `json:"max_output_tokens"`
}

// sessionID reads session_id as a number or a string holding one.
func (a writeStdinArgs) sessionID() (int, error) {
	var n json.Number
	raw := strings.TrimSpace(string(a.SessionID))
	if raw == "" || raw == "null" {
		return 0, errors.New("missing field `session_id`")
	}
	if strings.HasPrefix(raw, `"`) {
		var s string
		if err := json.Unmarshal(a.SessionID, &s); err != nil {
			return 0, err
		}
		n = json.Number(strings.TrimSpace(s))
	} else {
		n = json.Number(raw)
	}
	f, err := n.Float64()
	if err != nil || f != float64(int(f)) {
		return 0, fmt.Errorf("session_id %s is not a session number", raw)
	}
	return int(f), nil
}

// writeStdin writes to a session and collects what it printed since the
// model last looked.
func (s *Registry) writeStdin(ctx context.Context, id string, cfg Turn, a writeStdinArgs) string {
	sid, err := a.sessionID()
	if err != nil {
		return "failed to parse function arguments: " + err.Error()
	}
	p := s.procs.get(sid)
	if p == nil {
		live := s.procs.ids()
		if len(live) == 0 {
			return fmt.Sprintf("write_stdin failed: unknown session id %d (no session is running)", sid)
		}
		names := make([]string, len(live))
		for i, v := range live {
			names[i] = strconv.Itoa(v)
		}
		return fmt.Sprintf("write_stdin failed: unknown session id %d (running sessions: %s)", sid, strings.Join(names, ", "))
	}
	start := time.Now()
	yield := clampYield(a.YieldTimeMS, minPollYieldMS, minPollYieldMS, maxPollYieldMS)
	if a.Chars != "" {
		yield = clampYield(a.YieldTimeMS, defaultWriteYieldMS, minYieldMS, maxYieldMS)
		if p.stdin == nil {
			return fmt.Sprintf("write_stdin failed: session %d has no input (its runner cannot give the command a live stdin)", sid)
		}
		select {
		case <-p.done:
			// Ended already: nothing to write to; report the end below.
		default:
			// Written without asking: the user sees what went in.
			s.emit(id, protocol.TerminalInteractionMsg{CallID: p.callID, ProcessID: strconv.Itoa(sid), Stdin: a.Chars})
			// A command that does not read must not hold the turn.
			_ = p.stdin.SetWriteDeadline(start.Add(yield))
			if _, err := p.stdin.WriteString(a.Chars); err != nil && !errors.Is(err, os.ErrClosed) {
				select {
				case <-p.done:
				default:
					return fmt.Sprintf("write_stdin failed: session %d: %v", sid, err)
				}
			}
		}
	}
	ended := p.wait(ctx, id, yield)
	out := p.drain()
	if !ended {
		return runningOutput(sid, time.Since(start), out, int(a.MaxOutputTokens), cfg.ToolOutputBytes)
	}
	s.procs.remove(sid)
	p.mu.Lock()
	res, rerr := p.res, p.err
	p.mu.Unlock()
	if rerr != nil {
		return fmt.Sprintf("execution error: %v", rerr)
	}
	return exitedOutput(res.ExitCode, time.Since(start), out, int(a.MaxOutputTokens), cfg.ToolOutputBytes)
}
