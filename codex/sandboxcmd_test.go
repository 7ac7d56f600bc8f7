package codex

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestSandboxArgs(t *testing.T) {
	plain := t.TempDir()
	configured := t.TempDir()
	toml := `sandbox_mode = "workspace-write"
[sandbox_workspace_write]
network_access = true
writable_roots = ["/srv/data"]
exclude_slash_tmp = true
exclude_tmpdir_env_var = true
[profiles.ro]
sandbox_mode = "read-only"
`
	if err := os.WriteFile(filepath.Join(configured, "config.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	type testCase struct {
		name    string
		home    string
		args    []string
		want    []string
		wantErr string
	}
	cases := []testCase{
		{"no config: read-only", plain, []string{"--", "ls"}, []string{"--sandbox", "read-only", "--", "ls"}, ""},
		{"--full-auto", plain, []string{"--full-auto", "--", "ls"}, []string{"--sandbox", "workspace-write", "--", "ls"}, ""},
		{"-c overrides", plain, []string{"-c", `sandbox_mode="workspace-write"`, "-c=sandbox_workspace_write.network_access=true", "--", "ls"},
			[]string{"--sandbox", "workspace-write", "--network", "--", "ls"}, ""},
		{"config.toml", configured, []string{"--", "ls"},
			[]string{"--sandbox", "workspace-write", "--network", "--add-dir", "/srv/data", "--exclude-slash-tmp", "--exclude-tmpdir-env-var", "--", "ls"}, ""},
		{"profile", configured, []string{"-p", "ro", "--", "ls"}, []string{"--sandbox", "read-only", "--", "ls"}, ""},
		{"the user's flags come after and win", plain, []string{"--sandbox", "danger-full-access", "-cd", "/x", "--", "ls", "-c", "q"},
			[]string{"--sandbox", "read-only", "--sandbox", "danger-full-access", "-cd", "/x", "--", "ls", "-c", "q"}, ""},
		{"--json is the whole policy", configured, []string{"--json"}, []string{"--json"}, ""},
		{"--sandbox-policy too", configured, []string{"--sandbox-policy={}", "--", "ls"}, []string{"--sandbox-policy={}", "--", "ls"}, ""},
		{"-c without a value", plain, []string{"-c"}, nil, "-c needs a value"},
		{"bad override", plain, []string{"-c", "sandbox_mode", "--", "ls"}, nil, "sandbox_mode"},
	}
	// The platform words: this OS's are dropped, the other's refused.
	native, foreign, foreignErr := "linux", "macos", "macos: Seatbelt needs macOS (this is "+runtime.GOOS+")"
	if runtime.GOOS == "darwin" {
		native, foreign, foreignErr = "macos", "linux", "linux: Landlock needs Linux (this is darwin)"
	}
	cases = append(cases,
		testCase{native + " --full-auto", plain, []string{native, "--full-auto", "--", "ls"}, []string{"--sandbox", "workspace-write", "--", "ls"}, ""},
		testCase{"the other platform", plain, []string{foreign, "--", "ls"}, nil, foreignErr})
	for _, tc := range cases {
		got, err := sandboxArgs(tc.args, func(k string) string { return map[string]string{"CODEX_HOME": tc.home}[k] })
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || !reflect.DeepEqual(got, tc.want)):
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := debugArgs([]string{"shell"}, func(string) string { return "" }); err == nil {
		t.Error("debug shell: want a usage error")
	}
	if got, err := debugArgs([]string{"landlock", "--full-auto", "--", "ls"}, func(k string) string { return map[string]string{"CODEX_HOME": plain}[k] }); err != nil ||
		!reflect.DeepEqual(got, []string{"--sandbox", "workspace-write", "--", "ls"}) {
		t.Errorf("debug landlock: %q, %v", got, err)
	}
}

// sandboxRuns drives the real binary's `codex sandbox` forms: a write
// into the working directory works only under the workspace-write each
// form asks for.
func sandboxRuns(t *testing.T, bin string) {
	home := t.TempDir()
	for _, tc := range []struct {
		args   []string
		writes bool
	}{
		{[]string{"sandbox"}, false},
		{[]string{"sandbox", "linux", "--full-auto"}, true},
		{[]string{"sandbox", "-c", `sandbox_mode="workspace-write"`}, true},
		{[]string{"debug", "landlock", "--full-auto"}, true},
		{[]string{"sandbox", "--full-auto", "--sandbox", "read-only"}, false},
	} {
		dir := t.TempDir()
		args := append(append([]string{}, tc.args...), "--", "sh", "-c", "echo x > written")
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CODEX_HOME="+home)
		out, err := cmd.CombinedOutput()
		_, statErr := os.Stat(filepath.Join(dir, "written"))
		if wrote := statErr == nil; wrote != tc.writes || (err == nil) != tc.writes {
			t.Errorf("codex %s: wrote %v, exit error %v, want writes %v\n%s", strings.Join(tc.args, " "), wrote, err, tc.writes, out)
		}
	}
}

// FuzzSandboxArgs: whatever the user types after `codex sandbox`, the
// rewrite errors or keeps the command after "--" exactly as given.
func FuzzSandboxArgs(f *testing.F) {
	f.Add("linux\x00--full-auto\x00--\x00ls\x00-c\x00x")
	f.Add("-c\x00sandbox_mode=\"workspace-write\"\x00--\x00true")
	f.Add("--json")
	f.Add("-p\x00\x00--config=\x00--")
	home := f.TempDir()
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		got, err := sandboxArgs(args, func(k string) string { return map[string]string{"CODEX_HOME": home}[k] })
		if err != nil {
			return
		}
		tail := func(a []string) []string {
			for i, s := range a {
				if s == "--" {
					return a[i:]
				}
			}
			return nil
		}
		if want, have := tail(args), tail(got); !reflect.DeepEqual(want, have) {
			t.Errorf("sandboxArgs(%q) = %q: the command changed", args, got)
		}
	})
}
