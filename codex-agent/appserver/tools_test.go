package appserver_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigWritesKeepTheFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := filepath.Join(f.home, "config.toml")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := "# my settings\nmodel = \"gpt-test\"   # the model I like\n\n" + strings.TrimPrefix(string(orig), "model = \"gpt-test\"\n") +
		"\n# history kept\n[history]\npersistence = \"none\" # private for now\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	c := f.start(t)
	var read struct {
		Config map[string]any `json:"config"`
		Layers []struct {
			Version string `json:"version"`
		} `json:"layers"`
	}
	c.call("config/read", map[string]any{"includeLayers": true}).decode(t, &read)
	if read.Config["model"] != "gpt-test" || len(read.Layers) != 1 {
		t.Fatalf("config/read = %+v", read)
	}
	version := read.Layers[0].Version

	var w struct {
		Status, Version, FilePath string
	}
	c.call("config/value/write", map[string]any{"keyPath": "model", "value": "gpt-5", "mergeStrategy": "replace", "expectedVersion": version}).decode(t, &w)
	if w.Status != "ok" || w.FilePath != path || w.Version == version {
		t.Errorf("value/write = %+v", w)
	}
	c.call("config/batchWrite", map[string]any{"edits": []any{
		map[string]any{"keyPath": "history.persistence", "value": "save-all", "mergeStrategy": "replace"},
		map[string]any{"keyPath": "sandbox_workspace_write", "value": map[string]any{"network_access": true}, "mergeStrategy": "upsert"},
		map[string]any{"keyPath": "model_reasoning_effort", "value": "high", "mergeStrategy": "replace"},
	}}).decode(t, &w)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# my settings\nmodel = \"gpt-5\"   # the model I like\n", "# history kept\n[history]\npersistence = \"save-all\" # private for now\n",
		"network_access = true", "model_reasoning_effort = \"high\"", "[model_providers.mock]"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("config.toml lacks %q:\n%s", want, got)
		}
	}
	// A stale version is refused and changes nothing.
	m := c.callErr("config/value/write", map[string]any{"keyPath": "model", "value": "x", "mergeStrategy": "replace", "expectedVersion": version})
	if m.Error == nil {
		t.Errorf("stale expectedVersion accepted: %s", m)
	}
	// An edit that would break the config is refused.
	m = c.callErr("config/value/write", map[string]any{"keyPath": "approval_policy", "value": "sometimes", "mergeStrategy": "replace"})
	if m.Error == nil {
		t.Errorf("invalid value accepted: %s", m)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(got) {
		t.Errorf("a refused write changed the file:\n%s", after)
	}
	c.call("config/read", map[string]any{}).decode(t, &read)
	if read.Config["model"] != "gpt-5" || read.Config["model_reasoning_effort"] != "high" {
		t.Errorf("config/read after writes = %v", read.Config)
	}
}

func TestConfigWriteOverriddenByFlag(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t, "-c", `model="flag-model"`)
	var w struct {
		Status             string
		OverriddenMetadata struct {
			EffectiveValue any `json:"effectiveValue"`
		} `json:"overriddenMetadata"`
	}
	c.call("config/value/write", map[string]any{"keyPath": "model", "value": "file-model", "mergeStrategy": "replace"}).decode(t, &w)
	if w.Status != "okOverridden" || w.OverriddenMetadata.EffectiveValue != "flag-model" {
		t.Errorf("write under a flag = %+v", w)
	}
}

func TestAPIKeyLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t)
	var acct struct {
		Account            map[string]any `json:"account"`
		RequiresOpenaiAuth bool           `json:"requiresOpenaiAuth"`
	}
	c.call("account/read", map[string]any{}).decode(t, &acct)
	if acct.Account != nil {
		t.Fatalf("account before login = %v", acct.Account)
	}
	if m := c.callErr("account/login/start", map[string]any{"type": "apiKey", "apiKey": ""}); m.Error == nil || m.Error.Code != -32602 {
		t.Errorf("empty key: %s", m)
	}
	var lr struct{ Type string }
	c.call("account/login/start", map[string]any{"type": "apiKey", "apiKey": "sk-test-key-123"}).decode(t, &lr)
	if lr.Type != "apiKey" {
		t.Errorf("login = %+v", lr)
	}
	done, seen := c.until("account/login/completed")
	if !strings.Contains(string(done.Params), `"success":true`) {
		t.Errorf("login/completed = %s", done)
	}
	upd, _ := c.until("account/updated")
	if !strings.Contains(string(upd.Params), `"authMode":"apikey"`) {
		t.Errorf("account/updated = %s (%s)", upd, methods(seen))
	}
	auth, err := os.ReadFile(filepath.Join(f.home, "auth.json"))
	if err != nil || !strings.Contains(string(auth), `"OPENAI_API_KEY": "sk-test-key-123"`) {
		t.Fatalf("auth.json = %s (%v)", auth, err)
	}
	if st, _ := os.Stat(filepath.Join(f.home, "auth.json")); st.Mode().Perm() != 0o600 {
		t.Errorf("auth.json mode %v", st.Mode())
	}
	c.call("account/read", map[string]any{}).decode(t, &acct)
	if acct.Account["type"] != "apiKey" {
		t.Errorf("account after login = %v", acct.Account)
	}
	var rl struct {
		RateLimits map[string]any `json:"rateLimits"`
	}
	c.call("account/rateLimits/read", nil).decode(t, &rl)
	if rl.RateLimits == nil {
		t.Errorf("rateLimits = %+v", rl)
	}
	var cancel struct{ Status string }
	c.call("account/login/cancel", map[string]any{"loginId": "nope"}).decode(t, &cancel)
	if cancel.Status != "notFound" {
		t.Errorf("cancel = %+v", cancel)
	}
	c.call("account/logout", nil)
	if _, err := os.Stat(filepath.Join(f.home, "auth.json")); err == nil {
		t.Error("auth.json still there after logout")
	}
	c.call("account/read", map[string]any{}).decode(t, &acct)
	if acct.Account != nil {
		t.Errorf("account after logout = %v", acct.Account)
	}
}

