//go:build linux

package linuxsandbox

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestFilesystemRules(t *testing.T) {
	ws, out := workspace(t)
	s := sbx{policy: wsPolicy, policyCwd: ws}
	ro := sbx{policy: roPolicy, policyCwd: ws}
	tests := []struct {
		name string
		box  sbx
		args []string
		want string
	}{
		{"write inside root", s, []string{"write", filepath.Join(ws, "new")}, "ok"},
		{"mkdir inside root", s, []string{"mkdir", filepath.Join(ws, "dir")}, "ok"},
		{"write outside root", s, []string{"write", filepath.Join(out, "new")}, "err: EROFS"},
		{"overwrite outside file", s, []string{"write", filepath.Join(out, "file")}, "err: EROFS"},
		{"truncate outside", s, []string{"truncate", filepath.Join(out, "file")}, "err: EROFS"},
		{"chmod outside", s, []string{"chmod", filepath.Join(out, "file")}, "err: EROFS"},
		{"chmod inside", s, []string{"chmod", filepath.Join(ws, "file")}, "ok"},
		{"hard link outside file into root", s, []string{"link", filepath.Join(out, "file"), filepath.Join(ws, "hl")}, "err: EXDEV"},
		{"rename outside file into root", s, []string{"rename", filepath.Join(out, "file"), filepath.Join(ws, "moved")}, "err: EXDEV"},
		{"rename root file outside", s, []string{"rename", filepath.Join(ws, "file"), filepath.Join(out, "moved")}, "err: EXDEV"},
		{"dev null writable", s, []string{"write", "/dev/null"}, "ok"},
		{"dev shm not writable", s, []string{"write", "/dev/shm/codex-sbx-test"}, "err: EROFS"},
		{"etc not writable", s, []string{"write", "/etc/codex-sbx-test"}, "err: EROFS"},
		{"protected .git/config", s, []string{"write", filepath.Join(ws, ".git", "config")}, "err: EROFS"},
		{"protected .git new file", s, []string{"write", filepath.Join(ws, ".git", "hooks-pre")}, "err: EROFS"},
		{"rename protected .git away", s, []string{"rename", filepath.Join(ws, ".git"), filepath.Join(ws, "git2")}, "err: EBUSY"},
		{"read-only: root not writable", ro, []string{"write", filepath.Join(ws, "new2")}, "err: EROFS"},
		{"read-only: dev null writable", ro, []string{"write", "/dev/null"}, "ok"},
		{"read-only: tmp not writable", ro, []string{"write", "/tmp/codex-sbx-test"}, "err: EROFS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.box.probeOut(t, tc.args...); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(ws, ".git", "config")); string(b) != "orig" {
		t.Errorf(".git/config = %q, want unchanged", b)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "file")); string(b) != "orig" {
		t.Errorf("outside file = %q, want unchanged", b)
	}
	if fi, _ := os.Stat(filepath.Join(out, "file")); fi.Mode().Perm() != 0o666 {
		t.Errorf("outside file mode = %v, want 0666", fi.Mode().Perm())
	}
}

