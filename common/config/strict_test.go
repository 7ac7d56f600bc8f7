package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStrictConfig(t *testing.T) {
	home := t.TempDir()
	body := "model = \"x\"\nbogus_key = 1\n[tui]\nfoo = 2\n[mcp_servers.a]\ncommand = \"x\"\nwat = 3\n[model_providers.p]\nbase_url = \"u\"\n[profiles.w]\nmodel = \"y\"\nnope = 1\n[features]\nhooks = true\n[[hooks.Stop]]\n"
	if err := os.WriteFile(filepath.Join(home, FileName), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(home, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Unknown(), " "); got != "bogus_key mcp_servers.a.wat profiles.w.nope tui" {
		t.Errorf("Unknown() = %s", got)
	}
	_, err = Load(home, Options{Strict: true})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(home, FileName)+":2: unknown configuration field `bogus_key`") ||
		!strings.Contains(err.Error(), "`mcp_servers.a.wat`") {
		t.Errorf("strict: %v", err)
	}
	// Overrides are checked too; a clean file passes.
	if err := os.WriteFile(filepath.Join(home, FileName), []byte("model = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(home, Options{Strict: true}); err != nil {
		t.Errorf("clean: %v", err)
	}
	if _, err := Load(home, Options{Strict: true, Overrides: []string{"modle=1"}}); err == nil || !strings.Contains(err.Error(), "`modle`") {
		t.Errorf("override: %v", err)
	}
}
