//go:build linux

package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/codexgo/common/protocol"
)

func TestExitCodes(t *testing.T) {
	ws, _ := workspace(t)
	notExec := filepath.Join(ws, "notexec")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"own status", []string{"--", "sh", "-c", "exit 7"}, 7},
		{"success", []string{"--sandbox", "workspace-write", "--", "true"}, 0},
		{"signal", []string{"--", "sh", "-c", "kill -SEGV $$"}, 139},
		{"timeout", []string{"--timeout", "100ms", "--", "sleep", "30"}, ExitTimeout},
		{"not found", []string{"--", "no-such-command-xyz"}, ExitNotFound},
		{"not executable", []string{"--", notExec}, ExitNotExecutable},
		{"danger not found", []string{"--sandbox", "danger-full-access", "--", "no-such-command-xyz"}, ExitNotFound},
		{"unknown flag", []string{"--bogus", "--", "true"}, ExitUsage},
		{"bad mode", []string{"--sandbox", "sideways", "--", "true"}, ExitUsage},
		{"no command", []string{"--sandbox", "read-only"}, ExitUsage},
		{"missing cd", []string{"--cd", "/no/such/dir", "--", "true"}, ExitUsage},
		{"help", []string{"--help"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cs(t, "", append([]string{"--cd", ws}, tc.args...)...)
			if tc.name == "missing cd" {
				r = cs(t, "", tc.args...)
			}
			if r.code != tc.want {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, tc.want, r.stderr)
			}
			if tc.want == ExitUsage && strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("usage error is not one line: %q", r.stderr)
			}
		})
	}
}

func TestPolicyFlags(t *testing.T) {
	ws, out := workspace(t)
	extra := filepath.Join(filepath.Dir(ws), "extra")
	if err := os.Mkdir(extra, 0o777); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	wsw := []string{"--cd", ws, "--sandbox", "workspace-write"}
	// The temp dirs live under /tmp, a default root; leave it out to test
	// the limits (the extension flag takes the Codex policy JSON).
	noTmp := []string{"--cd", ws, "--sandbox-policy", `{"mode":"workspace-write","exclude_slash_tmp":true}`}
	tests := []struct {
		name  string
		flags []string
		probe []string
		want  string
	}{
		{"read-only write cwd", []string{"--cd", ws}, []string{"write", filepath.Join(ws, "a")}, "err"},
		{"workspace-write cwd", wsw, []string{"write", filepath.Join(ws, "a")}, "ok"},
		{"workspace-write /tmp", wsw, []string{"write", filepath.Join(os.TempDir(), fmt.Sprintf("csbx-%d", os.Getpid()))}, "ok"},
		{"workspace-write outside", noTmp, []string{"write", filepath.Join(out, "a")}, "err"},
		{"workspace-write .git", wsw, []string{"write", filepath.Join(ws, ".git", "config")}, "err"},
		{"add-dir", append(noTmp, "--add-dir", extra), []string{"write", filepath.Join(extra, "a")}, "ok"},
		{"missing add-dir ignored", append(wsw, "--add-dir", "/no/such/dir"), []string{"write", filepath.Join(ws, "b")}, "ok"},
		{"add-dir needed", noTmp, []string{"write", filepath.Join(extra, "a")}, "err"},
		{"network off", wsw, []string{"dial", "tcp", ln.Addr().String()}, "err"},
		{"network on", append(wsw, "--network"), []string{"dial", "tcp", ln.Addr().String()}, "ok"},
		{"danger writes anywhere", []string{"--cd", ws, "--sandbox", "danger-full-access"}, []string{"write", filepath.Join(out, "d")}, "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append(append([]string{}, tc.flags...), "--"), probeArgv(t, tc.probe...)...)
			r := cs(t, "", args...)
			if r.code != 0 || strings.TrimSpace(r.stdout) != tc.want {
				t.Errorf("exit %d, output %q, want %q (stderr %q)", r.code, r.stdout, tc.want, r.stderr)
			}
		})
	}
	_ = os.Remove(filepath.Join(os.TempDir(), fmt.Sprintf("csbx-%d", os.Getpid())))
}