func TestSymlinkTricks(t *testing.T) {
	ws, out := workspace(t)
	// A link inside the root pointing out must not make the outside writable.
	if err := os.Symlink(out, filepath.Join(ws, "escape")); err != nil {
		t.Fatal(err)
	}
	// A link outside pointing in leads to writable files: allowed.
	if err := os.Symlink(ws, filepath.Join(out, "into")); err != nil {
		t.Fatal(err)
	}
	s := sbx{policy: wsPolicy, policyCwd: ws}
	tests := []struct{ name, path, want string }{
		{"out through link in root", filepath.Join(ws, "escape", "x"), "err: EROFS"},
		{"in through link outside", filepath.Join(out, "into", "y"), "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.probeOut(t, "write", tc.path); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// A symlink made inside the sandbox pointing out is just as useless.
	if got := s.probeOut(t, "symlink", filepath.Join(out, "file"), filepath.Join(ws, "l2")); got != "ok" {
		t.Fatalf("symlink inside root: got %q, want ok", got)
	}
	if got := s.probeOut(t, "write", filepath.Join(ws, "l2")); got != "err: EROFS" {
		t.Errorf("write through new link: got %q, want err: EROFS", got)
	}
}

func TestNestedShellsInherit(t *testing.T) {
	ws, out := workspace(t)
	target := filepath.Join(out, "nested")
	s := sbx{policy: wsPolicy, policyCwd: ws}
	o := s.run(t, "sh", "-c", fmt.Sprintf("sh -c 'sh -c \"echo x > %s\"' 2>/dev/null; echo $?", target))
	if got := strings.TrimSpace(o.stdout); got != "2" {
		t.Errorf("nested shell write outside: status %q, want 2", got)
	}
	if _, err := os.Stat(target); err == nil {
		t.Errorf("%s was created", target)
	}
}

func TestNamespacesAndMounts(t *testing.T) {
	ws, _ := workspace(t)
	s := sbx{policy: wsPolicy, policyCwd: ws}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"unshare"}, "err: EPERM"},
		{[]string{"mount", ws}, "err: EPERM"},
		{[]string{"umount", filepath.Join(ws, ".git")}, "err: EPERM"},
	}
	for _, tc := range tests {
		if got := s.probeOut(t, tc.args...); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.args, got, tc.want)
		}
	}
	o := s.run(t, "unshare", "-U", "-r", "true")
	if o.code == 0 {
		t.Errorf("unshare -U -r succeeded inside the sandbox")
	}
}

