package appserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/codexgo/common/protocol"
)

// CommandStarter runs command/exec under a sandbox policy: the agent's
// own runner (codex-sandbox's supervisor, the sandbox and process-tree
// control of the agent's commands). Run returns when the command has
// ended; cancelling ctx ends its whole process tree.
type CommandStarter interface {
	// Run runs req, streaming its output to out. stdin, if not nil, is
	// the read end of a pipe handed down as the command's input;
	// terminal, if not nil, a pseudo-terminal's far end handed down as
	// its stdin, stdout and stderr (its output then comes through the
	// terminal, not out).
	Run(ctx context.Context, req protocol.ExecRequest, stdin, terminal *os.File, out func(stream string, chunk []byte)) (protocol.ExecResult, error)
	// OpenTerminal opens a pseudo-terminal of rows x cols.
	OpenTerminal(rows, cols uint16) (near, far *os.File, err error)
	// Resize sets a terminal's size (near end).
	Resize(near *os.File, rows, cols uint16) error
	// DefaultPolicy is the sandbox policy config.toml gives commands in
	// cwd (sandbox_mode and sandbox_workspace_write).
	DefaultPolicy(cwd string) (protocol.SandboxPolicy, error)
}

// defaultOutputCap is command/exec's per-stream output cap.
const defaultOutputCap = 1 << 20

// defaultExecTimeoutMS bounds a command/exec without disableTimeout.
const defaultExecTimeoutMS = 10 * 60 * 1000

type proc struct {
	cancel context.CancelFunc
	stdin  io.WriteCloser
	// term is the near end of a tty command's terminal.
	term *os.File
	mu   sync.Mutex
}

// procTable holds the running command/exec processes by processId.
type procTable struct {
	mu   sync.Mutex
	m    map[string]*proc
	next int
}

func newProcTable() *procTable { return &procTable{m: map[string]*proc{}} }

func (t *procTable) killAll() {
	t.mu.Lock()
	ps := make([]*proc, 0, len(t.m))
	for _, p := range t.m {
		ps = append(ps, p)
	}
	t.mu.Unlock()
	for _, p := range ps {
		p.cancel()
	}
}

func (t *procTable) get(id string) *proc {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[id]
}

// capWriter keeps up to max bytes and streams each chunk.
type capWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	max     int
	reached bool
	stream  func(chunk []byte, capReached bool)
}

func (w *capWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(b)
	if w.max > 0 {
		room := w.max - w.buf.Len()
		if room <= 0 {
			w.reached = true
			return n, nil
		}
		if len(b) > room {
			b = b[:room]
			w.reached = true
		}
	}
	if w.stream != nil {
		w.stream(b, w.reached)
		return n, nil
	}
	w.buf.Write(b)
	return n, nil
}

