package appserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"

	"github.com/codexgo/common/protocol"
)

// CommandStarter builds the command for command/exec under a sandbox
// policy: codex-sandbox's Command (the same sandbox as the agent's
// commands). The returned command must end its whole process tree when
// its context is cancelled.
type CommandStarter interface {
	Command(ctx context.Context, req protocol.ExecRequest) (*exec.Cmd, error)
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
	mu     sync.Mutex
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
	if p.Tty {
		return nil, invalidParams("tty is not supported by this server")
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
	cctx, cancel := context.WithCancel(ctx)
	cmd, err := s.o.Sandboxed.Command(cctx, req)
	if err != nil {
		cancel()
		return nil, invalidRequest("command/exec: %v", err)
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
	cmd.Stdout, cmd.Stderr = stdout, stderr
	pr := &proc{cancel: cancel}
	if p.StreamStdin {
		cmd.Stdin = nil
		w, err := cmd.StdinPipe()
		if err != nil {
			cancel()
			return nil, err
		}
		pr.stdin = w
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
		return nil, invalidRequest("processId %s is already running", id)
	}
	s.procs.m[key] = pr
	s.procs.mu.Unlock()
	unregister := func() {
		s.procs.mu.Lock()
		delete(s.procs.m, key)
		s.procs.mu.Unlock()
	}
	if err := cmd.Start(); err != nil {
		unregister()
		cancel()
		return nil, invalidRequest("command/exec: start: %v", err)
	}
	return later(func() (any, error) {
		defer cancel()
		defer unregister()
		err := cmd.Wait()
		code := 0
		if err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				return nil, fmt.Errorf("command/exec: %w", err)
			}
			code = ee.ExitCode()
			if st, ok := ee.Sys().(syscall.WaitStatus); ok && st.Signaled() {
				code = 128 + int(st.Signal())
			}
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
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if s.procs.get(p.ProcessID) == nil {
		return nil, invalidRequest("no running process %q", p.ProcessID)
	}
	return nil, invalidRequest("process %q has no terminal (tty is not supported)", p.ProcessID)
}