func TestNetwork(t *testing.T) {
	ws, _ := workspace(t)
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
	sock := filepath.Join(ws, "host.sock")
	ul, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ul.Close() }()
	go func() {
		for {
			c, err := ul.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	abstract := fmt.Sprintf("@codex-sbx-test-%d", os.Getpid())
	al, err := net.Listen("unix", abstract)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = al.Close() }()
	go func() {
		for {
			c, err := al.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	off := sbx{policy: wsPolicy, policyCwd: ws}
	unixOK := sbx{policy: `{"mode":"workspace-write","exclude_slash_tmp":true,"allow_unix_sockets":true}`, policyCwd: ws}
	on := sbx{policy: `{"mode":"workspace-write","exclude_slash_tmp":true,"network_access":true}`, policyCwd: ws}
	s := func(d, ty int) []string { return []string{"socket", fmt.Sprint(d), fmt.Sprint(ty)} }
	tests := []struct {
		name string
		box  sbx
		args []string
		want string
	}{
		{"tcp4", off, s(unix.AF_INET, unix.SOCK_STREAM), "err: EPERM"},
		{"udp4", off, s(unix.AF_INET, unix.SOCK_DGRAM), "err: EPERM"},
		{"tcp6", off, s(unix.AF_INET6, unix.SOCK_STREAM), "err: EPERM"},
		{"udp6", off, s(unix.AF_INET6, unix.SOCK_DGRAM), "err: EPERM"},
		{"raw", off, s(unix.AF_INET, unix.SOCK_RAW), "err: EPERM"},
		{"packet", off, s(unix.AF_PACKET, unix.SOCK_RAW), "err: EPERM"},
		{"netlink", off, s(unix.AF_NETLINK, unix.SOCK_RAW), "err: EPERM"},
		{"vsock", off, s(unix.AF_VSOCK, unix.SOCK_STREAM), "err: EPERM"},
		{"unix socket", off, s(unix.AF_UNIX, unix.SOCK_STREAM), "ok"},
		{"socketpair", off, []string{"socketpair"}, "ok"},
		{"io_uring", off, []string{"iouring"}, "err: EPERM"},
		{"tcp to local listener", off, []string{"dial", "tcp", ln.Addr().String()}, "err: EPERM"},
		{"unix socket of the host", off, []string{"dial", "unix", sock}, "err: EPERM"},
		{"unix socket allowed", unixOK, []string{"dial", "unix", sock}, "ok"},
		{"abstract socket of the host stays scoped", unixOK, []string{"dial", "unix", abstract}, "err: EPERM"},
		{"abstract socket with network on", on, []string{"dial", "unix", abstract}, "ok"},
		{"tcp still off with unix allowed", unixOK, []string{"dial", "tcp", ln.Addr().String()}, "err: EPERM"},
		{"network on: tcp", on, []string{"dial", "tcp", ln.Addr().String()}, "ok"},
		{"network on: listen", on, []string{"listen-tcp"}, "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.box.probeOut(t, tc.args...); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPrivilegesDropped(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatalf("this test must run as root (it checks that root loses every capability)")
	}
	ws, _ := workspace(t)
	o := sbx{policy: wsPolicy, policyCwd: ws}.run(t, "probe", "status")
	want := []string{"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
		"CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2"}
	for _, w := range want {
		if !strings.Contains(o.stdout, w+"\n") {
			t.Errorf("status lacks %q:\n%s", w, o.stdout)
		}
	}
	// Signals to processes outside the sandbox are scoped away.
	if got := (sbx{policy: wsPolicy, policyCwd: ws}).probeOut(t, "kill", fmt.Sprint(os.Getpid())); got != "err: EPERM" {
		t.Errorf("signal to the test process: got %q, want err: EPERM", got)
	}
}

func TestExitCodes(t *testing.T) {
	ws, _ := workspace(t)
	notExec := filepath.Join(ws, "notexec")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := sbx{policy: wsPolicy, policyCwd: ws}
	tests := []struct {
		name string
		box  sbx
		argv []string
		want int
	}{
		{"own status", s, []string{"sh", "-c", "exit 7"}, 7},
		{"signal", s, []string{"sh", "-c", "kill -SEGV $$"}, 139},
		{"not found", s, []string{"no-such-command-xyz"}, ExitNotFound},
		{"not found by path", s, []string{"/no/such/file"}, ExitNotFound},
		{"not executable", s, []string{notExec}, ExitNotExecutable},
		{"bad policy", sbx{policy: `{"mode":"sideways"}`, policyCwd: ws}, []string{"true"}, ExitUsage},
		{"no command", s, nil, ExitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.box.run(t, tc.argv...).code; got != tc.want {
				t.Errorf("exit %d, want %d", got, tc.want)
			}
		})
	}
}

func TestEnvironmentAndCwd(t *testing.T) {
	ws, out := workspace(t)
	sub := filepath.Join(ws, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	s := sbx{policy: `{"mode":"workspace-write","exclude_slash_tmp":true,"writable_roots":["../out"]}`, policyCwd: sub, commandCwd: ws,
		env: []string{"SECRET_TEST_VALUE=kept"}}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"env", "CODEX_SANDBOX"}, "landlock"},
		{[]string{"env", "CODEX_SANDBOX_NETWORK_DISABLED"}, "1"},
		{[]string{"env", "SECRET_TEST_VALUE"}, "kept"},
		{[]string{"pwd"}, ws},
		// Roots resolve against the policy cwd (sub), not the command cwd.
		{[]string{"write", filepath.Join(sub, "x")}, "ok"},
		{[]string{"write", filepath.Join(out, "x")}, "err: EROFS"},
		{[]string{"write", filepath.Join(ws, "x")}, "err: EROFS"},
	}
	for _, tc := range tests {
		if got := s.probeOut(t, tc.args...); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.args, got, tc.want)
		}
	}
	full := sbx{policy: `{"mode":"danger-full-access"}`, policyCwd: ws}
	if got := full.probeOut(t, "env", "CODEX_SANDBOX"); got != "" {
		t.Errorf("danger-full-access sets CODEX_SANDBOX=%q", got)
	}
	if got := full.probeOut(t, "write", filepath.Join(out, "full")); got != "ok" {
		t.Errorf("danger-full-access write: got %q, want ok", got)
	}
}

