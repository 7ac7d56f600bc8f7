package mcpmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/codexgo/codex-mcp-client/internal/servertest"
	"github.com/codexgo/codex-mcp-client/mcpconfig"
	"github.com/codexgo/codex-mcp-client/mcpconn"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func f64(v float64) *float64 { return &v }
func boolp(v bool) *bool     { return &v }

func TestManager(t *testing.T) {
	ev := servertest.Everything(t)
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/a.txt", []byte("alpha"), 0o600); err != nil {
		t.Fatal(err)
	}
	servers := map[string]mcpconfig.Server{
		"everything": {Command: ev},
		"impatient":  {Command: ev, ToolTimeoutSec: f64(0.5), EnabledTools: []string{"trigger-long-running-operation"}},
		"fs": {Command: servertest.Filesystem(t), Args: []string{dir},
			EnabledTools: []string{"read_text_file", "list_directory"}, DisabledTools: []string{"list_directory"}},
		"web":      {URL: servertest.EverythingHTTP(t), EnabledTools: []string{"echo"}},
		"broken":   {Command: "sh", Args: []string{"-c", "echo cannot start >&2; exit 7"}},
		"slow":     {Command: "sleep", Args: []string{"30"}, StartupTimeoutSec: f64(0.3)},
		"off":      {Command: "/nonexistent", Enabled: boolp(false)},
		"bad name": {Command: ev},
	}
	var mu sync.Mutex
	reported := map[string]int{}
	progress := make(chan struct{}, 100)
	var stderr bytes.Buffer // read only after Close: every copier is done then
	m := Start(context.Background(), servers, Options{
		Conn: mcpconn.Options{Getenv: os.Getenv, Stderr: &stderr, Client: &mcp.ClientOptions{
			ProgressNotificationHandler: func(context.Context, *mcp.ProgressNotificationClientRequest) {
				progress <- struct{}{}
			}}},
		OnStartupFailure: func(name string, err error) {
			mu.Lock()
			reported[name]++
			mu.Unlock()
		},
	})
	defer func() { _ = m.Close() }()

	if got, want := strings.Join(m.Servers(), ","), "everything,fs,impatient,web"; got != want {
		t.Errorf("running servers: got %s, want %s", got, want)
	}
	failMsgs := map[string]string{"broken": "exit status 7", "slow": "startup timed out after 300ms", "bad name": "invalid server name"}
	for _, f := range m.Failures() {
		if !strings.Contains(f.Err.Error(), failMsgs[f.Server]) {
			t.Errorf("failure of %s: %v, want it to mention %q", f.Server, f.Err, failMsgs[f.Server])
		}
	}
	if len(m.Failures()) != 3 || reported["broken"] != 1 || reported["slow"] != 1 || reported["bad name"] != 1 || reported["off"] != 0 {
		t.Errorf("failures %v reported %v; want broken, slow and bad name once each", m.Failures(), reported)
	}
	if !strings.Contains(m.Instructions("everything"), "Everything Server") {
		t.Errorf("instructions not kept: %.80q", m.Instructions("everything"))
	}

	t.Run("tools", func(t *testing.T) {
		byName := map[string]Tool{}
		for _, tl := range m.Tools() {
			byName[tl.QualifiedName] = tl
		}
		for _, q := range []string{"mcp__everything__echo", "mcp__everything__get-sum", "mcp__fs__read_text_file", "mcp__web__echo"} {
			if _, ok := byName[q]; !ok {
				t.Errorf("tool %s missing", q)
			}
		}
		for _, q := range []string{"mcp__fs__list_directory", "mcp__fs__write_file", "mcp__web__get-sum"} {
			if _, ok := byName[q]; ok {
				t.Errorf("filtered tool %s offered", q)
			}
		}
		tl, ok := m.LookupNamespaced("mcp__everything", "get_sum")
		if !ok || tl.Name != "get-sum" || tl.Tool.InputSchema == nil {
			t.Errorf("LookupNamespaced: %+v %v", tl, ok)
		}
	})

	ctx := context.Background()
	t.Run("results", func(t *testing.T) {
		tests := []struct {
			qualified string
			args      string
			check     func(*mcp.CallToolResult) bool
		}{
			{"mcp__everything__echo", `{"message":"hi"}`, func(r *mcp.CallToolResult) bool {
				tc, ok := r.Content[0].(*mcp.TextContent)
				return ok && tc.Text == "Echo: hi" && !r.IsError
			}},
			{"mcp__everything__get-tiny-image", ``, func(r *mcp.CallToolResult) bool {
				for _, c := range r.Content {
					if ic, ok := c.(*mcp.ImageContent); ok && ic.MIMEType == "image/png" && len(ic.Data) > 0 {
						return true
					}
				}
				return false
			}},
			{"mcp__everything__get-structured-content", `{"location":"Chicago"}`, func(r *mcp.CallToolResult) bool {
				sc, ok := r.StructuredContent.(map[string]any)
				return ok && sc["temperature"] != nil
			}},
			{"mcp__everything__get-sum", `{"a":1}`, func(r *mcp.CallToolResult) bool { return r.IsError }},
			{"mcp__fs__read_text_file", `{"path":"` + dir + `/a.txt"}`, func(r *mcp.CallToolResult) bool {
				tc, ok := r.Content[0].(*mcp.TextContent)
				return ok && tc.Text == "alpha"
			}},
			{"mcp__web__echo", `{"message":"web"}`, func(r *mcp.CallToolResult) bool {
				tc, ok := r.Content[0].(*mcp.TextContent)
				return ok && tc.Text == "Echo: web"
			}},
		}
		for _, tt := range tests {
			_, res, err := m.CallQualified(ctx, tt.qualified, json.RawMessage(tt.args))
			if err != nil {
				t.Errorf("%s: %v", tt.qualified, err)
				continue
			}
			if !tt.check(res) {
				b, _ := json.Marshal(res)
				t.Errorf("%s: unexpected result %.300s", tt.qualified, b)
			}
		}
		if _, _, err := m.CallQualified(ctx, "mcp__everything__echo", json.RawMessage(`[1]`)); err == nil {
			t.Error("array arguments accepted")
		}
		if _, err := m.Call(ctx, "fs", "list_directory", nil); err == nil || !strings.Contains(err.Error(), "disabled") {
			t.Errorf("disabled tool: %v", err)
		}
		if _, err := m.Call(ctx, "broken", "x", nil); err == nil {
			t.Error("call to a failed server succeeded")
		}
	})

	t.Run("tool timeout", func(t *testing.T) {
		_, err := m.Call(ctx, "impatient", "trigger-long-running-operation", map[string]any{"duration": 20, "steps": 20})
		if err == nil || !strings.Contains(err.Error(), "timed out after 500ms") {
			t.Fatalf("got %v, want a timeout", err)
		}
	})

	t.Run("killed mid-call, restarted on next call", func(t *testing.T) {
		pid := m.Pid("everything")
		if pid == 0 {
			t.Fatal("no pid")
		}
		errc := make(chan error, 1)
		go func() {
			_, err := m.CallMeta(ctx, "everything", "trigger-long-running-operation",
				map[string]any{"duration": 40, "steps": 400}, mcp.Meta{"progressToken": "p1"})
			errc <- err
		}()
		<-progress // the call is running on the server
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := <-errc
		if err == nil || !strings.Contains(err.Error(), "stopped during the call") || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("got %v, want a clear 'stopped during the call' error", err)
		}
		res, err := m.Call(ctx, "everything", "echo", map[string]any{"message": "again"})
		if err != nil || res.Content[0].(*mcp.TextContent).Text != "Echo: again" {
			t.Fatalf("call after restart: %v", err)
		}
		if np := m.Pid("everything"); np == 0 || np == pid {
			t.Errorf("pid after restart: %d (before %d)", np, pid)
		}
		if servertest.Alive(pid) {
			t.Errorf("killed server %d not reaped", pid)
		}
		if _, ok := m.Lookup("mcp__everything__echo"); !ok {
			t.Error("tools lost after restart")
		}
	})

	t.Run("close reaps", func(t *testing.T) {
		pids := []int{m.Pid("everything"), m.Pid("fs")}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		for _, p := range pids {
			if p == 0 || servertest.Alive(p) {
				t.Errorf("server pid %d alive after Close", p)
			}
		}
		if _, err := m.Call(ctx, "everything", "echo", nil); err == nil {
			t.Error("call after Close succeeded")
		}
		for _, want := range []string{"[everything] Starting default (STDIO) server...", "[broken] cannot start"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("server stderr lacks %q:\n%s", want, stderr.String())
			}
		}
	})
}
