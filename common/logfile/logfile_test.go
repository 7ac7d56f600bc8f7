package logfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	l, closeLog, err := Open(home, "codex-exec", "", getenv)
	if err != nil {
		t.Fatal(err)
	}
	l.Error("not written")
	_ = closeLog()
	if _, err := os.Stat(filepath.Join(home, "log")); !os.IsNotExist(err) {
		t.Errorf("a log without a level: %v", err)
	}
	env[EnvVar] = "info"
	l, closeLog, err = Open(home, "codex-exec", "", getenv)
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("below the level")
	l.Info("turn started", "turn", "1")
	_ = closeLog()
	// The flag beats the environment.
	l, closeLog, err = Open(home, "codex-exec", "debug", getenv)
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("now debug")
	_ = closeLog()
	path := filepath.Join(home, "log", "codex-exec.log")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "below the level") || !strings.Contains(s, `msg="turn started" pid=`) || !strings.Contains(s, " turn=1") || !strings.Contains(s, "now debug") {
		t.Errorf("log:\n%s", s)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v", st.Mode())
	}
	if _, _, err := Open(home, "x", "loud", getenv); err == nil || !strings.Contains(err.Error(), "unknown log level") {
		t.Errorf("bad flag level: %v", err)
	}
	env[EnvVar] = "loud"
	if _, _, err := Open(home, "x", "", getenv); err == nil || !strings.Contains(err.Error(), "CODEX_LOG") {
		t.Errorf("bad CODEX_LOG: %v", err)
	}
}