func TestCommandExec(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	outside := t.TempDir()
	c := f.start(t)
	var r struct {
		ExitCode       int
		Stdout, Stderr string
	}
	c.call("command/exec", map[string]any{"command": []string{"sh", "-c", "echo out; echo err >&2; exit 3"}, "cwd": f.work}).decode(t, &r)
	if r.ExitCode != 3 || r.Stdout != "out\n" || r.Stderr != "err\n" {
		t.Errorf("command/exec = %+v", r)
	}
	// The sandbox the agent's commands get: workspace-write writes in
	// the cwd, not outside; config.toml's default (read-only) nowhere.
	ww := map[string]any{"type": "workspaceWrite", "excludeSlashTmp": true, "excludeTmpdirEnvVar": true}
	c.call("command/exec", map[string]any{"command": []string{"touch", "inside.txt"}, "cwd": f.work, "sandboxPolicy": ww}).decode(t, &r)
	if r.ExitCode != 0 {
		t.Errorf("write inside: %+v", r)
	}
	c.call("command/exec", map[string]any{"command": []string{"touch", filepath.Join(outside, "escape.txt")}, "cwd": f.work, "sandboxPolicy": ww}).decode(t, &r)
	if r.ExitCode == 0 {
		t.Errorf("write outside the workspace succeeded: %+v", r)
	}
	c.call("command/exec", map[string]any{"command": []string{"touch", "default.txt"}, "cwd": f.work}).decode(t, &r)
	if r.ExitCode == 0 {
		t.Errorf("write under the default (read-only) sandbox succeeded")
	}
	for _, p := range []string{filepath.Join(outside, "escape.txt"), filepath.Join(f.work, "default.txt")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	// Streaming stdin and stdout, then terminate.
	id := c.request("command/exec", map[string]any{"command": []string{"cat"}, "cwd": f.work, "processId": "cat-1",
		"streamStdin": true, "streamStdoutStderr": true})
	c.call("command/exec/write", map[string]any{"processId": "cat-1", "deltaBase64": base64.StdEncoding.EncodeToString([]byte("hello\n"))})
	delta, _ := c.until("command/exec/outputDelta")
	var d struct {
		ProcessID, Stream, DeltaBase64 string
	}
	delta.decode(t, &d)
	if b, _ := base64.StdEncoding.DecodeString(d.DeltaBase64); d.ProcessID != "cat-1" || d.Stream != "stdout" || string(b) != "hello\n" {
		t.Errorf("outputDelta = %s", delta)
	}
	c.call("command/exec/write", map[string]any{"processId": "cat-1", "closeStdin": true})
	end := c.answer(id)
	end.decode(t, &r)
	if r.ExitCode != 0 {
		t.Errorf("cat after close = %s", end)
	}
	id = c.request("command/exec", map[string]any{"command": []string{"sh", "-c", "echo started; exec sleep 300"}, "cwd": f.work,
		"processId": "sleeper", "streamStdoutStderr": true})
	c.until("command/exec/outputDelta")
	c.call("command/exec/terminate", map[string]any{"processId": "sleeper"})
	end = c.answer(id)
	end.decode(t, &r)
	if r.ExitCode == 0 {
		t.Errorf("terminated command exit = %s", end)
	}
	if m := c.callErr("command/exec/terminate", map[string]any{"processId": "sleeper"}); m.Error == nil {
		t.Errorf("terminate of an ended process: %s", m)
	}
	if m := c.callErr("command/exec", map[string]any{"command": []string{}}); m.Error == nil || m.Error.Code != -32602 {
		t.Errorf("empty command: %s", m)
	}
}

func TestFileSystem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t)
	dir := filepath.Join(f.work, "a", "b")
	c.call("fs/createDirectory", map[string]any{"path": dir})
	file := filepath.Join(dir, "x.bin")
	data := []byte{0, 1, 2, 255, '\n'}
	c.call("fs/writeFile", map[string]any{"path": file, "dataBase64": base64.StdEncoding.EncodeToString(data)})
	var rf struct{ DataBase64 string }
	c.call("fs/readFile", map[string]any{"path": file}).decode(t, &rf)
	if b, _ := base64.StdEncoding.DecodeString(rf.DataBase64); string(b) != string(data) {
		t.Errorf("readFile = %q", b)
	}
	var md struct {
		IsDirectory, IsFile, IsSymlink bool
		ModifiedAtMs                   int64
	}
	c.call("fs/getMetadata", map[string]any{"path": file}).decode(t, &md)
	if !md.IsFile || md.IsDirectory || md.ModifiedAtMs == 0 {
		t.Errorf("metadata = %+v", md)
	}
	if err := os.Symlink(file, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	c.call("fs/getMetadata", map[string]any{"path": filepath.Join(dir, "link")}).decode(t, &md)
	if !md.IsSymlink || !md.IsFile {
		t.Errorf("symlink metadata = %+v", md)
	}
	c.call("fs/copy", map[string]any{"sourcePath": filepath.Join(f.work, "a"), "destinationPath": filepath.Join(f.work, "copy"), "recursive": true})
	var rd struct {
		Entries []struct {
			FileName    string
			IsDirectory bool
			IsFile      bool
		}
	}
	c.call("fs/readDirectory", map[string]any{"path": filepath.Join(f.work, "copy", "b")}).decode(t, &rd)
	if len(rd.Entries) != 2 {
		t.Errorf("copied dir = %+v", rd)
	}
	if m := c.callErr("fs/copy", map[string]any{"sourcePath": filepath.Join(f.work, "a"), "destinationPath": filepath.Join(f.work, "a", "inside"), "recursive": true}); m.Error == nil {
		t.Errorf("copy into itself: %s", m)
	}
	c.call("fs/remove", map[string]any{"path": filepath.Join(f.work, "a")})
	if _, err := os.Stat(filepath.Join(f.work, "a")); err == nil {
		t.Error("fs/remove left the directory")
	}
	if m := c.callErr("fs/readFile", map[string]any{"path": file}); m.Error == nil {
		t.Errorf("read of a removed file: %s", m)
	}
	// fuzzyFileSearch over the copy.
	var fz struct {
		Files []struct {
			Path string `json:"path"`
		} `json:"files"`
	}
	c.call("fuzzyFileSearch", map[string]any{"query": "xbin", "roots": []string{f.work}}).decode(t, &fz)
	if len(fz.Files) == 0 || fz.Files[0].Path != filepath.Join("copy", "b", "x.bin") {
		t.Errorf("fuzzyFileSearch = %+v", fz)
	}
}

