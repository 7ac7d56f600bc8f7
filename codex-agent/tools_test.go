package agent

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codexgo/codex-agent/modelserver"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
)

func TestShellEnv(t *testing.T) {
	environ := []string{"PATH=/bin", "HOME=/h", "OPENAI_API_KEY=sk", "MY_TOKEN=t", "AWS_SECRET=s", "FOO=1", "FOOBAR=2", "LANG=C"}
	tests := []struct {
		name string
		p    config.ShellEnvironmentPolicy
		want map[string]string
	}{
		{"all drops secrets", config.ShellEnvironmentPolicy{Inherit: "all"},
			map[string]string{"PATH": "/bin", "HOME": "/h", "FOO": "1", "FOOBAR": "2", "LANG": "C"}},
		{"ignore default excludes", config.ShellEnvironmentPolicy{Inherit: "all", IgnoreDefaultExcludes: true, Exclude: []string{"foo*"}},
			map[string]string{"PATH": "/bin", "HOME": "/h", "OPENAI_API_KEY": "sk", "MY_TOKEN": "t", "AWS_SECRET": "s", "LANG": "C"}},
		{"core", config.ShellEnvironmentPolicy{Inherit: "core"}, map[string]string{"PATH": "/bin", "HOME": "/h", "LANG": "C"}},
		{"none with set", config.ShellEnvironmentPolicy{Inherit: "none", Set: map[string]string{"CI": "1"}}, map[string]string{"CI": "1"}},
		{"include only", config.ShellEnvironmentPolicy{Inherit: "all", IncludeOnly: []string{"path", "FOO"}}, map[string]string{"PATH": "/bin", "FOO": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ShellEnv(tt.p, environ); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDirectRunnerTimeoutKillsTree(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	res, err := DirectRunner{}.Run(context.Background(), protocol.ExecRequest{
		// The pid must be written before the timeout: 3 s leaves a loaded
		// machine room to start the shell (200 ms did not).
		Argv: []string{"sh", "-c", "sleep 30 & echo $! > " + pidFile + "; wait"}, Cwd: dir, TimeoutMS: 3000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.ExitCode != 124 {
		t.Errorf("result = %+v", res)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Sscan(string(b), &pid); err != nil {
		t.Fatal(err)
	}
	// The grandchild was killed with the group: wait for its exit through a
	// pidfd (readable once the process has exited), not by sleeping.
	if !exitsWithin(t, pid, 5000) {
		t.Errorf("sleep %d still running after the timeout kill", pid)
	}
	res, err = DirectRunner{}.Run(context.Background(), protocol.ExecRequest{Argv: []string{"/nonexistent/prog"}}, nil)
	if err != nil || res.ExitCode != 127 || res.Error == "" {
		t.Errorf("missing program: %+v %v", res, err)
	}
}

// External policy and sandbox programs are played by this test binary
// (see TestMain): fake-policy answers a verdict, fake-sandbox runs the
// command directly and answers an ExecResult.
func fakeTool(name string, stdin io.Reader, stdout io.Writer) int {
	switch name {
	case "fake-policy":
		var req protocol.PolicyRequest
		if err := json.NewDecoder(stdin).Decode(&req); err != nil {
			return 2
		}
		v := protocol.PolicyVerdict{Decision: protocol.DecisionAllow}
		if strings.Contains(strings.Join(req.Argv, " "), "forbidden") {
			v = protocol.PolicyVerdict{Decision: protocol.DecisionForbidden, Reason: "fake policy says no"}
		}
		_ = json.NewEncoder(stdout).Encode(v)
		return 0
	case "fake-sandbox":
		var req protocol.ExecRequest
		if err := json.NewDecoder(stdin).Decode(&req); err != nil {
			return 2
		}
		res, err := DirectRunner{}.Run(context.Background(), req, nil)
		if err != nil {
			return 1
		}
		res.Stdout = "[fake-sandbox " + string(req.SandboxPolicy.Mode) + "] " + res.Stdout
		res.Sandbox = &protocol.SandboxReport{Mechanism: "fake"}
		_ = json.NewEncoder(stdout).Encode(res)
		return 0
	}
	return -1
}

func TestExternalPolicyAndSandboxCommands(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, n := range []string{"fake-policy", "fake-sandbox"} {
		if err := os.Symlink(self, filepath.Join(bin, n)); err != nil {
			t.Fatal(err)
		}
	}
	fx := newExecFixture(t,
		modelserver.Turn{Items: []json.RawMessage{
			modelserver.FunctionCall("c1", "exec_command", map[string]any{"cmd": "echo allowed"}),
			modelserver.FunctionCall("c2", "exec_command", map[string]any{"cmd": "echo forbidden"}),
		}},
		modelserver.Turn{Items: []json.RawMessage{modelserver.Message("ok")}})
	r := fx.run(append(fx.providerArgs(), "--json", "-s", "workspace-write",
		"--execpolicy-cmd", filepath.Join(bin, "fake-policy"), "--sandbox-cmd", filepath.Join(bin, "fake-sandbox"), "go")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		`"command":"/bin/bash -lc 'echo allowed'","aggregated_output":"[fake-sandbox workspace-write] allowed\n","exit_code":0,"status":"completed"`,
		`"command":"/bin/bash -lc 'echo forbidden'","aggregated_output":"execution forbidden by policy: fake policy says no","exit_code":null,"status":"declined"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %s:\n%s", want, r.stdout)
		}
	}
}

func TestOSSProbe(t *testing.T) {
	srv, err := modelserver.Start(modelserver.Script{Turns: []modelserver.Turn{{Items: []json.RawMessage{modelserver.Message("oss ok")}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	fx := newExecFixture(t)
	fx.env["CODEX_OSS_BASE_URL"] = srv.URL()
	r := fx.run("--oss", "--json", "hi")
	if r.code != 0 || !strings.Contains(r.stdout, `"text":"oss ok"`) {
		t.Fatalf("exit %d stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	req := srv.Requests()[0]
	var body struct {
		Model string `json:"model"`
		Tools []struct {
			Type, Name string
		} `json:"tools"`
	}
	if err := req.JSON(&body); err != nil {
		t.Fatal(err)
	}
	if body.Model != "gpt-oss:20b" || req.Header.Get("Authorization") != "" || body.Tools[0].Name != "shell" {
		t.Errorf("oss request: model %q auth %q tools %+v", body.Model, req.Header.Get("Authorization"), body.Tools)
	}
	fx.env["CODEX_OSS_BASE_URL"] = "http://127.0.0.1:1/v1"
	r = fx.run("--oss", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, "no running OSS server detected") {
		t.Errorf("no server: exit %d stderr %q", r.code, r.stderr)
	}
}

// exitsWithin waits up to ms milliseconds for pid to exit, using a pidfd
// and epoll. A pid that is already gone counts as exited.
func exitsWithin(t *testing.T, pid, ms int) bool {
	t.Helper()
	const sysPidfdOpen = 434 // the same number on every Linux architecture
	fd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno == syscall.ESRCH {
		return true
	}
	if errno != 0 {
		t.Fatalf("pidfd_open: %v", errno)
	}
	defer func() { _ = syscall.Close(int(fd)) }()
	ep, err := syscall.EpollCreate1(0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Close(ep) }()
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, int(fd), &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}); err != nil {
		t.Fatal(err)
	}
	events := make([]syscall.EpollEvent, 1)
	for {
		n, err := syscall.EpollWait(ep, events, ms)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
}

func TestOSSPullsMissingModel(t *testing.T) {
	srv, err := modelserver.Start(modelserver.Script{Turns: []modelserver.Turn{{Items: []json.RawMessage{modelserver.Message("pulled")}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	fx := newExecFixture(t)
	fx.env["CODEX_OSS_BASE_URL"] = srv.URL()
	r := fx.run("--oss", "-m", "qwen-new:7b", "--json", "hi")
	if r.code != 0 || !strings.Contains(r.stderr, "Pulling model qwen-new:7b...") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Path != "/api/pull" || !strings.Contains(string(reqs[0].Body), `"model":"qwen-new:7b"`) || reqs[1].Path != "/v1/responses" {
		t.Errorf("requests: %+v", reqs)
	}
}

func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(b) + ".sig"
}

func TestExecChatGPTAuth(t *testing.T) {
	fx := newExecFixture(t, modelserver.Turn{Items: []json.RawMessage{modelserver.Message("hello from the backend")}})
	exp := time.Now().Add(time.Hour).Unix()
	access := jwt(t, map[string]any{"exp": exp, "https://api.openai.com/auth": map[string]any{"chatgpt_account_id": "acct-1"}})
	id := jwt(t, map[string]any{"exp": exp, "email": "u@example.com", "https://api.openai.com/auth": map[string]any{"chatgpt_account_id": "acct-1", "chatgpt_plan_type": "plus"}})
	auth := map[string]any{"auth_mode": "chatgpt", "OPENAI_API_KEY": nil, "tokens": map[string]any{
		"id_token": id, "access_token": access, "refresh_token": "rt", "account_id": "acct-1"}, "last_refresh": time.Now().UTC().Format(time.RFC3339)}
	b, _ := json.Marshal(auth)
	if err := os.WriteFile(filepath.Join(fx.home, "auth.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSuffix(fx.srv.URL(), "/v1")
	r := fx.run("--json", "-c", "chatgpt_base_url="+base+"/backend-api", "hi")
	if r.code != 0 || !strings.Contains(r.stdout, "hello from the backend") {
		t.Fatalf("exit %d stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	req := fx.srv.Requests()[0]
	if req.Path != "/backend-api/codex/responses" || req.Header.Get("Authorization") != "Bearer "+access || req.Header.Get("Chatgpt-Account-Id") != "acct-1" {
		t.Errorf("path %s auth %q account %q", req.Path, req.Header.Get("Authorization"), req.Header.Get("Chatgpt-Account-Id"))
	}
}
