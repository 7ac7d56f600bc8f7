package mcpserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	agent "github.com/codexgo/codex-agent"
	"github.com/codexgo/codex-agent/mcpserver"
	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/protocol"
)

func noSleep(context.Context, time.Duration) error { return nil }

// factory builds agent sessions against a local model server, the way
// RunMCPServer does from config.toml.
func factory(t *testing.T, srv *modelserver.Server, dir string) mcpserver.NewSessionFunc {
	return func(ctx context.Context, st mcpserver.Settings) (mcpserver.Session, func() error, error) {
		cwd := dir
		if st.Cwd != "" {
			cwd = st.Cwd
		}
		ap := st.ApprovalPolicy
		if ap == "" {
			ap = protocol.ApprovalNever
		}
		mode := st.Sandbox
		if mode == "" {
			mode = protocol.SandboxWorkspaceWrite
		}
		m := "mock-model"
		if st.Model != "" {
			m = st.Model
		}
		sess, err := agent.NewSession(agent.SessionConfig{
			Model:          m,
			Client:         &model.Responses{HTTP: model.HTTP{BaseURL: srv.URL(), Sleep: noSleep}},
			Retry:          model.StreamRetry{Max: 2, Sleep: noSleep},
			Cwd:            cwd,
			ApprovalPolicy: ap,
			Sandbox:        protocol.SandboxPolicy{Mode: mode, NetworkAccess: st.NetworkAccess},
			Tools:          agent.ToolSet{Shell: agent.ShellExecCommand, FreeformPatch: true, Plan: true},
			Instructions:   "base",
			Env:            map[string]string{"PATH": os.Getenv("PATH"), "HOME": dir},
		})
		return sess, nil, err
	}
}

// rawClient speaks newline-delimited JSON-RPC to a server on pipes, so
// tests see exactly what goes over the wire.
type rawClient struct {
	t      *testing.T
	in     *io.PipeWriter
	mu     sync.Mutex
	wait   map[string]chan map[string]any
	notes  chan map[string]any
	reqs   chan map[string]any
	closed chan struct{}
	served chan error
	// progress holds the progress notifications codexEvents saw.
	progress []map[string]any
}

func startRaw(t *testing.T, turns []modelserver.Turn) (*rawClient, *modelserver.Server, string) {
	t.Helper()
	srv, err := modelserver.Start(modelserver.Script{Turns: turns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir := t.TempDir()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &rawClient{t: t, in: inW, wait: map[string]chan map[string]any{}, notes: make(chan map[string]any, 4096),
		reqs: make(chan map[string]any, 16), closed: make(chan struct{}), served: make(chan error, 1)}
	go func() {
		err := mcpserver.Serve(context.Background(), inR, outW, mcpserver.Options{NewSession: factory(t, srv, dir), Version: "9.9.9"})
		_ = outW.Close()
		c.served <- err
	}()
	go func() {
		defer close(c.closed)
		sc := bufio.NewScanner(outR)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("server wrote a line that is not JSON: %s", sc.Bytes())
				continue
			}
			_, hasID := m["id"]
			_, hasMethod := m["method"]
			switch {
			case hasMethod && hasID:
				c.reqs <- m
			case hasMethod:
				c.notes <- m
			default:
				id, _ := json.Marshal(m["id"])
				c.mu.Lock()
				ch := c.wait[string(id)]
				c.mu.Unlock()
				if ch != nil {
					ch <- m
				}
			}
		}
	}()
	t.Cleanup(func() {
		_ = inW.Close()
		<-c.closed
		if err := <-c.served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return c, srv, dir
}

func (c *rawClient) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.in.Write(append(b, '\n')); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// call sends a request and returns a channel for its response.
func (c *rawClient) call(id any, method string, params any) chan map[string]any {
	c.t.Helper()
	key, _ := json.Marshal(id)
	ch := make(chan map[string]any, 1)
	c.mu.Lock()
	c.wait[string(key)] = ch
	c.mu.Unlock()
	c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	return ch
}

func (c *rawClient) await(ch chan map[string]any) map[string]any {
	c.t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(30 * time.Second):
		c.t.Fatal("no response within 30s")
	}
	return nil
}

func (c *rawClient) initialize(capabilities map[string]any) map[string]any {
	c.t.Helper()
	res := c.await(c.call(0, "initialize", map[string]any{"protocolVersion": "2025-06-18",
		"capabilities": capabilities, "clientInfo": map[string]any{"name": "raw-test", "version": "1"}}))
	c.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	return res
}

// nextRequest waits for a server→client request (elicitation).
func (c *rawClient) nextRequest() map[string]any {
	c.t.Helper()
	select {
	case m := <-c.reqs:
		return m
	case <-time.After(30 * time.Second):
		c.t.Fatal("no request from the server within 30s")
	}
	return nil
}

// codexEvents drains the codex/event notifications received so far.
func (c *rawClient) codexEvents() []map[string]any {
	var out []map[string]any
	for {
		select {
		case n := <-c.notes:
			switch n["method"] {
			case "codex/event":
				out = append(out, n["params"].(map[string]any))
			case "notifications/progress":
				c.progress = append(c.progress, n["params"].(map[string]any))
			}
		default:
			return out
		}
	}
}

// waitEvent reads notifications until a codex/event of type typ.
func (c *rawClient) waitEvent(typ string) map[string]any {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case n := <-c.notes:
			if n["method"] != "codex/event" {
				continue
			}
			p := n["params"].(map[string]any)
			if p["msg"].(map[string]any)["type"] == typ {
				return p
			}
		case <-timeout:
			c.t.Fatalf("no codex/event %s within 30s", typ)
		}
	}
}

func execCall(id, cmd string) json.RawMessage {
	return modelserver.FunctionCall(id, "exec_command", map[string]any{"cmd": cmd})
}

func turnOf(items ...json.RawMessage) modelserver.Turn { return modelserver.Turn{Items: items} }

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

var _ = filepath.Join