func TestEOFWithStreamingCommand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t)
	c.request("command/exec", map[string]any{"command": []string{"cat"}, "cwd": f.work, "processId": "cat-2",
		"streamStdin": true, "streamStdoutStderr": true})
	c.call("command/exec/write", map[string]any{"processId": "cat-2", "deltaBase64": base64.StdEncoding.EncodeToString([]byte("x\n"))})
	c.until("command/exec/outputDelta")
	_ = c.in.Close()
	if err := <-c.exited; err != nil {
		t.Errorf("exit: %v", err)
	}
	c.exited <- nil
}

// TestCommandExecTerminal runs a command on a terminal of the size the
// client asks for, resizes it, and types into it.
func TestCommandExecTerminal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.start(t)
	id := c.request("command/exec", map[string]any{"command": []string{"sh", "-c", "test -t 0 && echo is-a-tty; stty size; read x; stty size; echo got:$x"},
		"cwd": f.work, "processId": "tty-1", "tty": true, "streamStdin": true, "streamStdoutStderr": true,
		"size": map[string]any{"rows": 30, "cols": 100}})
	var seen strings.Builder
	for !strings.Contains(seen.String(), "30 100") {
		m := c.next()
		if m.Method != "command/exec/outputDelta" {
			continue
		}
		var d struct{ DeltaBase64 string }
		m.decode(t, &d)
		b, _ := base64.StdEncoding.DecodeString(d.DeltaBase64)
		seen.Write(b)
	}
	c.call("command/exec/resize", map[string]any{"processId": "tty-1", "size": map[string]any{"rows": 40, "cols": 120}})
	c.call("command/exec/write", map[string]any{"processId": "tty-1", "deltaBase64": base64.StdEncoding.EncodeToString([]byte("hello\n"))})
	var r struct {
		ExitCode int
		Stdout   string
	}
	c.answer(id).decode(t, &r)
	// Streamed output comes as deltas only, as in the Codex CLI.
	for _, m := range c.drain() {
		if m.Method == "command/exec/outputDelta" {
			var d struct{ DeltaBase64 string }
			m.decode(t, &d)
			b, _ := base64.StdEncoding.DecodeString(d.DeltaBase64)
			seen.Write(b)
		}
	}
	out := seen.String()
	if r.ExitCode != 0 || r.Stdout != "" || !strings.Contains(out, "is-a-tty") || !strings.Contains(out, "40 120") || !strings.Contains(out, "got:hello") {
		t.Errorf("tty command = %+v, output %q", r, out)
	}
	if m := c.callErr("command/exec/resize", map[string]any{"processId": "tty-1", "size": map[string]any{"rows": 1, "cols": 1}}); m.Error == nil {
		t.Errorf("resize of an ended process: %s", m)
	}
}