func TestEnvironmentPassesThrough(t *testing.T) {
	ws, _ := workspace(t)
	show := `echo "$CODEX_SANDBOX $CODEX_SANDBOX_NETWORK_DISABLED $CSBX_TEST [$GOMAXPROCS] [$CODEX_SANDBOX_GOMAXPROCS_ORIG]"`
	cmd := csCmd(t, "--cd", ws, "--", "sh", "-c", show)
	cmd.Env = append(cmd.Env, "CSBX_TEST=passed", "GOMAXPROCS=7")
	out, err := cmd.Output()
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got, want := strings.TrimSpace(string(out)), "landlock 1 passed [7] []"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Through the Go API with an explicit environment: exactly that
	// environment, plus the sandbox's two variables.
	var buf strings.Builder
	res, err := Run(context.Background(), protocol.ExecRequest{Argv: []string{"/usr/bin/env"}, Cwd: ws,
		Env: map[string]string{"ONLY": "this"}}, &buf, nil)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run env: %v %+v", err, res)
	}
	if got, want := buf.String(), "ONLY=this\nCODEX_SANDBOX=landlock\nCODEX_SANDBOX_NETWORK_DISABLED=1\n"; got != want {
		t.Errorf("API env = %q, want %q", got, want)
	}
}

func TestStdinPassesThrough(t *testing.T) {
	r := cs(t, "hello sandbox\n", "--", "cat")
	if r.code != 0 || r.stdout != "hello sandbox\n" {
		t.Errorf("exit %d, stdout %q", r.code, r.stdout)
	}
}

// chanWriter passes each write to a channel.
type chanWriter chan string

func (c chanWriter) Write(p []byte) (int, error) { c <- string(p); return len(p), nil }

// TestRunStdinLive feeds a sandboxed command through a pipe the caller
// keeps writing to: the command answers the first line before the second
// is written, and Run returns when the command ends although the pipe is
// still open.
func TestRunStdinLive(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	out := make(chanWriter, 4)
	type result struct {
		res protocol.ExecResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := RunStdin(context.Background(), protocol.ExecRequest{Argv: []string{"sh", "-c", "read a; echo got:$a; read b; echo got:$b"},
			SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}}, r, out, nil)
		done <- result{res, err}
	}()
	if _, err := w.WriteString("one\n"); err != nil {
		t.Fatal(err)
	}
	if got := <-out; got != "got:one\n" {
		t.Fatalf("first answer %q, want got:one", got)
	}
	if _, err := w.WriteString("two\n"); err != nil {
		t.Fatal(err)
	}
	if got := <-out; got != "got:two\n" {
		t.Errorf("second answer %q, want got:two", got)
	}
	res := <-done
	if res.err != nil || res.res.ExitCode != 0 || res.res.Sandbox == nil || res.res.Sandbox.Mechanism != "landlock" {
		t.Errorf("result %+v, %v", res.res, res.err)
	}
	_ = r.Close()
}

// TestExcludeTmpFlags: the extension flags drop /tmp and $TMPDIR from the
// workspace-write roots (what --explain reports, and what is writable).
func TestExcludeTmpFlags(t *testing.T) {
	ws, _ := workspace(t)
	tmpdir := t.TempDir()
	for _, tc := range []struct {
		flags    []string
		slashTmp bool
		tmpdir   bool
	}{
		{nil, true, true},
		{[]string{"--exclude-slash-tmp"}, false, true},
		{[]string{"--exclude-tmpdir-env-var"}, true, false},
		{[]string{"--exclude-slash-tmp", "--exclude-tmpdir-env-var"}, false, false},
	} {
		args := append(append([]string{"--explain", "--sandbox", "workspace-write", "--cd", ws}, tc.flags...), "--", "true")
		cmd := csCmd(t, args...)
		cmd.Env = append(cmd.Env, "TMPDIR="+tmpdir)
		out, err := cmd.Output()
		if code := exitCode(t, err); code != 0 {
			t.Fatalf("%v: exit %d", tc.flags, code)
		}
		var e struct {
			WritableRoots []string `json:"writable_roots"`
		}
		if err := json.Unmarshal(out, &e); err != nil {
			t.Fatalf("%v: %v", tc.flags, err)
		}
		has := func(p string) bool { return slices.Contains(e.WritableRoots, p) }
		if has("/tmp") != tc.slashTmp || has(tmpdir) != tc.tmpdir || !has(ws) {
			t.Errorf("%v: writable roots %v, want /tmp %v, TMPDIR %v and the workspace", tc.flags, e.WritableRoots, tc.slashTmp, tc.tmpdir)
		}
	}
}