func TestMissingRootIgnored(t *testing.T) {
	ws, _ := workspace(t)
	s := sbx{policy: `{"mode":"workspace-write","exclude_slash_tmp":true,"writable_roots":["/no/such/root"]}`, policyCwd: ws, reportFD: true}
	o := s.run(t, "probe", "write", filepath.Join(ws, "y"))
	if o.code != 0 || strings.TrimSpace(o.stdout) != "ok" {
		t.Fatalf("got exit %d %q, want ok", o.code, o.stdout)
	}
	if len(o.reports) != 1 || o.reports[0].Stage != "exec" || o.reports[0].Report == nil {
		t.Fatalf("reports = %+v, want one exec report", o.reports)
	}
	r := o.reports[0].Report
	if r.Mechanism != "landlock" || r.LandlockABI < 1 {
		t.Errorf("report mechanism %q ABI %d", r.Mechanism, r.LandlockABI)
	}
	for _, root := range r.WritableRoots {
		if strings.HasPrefix(root, "/no/such") {
			t.Errorf("missing root reported writable: %v", r.WritableRoots)
		}
	}
}

func TestReportOnExecFailure(t *testing.T) {
	ws, _ := workspace(t)
	o := sbx{policy: roPolicy, policyCwd: ws, reportFD: true}.run(t, "no-such-command-xyz")
	if len(o.reports) != 2 || o.reports[1].Stage != "error" || o.reports[1].ExitCode != ExitNotFound {
		t.Fatalf("reports = %+v, want exec then error 127", o.reports)
	}
}

func TestUnprivilegedUser(t *testing.T) {
	ws, out := workspace(t)
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534}
	s := sbx{policy: wsPolicy, policyCwd: ws, cred: nobody, reportFD: true}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"write", filepath.Join(ws, "u")}, "ok"},
		{[]string{"write", filepath.Join(out, "u")}, "err: EACCES"},
		{[]string{"socket", fmt.Sprint(unix.AF_INET), fmt.Sprint(unix.SOCK_DGRAM)}, "err: EPERM"},
		{[]string{"unshare"}, "err: EPERM"},
		{[]string{"socketpair"}, "ok"},
	}
	for _, tc := range tests {
		if got := s.probeOut(t, tc.args...); got != tc.want {
			t.Errorf("%v as uid 65534: got %q, want %q", tc.args, got, tc.want)
		}
	}
	o := s.run(t, "probe", "status")
	if !strings.Contains(o.stdout, "NoNewPrivs:\t1\n") || !strings.Contains(o.stdout, "CapEff:\t0000000000000000\n") {
		t.Errorf("unprivileged status:\n%s", o.stdout)
	}
	if len(o.reports) == 0 || o.reports[0].Report == nil {
		t.Fatalf("no report")
	}
	// Without CAP_SYS_ADMIN there is no mount namespace: the report must
	// say .git is not protected rather than claim it.
	r := o.reports[0].Report
	if len(r.ReadOnlySubpaths) != 0 {
		t.Errorf("unprivileged report claims read-only subpaths %v", r.ReadOnlySubpaths)
	}
	if !strings.Contains(strings.Join(r.Unavailable, "\n"), "protected-subpaths") {
		t.Errorf("unavailable = %v, want protected-subpaths listed", r.Unavailable)
	}
	// Standalone (no report fd), the same is said on stderr.
	o = sbx{policy: wsPolicy, policyCwd: ws, cred: nobody}.run(t, "true")
	if o.code != 0 || !strings.Contains(o.stderr, "warning: protected-subpaths: no mount namespace") {
		t.Errorf("exit %d, stderr %q: want a warning that .git is not protected", o.code, o.stderr)
	}
}