func (s *server) commandExec(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Command          []string           `json:"command"`
		Cwd              *string            `json:"cwd"`
		Env              map[string]*string `json:"env"`
		ProcessID        *string            `json:"processId"`
		SandboxPolicy    json.RawMessage    `json:"sandboxPolicy"`
		TimeoutMs        *int64             `json:"timeoutMs"`
		DisableTimeout   bool               `json:"disableTimeout"`
		OutputBytesCap   *int               `json:"outputBytesCap"`
		DisableOutputCap bool               `json:"disableOutputCap"`
		StreamStdin      bool               `json:"streamStdin"`
		StreamOutput     bool               `json:"streamStdoutStderr"`
		Tty              bool               `json:"tty"`
		Size             json.RawMessage    `json:"size"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if len(p.Command) == 0 || p.Command[0] == "" {
		return nil, invalidParams("command must not be empty")
	}
	if (p.StreamStdin || p.StreamOutput) && (p.ProcessID == nil || *p.ProcessID == "") {
		return nil, invalidParams("processId is required with streamStdin or streamStdoutStderr")
	}
	if p.DisableTimeout && p.TimeoutMs != nil {
		return nil, invalidParams("timeoutMs and disableTimeout cannot be combined")
	}
	if p.DisableOutputCap && p.OutputBytesCap != nil {
		return nil, invalidParams("outputBytesCap and disableOutputCap cannot be combined")
	}
	cwd := ""
	if p.Cwd != nil && *p.Cwd != "" {
		if !filepath.IsAbs(*p.Cwd) {
			return nil, invalidParams("cwd must be an absolute path")
		}
		cwd = *p.Cwd
	}
	if s.o.Sandboxed == nil {
		return nil, invalidRequest("command/exec is not available in this build")
	}
	if cwd == "" {
		cwd = s.o.Getenv("PWD")
	}
	sp, err := sandboxIn(p.SandboxPolicy)
	if err != nil {
		return nil, err
	}
	if sp == nil {
		d, err := s.o.Sandboxed.DefaultPolicy(cwd)
		if err != nil {
			return nil, invalidRequest("%v", err)
		}
		sp = &d
	}
	req := protocol.ExecRequest{Argv: p.Command, Cwd: cwd, SandboxPolicy: *sp}
	if p.Env != nil {
		env := map[string]string{}
		for _, kv := range s.o.Environ {
			if k, v, ok := cutEnv(kv); ok {
				env[k] = v
			}
		}
		keys := make([]string, 0, len(p.Env))
		for k := range p.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p.Env[k] == nil {
				delete(env, k)
			} else {
				env[k] = *p.Env[k]
			}
		}
		req.Env = env
	}
	switch {
	case p.DisableTimeout:
	case p.TimeoutMs != nil:
		if *p.TimeoutMs <= 0 {
			return nil, invalidParams("timeoutMs must be positive")
		}
		req.TimeoutMS = *p.TimeoutMs
	default:
		req.TimeoutMS = defaultExecTimeoutMS
	}
	limit := defaultOutputCap
	if p.DisableOutputCap {
		limit = 0
	} else if p.OutputBytesCap != nil {
		limit = *p.OutputBytesCap
	}
	id := ""
	if p.ProcessID != nil {
		id = *p.ProcessID
	}
	rows, cols := uint16(24), uint16(80)
	if len(p.Size) > 0 && string(p.Size) != "null" {
		if !p.Tty {
			return nil, invalidParams("size needs tty")
		}
		var sz struct {
			Rows, Cols int
		}
		if err := json.Unmarshal(p.Size, &sz); err != nil || sz.Rows <= 0 || sz.Cols <= 0 || sz.Rows > 65535 || sz.Cols > 65535 {
			return nil, invalidParams("size: rows and cols must be positive")
		}
		rows, cols = uint16(sz.Rows), uint16(sz.Cols)
	}
	req.MaxOutputBytes = limit
	if limit == 0 {
		req.MaxOutputBytes = 1 << 40
	}
	stream := func(name string) func([]byte, bool) {
		if !p.StreamOutput {
			return nil
		}
		return func(chunk []byte, capReached bool) {
			s.c.notify("command/exec/outputDelta", map[string]any{"processId": id, "stream": name,
				"deltaBase64": base64.StdEncoding.EncodeToString(chunk), "capReached": capReached})
		}
	}
	stdout := &capWriter{max: limit, stream: stream("stdout")}
	stderr := &capWriter{max: limit, stream: stream("stderr")}
	out := func(name string, chunk []byte) {
		if name == "stderr" {
			_, _ = stderr.Write(chunk)
		} else {
			_, _ = stdout.Write(chunk)
		}
	}
	cctx, cancel := context.WithCancel(s.ctx)
	pr := &proc{cancel: cancel}
	var stdinR, far *os.File
	switch {
	case p.Tty:
		near, f, err := s.o.Sandboxed.OpenTerminal(rows, cols)
		if err != nil {
			cancel()
			return nil, invalidRequest("command/exec: %v", err)
		}
		pr.term, far = near, f
		if p.StreamStdin {
			pr.stdin = near
		}
	case p.StreamStdin:
		r, w, err := os.Pipe()
		if err != nil {
			cancel()
			return nil, err
		}
		stdinR, pr.stdin = r, w
	}
	closeAll := func() {
		for _, f := range []*os.File{stdinR, far, pr.term} {
			if f != nil {
				_ = f.Close()
			}
		}
		if pr.stdin != nil {
			_ = pr.stdin.Close()
		}
	}
	key := id
	s.procs.mu.Lock()
	if key == "" {
		s.procs.next++
		key = "anonymous-" + strconv.Itoa(s.procs.next)
	}
	if _, dup := s.procs.m[key]; dup {
		s.procs.mu.Unlock()
		cancel()
		closeAll()
		return nil, invalidRequest("processId %s is already running", id)
	}
	s.procs.m[key] = pr
	s.procs.mu.Unlock()
	unregister := func() {
		s.procs.mu.Lock()
		delete(s.procs.m, key)
		s.procs.mu.Unlock()
	}
	type result struct {
		res protocol.ExecResult
		err error
	}
	done := make(chan result, 1)
	readDone := make(chan struct{})
	if pr.term != nil {
		go func() {
			defer close(readDone)
			buf := make([]byte, 32<<10)
			for {
				n, err := pr.term.Read(buf)
				if n > 0 {
					out("stdout", append([]byte(nil), buf[:n]...))
				}
				if err != nil {
					return
				}
			}
		}()
	} else {
		close(readDone)
	}
	go func() {
		res, err := s.o.Sandboxed.Run(cctx, req, stdinR, far, out)
		done <- result{res, err}
	}()
	return later(func() (any, error) {
		defer cancel()
		defer unregister()
		r := <-done
		if stdinR != nil {
			_ = stdinR.Close()
		}
		if far != nil {
			_ = far.Close()
			// What the command wrote last may still be in the terminal.
			_ = pr.term.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		}
		<-readDone
		pr.mu.Lock()
		closeAll()
		pr.mu.Unlock()
		if r.err != nil && !errors.Is(r.err, context.Canceled) {
			return nil, fmt.Errorf("command/exec: %w", r.err)
		}
		code := r.res.ExitCode
		if r.res.Signal != 0 {
			code = 128 + r.res.Signal
		}
		if r.res.Error != "" && code == 0 {
			code = 125
		}
		return map[string]any{"exitCode": code, "stdout": stdout.buf.String(), "stderr": stderr.buf.String()}, nil
	}), nil
}

func cutEnv(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' && i > 0 {
			return kv[:i], kv[i+1:], true
		}
	}
	return "", "", false
}

func (s *server) commandExecWrite(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ProcessID   string  `json:"processId"`
		DeltaBase64 *string `json:"deltaBase64"`
		CloseStdin  bool    `json:"closeStdin"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	pr := s.procs.get(p.ProcessID)
	if pr == nil {
		return nil, invalidRequest("no running process %q", p.ProcessID)
	}
	if pr.stdin == nil {
		return nil, invalidRequest("process %q was not started with streamStdin", p.ProcessID)
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if p.DeltaBase64 != nil {
		b, err := base64.StdEncoding.DecodeString(*p.DeltaBase64)
		if err != nil {
			return nil, invalidParams("deltaBase64: %v", err)
		}
		if _, err := pr.stdin.Write(b); err != nil {
			return nil, invalidRequest("write stdin: %v", err)
		}
	}
	if p.CloseStdin {
		_ = pr.stdin.Close()
	}
	return map[string]any{}, nil
}

func (s *server) commandExecTerminate(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ProcessID string `json:"processId"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	pr := s.procs.get(p.ProcessID)
	if pr == nil {
		return nil, invalidRequest("no running process %q", p.ProcessID)
	}
	pr.cancel()
	return map[string]any{}, nil
}

func (s *server) commandExecResize(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ProcessID string `json:"processId"`
		Size      *struct {
			Rows, Cols int
		} `json:"size"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.Size == nil || p.Size.Rows <= 0 || p.Size.Cols <= 0 || p.Size.Rows > 65535 || p.Size.Cols > 65535 {
		return nil, invalidParams("size: rows and cols must be positive")
	}
	pr := s.procs.get(p.ProcessID)
	if pr == nil {
		return nil, invalidRequest("no running process %q", p.ProcessID)
	}
	if pr.term == nil {
		return nil, invalidRequest("process %q has no terminal (start it with tty)", p.ProcessID)
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if err := s.o.Sandboxed.Resize(pr.term, uint16(p.Size.Rows), uint16(p.Size.Cols)); err != nil {
		return nil, invalidRequest("resize: %v", err)
	}
	return map[string]any{}, nil
}