func TestExplain(t *testing.T) {
	ws, _ := workspace(t)
	extra := t.TempDir()
	r := cs(t, "", "--explain", "--sandbox", "workspace-write", "--cd", ws, "--add-dir", extra, "--", "touch", filepath.Join(ws, "ran"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(ws, "ran")); err == nil {
		t.Errorf("--explain ran the command")
	}
	var e struct {
		Mechanism     string   `json:"mechanism"`
		WritableRoots []string `json:"writable_roots"`
		Protected     []string `json:"read_only_subpaths"`
		Landlock      struct {
			ABI   int `json:"abi"`
			Rules []struct {
				Path   string   `json:"path"`
				Access []string `json:"access"`
			} `json:"rules"`
		} `json:"landlock"`
		Seccomp     []string `json:"seccomp"`
		Active      []string `json:"active"`
		Unavailable []string `json:"unavailable"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
		t.Fatalf("explain output is not JSON: %v\n%s", err, r.stdout)
	}
	if e.Mechanism != "landlock" || e.Landlock.ABI < 1 || len(e.Seccomp) == 0 || len(e.Active) == 0 {
		t.Errorf("explanation lacks mechanism, ABI, seccomp or active list: %s", r.stdout)
	}
	wantRoots := map[string]bool{ws: false, extra: false, "/tmp": false}
	for _, root := range e.WritableRoots {
		if _, ok := wantRoots[root]; ok {
			wantRoots[root] = true
		}
	}
	for root, seen := range wantRoots {
		if !seen {
			t.Errorf("writable roots %v lack %s", e.WritableRoots, root)
		}
	}
	if len(e.Protected) != 1 || e.Protected[0] != filepath.Join(ws, ".git") {
		t.Errorf("protected = %v, want [%s/.git]", e.Protected, ws)
	}

	// As uid 65534 the answer is what a run would get: the helper is asked
	// from inside the same user namespace a real command would use.
	cmd := csCmd(t, "--explain", "--sandbox", "workspace-write", "--cd", ws)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	b, err := cmd.Output()
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("unprivileged explain: exit %d", code)
	}
	if !strings.Contains(string(b), "mount-namespace (inside a user namespace)") {
		t.Errorf("unprivileged explanation lacks the user-namespace mount namespace:\n%s", b)
	}
}

func TestJSONMode(t *testing.T) {
	ws, _ := workspace(t)
	in := "from stdin"
	ro := protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly}
	tests := []struct {
		name  string
		req   protocol.ExecRequest
		check func(t *testing.T, res protocol.ExecResult)
	}{
		{
			name: "output, stdin, env, cwd",
			req: protocol.ExecRequest{Argv: []string{"sh", "-c", `cat; echo " $FOO $(pwd)"; echo oops >&2; exit 3`}, Cwd: ws,
				Env: map[string]string{"FOO": "bar", "PATH": os.Getenv("PATH")}, Stdin: &in,
				SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}},
			check: func(t *testing.T, res protocol.ExecResult) {
				if res.ExitCode != 3 || res.Stdout != "from stdin bar "+ws+"\n" || res.Stderr != "oops\n" {
					t.Errorf("got exit %d stdout %q stderr %q", res.ExitCode, res.Stdout, res.Stderr)
				}
				if res.Sandbox == nil || res.Sandbox.Mechanism != "landlock" || len(res.Sandbox.WritableRoots) == 0 {
					t.Errorf("report %+v", res.Sandbox)
				}
			},
		},
		{
			name: "timeout",
			req:  protocol.ExecRequest{Argv: []string{"sleep", "30"}, TimeoutMS: 100, SandboxPolicy: ro},
			check: func(t *testing.T, res protocol.ExecResult) {
				if !res.TimedOut || res.ExitCode != ExitTimeout {
					t.Errorf("timed_out %v exit %d", res.TimedOut, res.ExitCode)
				}
			},
		},
		{
			name: "truncation keeps head and tail",
			req:  protocol.ExecRequest{Argv: []string{"sh", "-c", "echo HEAD; seq 1 20000; echo TAIL"}, MaxOutputBytes: 100, SandboxPolicy: ro},
			check: func(t *testing.T, res protocol.ExecResult) {
				if !res.StdoutTruncated || !strings.HasPrefix(res.Stdout, "HEAD\n") || !strings.HasSuffix(res.Stdout, "TAIL\n") || len(res.Stdout) > 200 {
					t.Errorf("truncated %v stdout %q", res.StdoutTruncated, res.Stdout)
				}
			},
		},
		{
			name: "denied write is flagged",
			req:  protocol.ExecRequest{Argv: []string{"sh", "-c", "echo x > /etc/csbx-denied"}, SandboxPolicy: ro},
			check: func(t *testing.T, res protocol.ExecResult) {
				if res.ExitCode == 0 || res.Sandbox == nil || !res.Sandbox.Denied {
					t.Errorf("exit %d report %+v, want denied", res.ExitCode, res.Sandbox)
				}
			},
		},
		{
			// A real DNS lookup the sandbox stops: the report says the
			// network is off and how to allow it.
			name: "DNS failure with the network off",
			req: protocol.ExecRequest{Argv: []string{"python3", "-c", "import socket; socket.getaddrinfo('example.com', 80)"},
				SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}},
			check: func(t *testing.T, res protocol.ExecResult) {
				if res.ExitCode == 0 || res.Sandbox == nil || res.Sandbox.NetworkHint != NetworkOffHint || !res.Sandbox.Denied {
					t.Errorf("exit %d, sandbox %+v, stderr %q; want a failure with the network hint", res.ExitCode, res.Sandbox, res.Stderr)
				}
			},
		},
		{
			// npm's words for the same (EAI_AGAIN), and no hint when the
			// network was allowed: the sandbox is not the cause then.
			name: "npm's EAI_AGAIN",
			req:  protocol.ExecRequest{Argv: []string{"sh", "-c", "echo 'npm error request to https://registry.npmjs.org/x failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org' >&2; exit 1"}, SandboxPolicy: ro},
			check: func(t *testing.T, res protocol.ExecResult) {
				if res.Sandbox == nil || res.Sandbox.NetworkHint == "" {
					t.Errorf("sandbox %+v: no network hint", res.Sandbox)
				}
			},
		},
		{
			name: "network allowed: no hint",
			req: protocol.ExecRequest{Argv: []string{"sh", "-c", "echo 'getaddrinfo EAI_AGAIN registry.npmjs.org' >&2; exit 1"},
				SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, NetworkAccess: true}},
			check: func(t *testing.T, res protocol.ExecResult) {
				if res.Sandbox != nil && res.Sandbox.NetworkHint != "" {
					t.Errorf("network allowed, yet hint %q", res.Sandbox.NetworkHint)
				}
			},
		},
		{
			name: "not found",
			req:  protocol.ExecRequest{Argv: []string{"no-such-command-xyz"}, SandboxPolicy: ro},
			check: func(t *testing.T, res protocol.ExecResult) {
				if res.ExitCode != ExitNotFound || res.Error == "" {
					t.Errorf("exit %d error %q", res.ExitCode, res.Error)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			r := cs(t, string(b), "--json")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var res protocol.ExecResult
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("result is not JSON: %v: %q", err, r.stdout)
			}
			tc.check(t, res)
		})
	}
	if r := cs(t, `{"argv":["true"]}`, "--json"); r.code != 0 || !strings.Contains(r.stdout, `"exit_code":0`) {
		t.Errorf("request without policy: exit %d %q, want read-only run", r.code, r.stdout)
	}
	for _, bad := range []string{"", "{", `{"argv":[]}`, `{"argv":["true"],"sandbox_policy":{"mode":"x"}}`} {
		if r := cs(t, bad, "--json"); r.code != ExitUsage {
			t.Errorf("request %q: exit %d, want 2", bad, r.code)
		}
	}
}

func TestUnprivilegedSupervisor(t *testing.T) {
	ws, out := workspace(t)
	req, err := json.Marshal(protocol.ExecRequest{
		Argv: []string{"sh", "-c", "echo a > " + filepath.Join(ws, "mine") + "; echo b > " + filepath.Join(out, "theirs") +
			"; echo c > " + filepath.Join(ws, ".git", "config") + "; id -u"},
		Cwd:           ws,
		SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := csCmd(t, "--json")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Stdin = strings.NewReader(string(req))
	stdout, err := cmd.Output()
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var res protocol.ExecResult
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(ws, "mine")); err != nil {
		t.Errorf("write inside the workspace failed: %v (%+v)", err, res)
	}
	if _, err := os.Stat(filepath.Join(out, "theirs")); err == nil {
		t.Errorf("write outside the workspace succeeded")
	}
	if _, err := os.Stat(filepath.Join(ws, ".git", "config")); err == nil {
		t.Errorf("write into .git succeeded")
	}
	if res.Stdout != "65534\n" {
		t.Errorf("command ran as uid %q, want 65534", res.Stdout)
	}
	// This kernel allows unprivileged user namespaces, so the helper gets
	// its mount namespace and .git is read-only, and says so.
	if res.Sandbox == nil || len(res.Sandbox.ReadOnlySubpaths) != 1 ||
		!strings.Contains(strings.Join(res.Sandbox.Active, "\n"), "inside a user namespace") {
		t.Errorf("report %+v: want .git read-only through a user namespace", res.Sandbox)
	}
}

// TestNestedFallsBackHonestly runs codex-sandbox inside codex-sandbox,
// as root and as uid 65534: the inner one may not create namespaces
// (seccomp), as in a nested container without user namespaces, so it runs
// without a mount namespace and must report .git protection as
// unavailable while still confining writes.
func TestNestedFallsBackHonestly(t *testing.T) {
	for _, cred := range []*syscall.Credential{nil, {Uid: 65534, Gid: 65534}} {
		name := "root"
		if cred != nil {
			name = "uid 65534"
		}
		t.Run(name, func(t *testing.T) {
			ws, out := workspace(t)
			bin, err := publicBinary()
			if err != nil {
				t.Fatal(err)
			}
			script := "echo a > " + filepath.Join(ws, "inner") + "; echo b > " + filepath.Join(out, "inner")
			req, err := json.Marshal(protocol.ExecRequest{Argv: []string{"sh", "-c", script}, Cwd: ws,
				SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, ExcludeSlashTmp: true}})
			if err != nil {
				t.Fatal(err)
			}
			inner := "echo '" + string(req) + "' | exec -a codex-sandbox " + bin + " --json"
			cmd := csCmd(t, "--cd", ws, "--sandbox", "workspace-write", "--", "bash", "-c", inner)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
			stdout, err := cmd.Output()
			if code := exitCode(t, err); code != 0 {
				t.Fatalf("exit %d", code)
			}
			var res protocol.ExecResult
			if err := json.Unmarshal(stdout, &res); err != nil {
				t.Fatalf("inner result: %v: %q", err, stdout)
			}
			if res.Sandbox == nil || len(res.Sandbox.ReadOnlySubpaths) != 0 ||
				!strings.Contains(strings.Join(res.Sandbox.Unavailable, "\n"), "protected-subpaths: no mount namespace") {
				t.Errorf("inner result %+v: want a run without claimed read-only subpaths", res)
			}
			if _, err := os.Stat(filepath.Join(ws, "inner")); err != nil {
				t.Errorf("inner write to the workspace failed: %v (%+v)", err, res)
			}
			if _, err := os.Stat(filepath.Join(out, "inner")); err == nil {
				t.Errorf("inner write outside succeeded")
			}
		})
	}
}

// TestUnprivilegedChmodOutside: Landlock does not cover chmod, so an
// ordinary user could change the mode of their own files outside the
// roots; the user-namespace mount namespace makes those mounts read-only.
func TestUnprivilegedChmodOutside(t *testing.T) {
	_, out := workspace(t)
	own := filepath.Join(out, "own")
	if err := os.WriteFile(own, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(own, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	cmd := csCmd(t, "--", "chmod", "777", own)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if code := exitCode(t, cmd.Run()); code == 0 {
		t.Errorf("chmod of own file outside the roots succeeded")
	}
	if fi, err := os.Stat(own); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode changed: %v %v", fi.Mode(), err)
	}
}

// TestUsageMessages: help on stdout with exit 0; flag errors in one line
// that say what to type; --add-dir under read-only warns instead of being
// ignored in silence.
func TestUsageMessages(t *testing.T) {
	tests := []struct {
		args         []string
		code         int
		stdout, warn string
	}{
		{[]string{"--help"}, 0, "Usage:\n  codex-sandbox [flags] -- COMMAND [ARG...]", ""},
		{[]string{"--version"}, 0, "codex-sandbox ", ""},
		{[]string{"--timeout", "5", "--", "true"}, ExitUsage, "", "codex-sandbox: --timeout 5: a duration needs a unit: write --timeout 5s (or ms, m, h)\n"},
		{[]string{"--add-dri", "x", "--", "true"}, ExitUsage, "", "codex-sandbox: unknown flag --add-dri (did you mean --add-dir?)\n"},
		{[]string{"--add-dir", "/tmp", "--", "true"}, 0, "", "codex-sandbox: warning: --add-dir /tmp has no effect with --sandbox read-only; use --sandbox workspace-write to make it writable\n"},
		{[]string{"--sandbox", "workspace-write", "--add-dir", "/tmp", "--", "true"}, 0, "", ""},
	}
	for _, tc := range tests {
		r := cs(t, "", tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stdout, tc.stdout) || r.stderr != tc.warn {
			t.Errorf("%q: exit %d, stdout %.80q, stderr %q; want %d, %q…, %q", tc.args, r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.warn)
		}
	}
}
