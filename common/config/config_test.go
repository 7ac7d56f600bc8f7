package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

func TestCodexCLIConfigLoads(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	data, err := os.ReadFile("testdata/codex-cli.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(home, Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"model", c.Model, "gpt-5.1-codex-max"},
		{"sandbox_mode", c.SandboxMode, "workspace-write"},
		{"writable_roots", c.SandboxWorkspaceWrite.WritableRoots, []string{"/home/user/.cache/pip"}},
		{"network_access", c.SandboxWorkspaceWrite.NetworkAccess, true},
		{"inherit", c.ShellEnvironmentPolicy.Inherit, "core"},
		{"set", c.ShellEnvironmentPolicy.Set, map[string]string{"CI": "1"}},
		{"azure query", c.ModelProviders["azure"].QueryParams, map[string]string{"api-version": "2025-04-01-preview"}},
		{"azure retries", *c.ModelProviders["azure"].StreamMaxRetries, int64(10)},
		{"local wire", c.ModelProviders["local"].WireAPI, "chat"},
		{"mcp args", c.McpServers["docs"].Args, []string{"-y", "@modelcontextprotocol/server-everything"}},
		{"mcp startup int as float", *c.McpServers["docs"].StartupTimeoutSec, 20.0},
		{"mcp tool timeout", *c.McpServers["docs"].ToolTimeoutSec, 30.5},
		{"mcp enabled default", c.McpServers["docs"].IsEnabled(), true},
		{"mcp disabled", c.McpServers["remote"].IsEnabled(), false},
		{"trust", c.Projects["/home/user/src/app"].TrustLevel, "trusted"},
		{"notify", c.Notify, []string{"notify-send", "Codex"}},
		{"history", c.History.MaxBytes, int64(1048576)},
		{"unknown key kept", c.Raw["file_opener"], "vscode"},
		{"unknown table kept", c.Raw["otel"].(map[string]any)["exporter"], "none"},
		{"path", c.Path, filepath.Join(home, FileName)},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s: got %#v, want %#v", ck.name, ck.got, ck.want)
		}
	}
}

func TestPrecedence(t *testing.T) {
	t.Parallel()
	file := `
model = "file-model"
approval_policy = "untrusted"
profile = "work"

[sandbox_workspace_write]
network_access = true
writable_roots = ["/a"]

[profiles.work]
model = "profile-model"
sandbox_mode = "workspace-write"

[profiles.work.sandbox_workspace_write]
network_access = false

[profiles.play]
model = "play-model"
`
	tests := []struct {
		name string
		opts Options
		want func(c *Config) []any // got values
		exp  []any
	}{
		{
			name: "defaults only for unset keys",
			opts: Options{Profile: "play"},
			want: func(c *Config) []any { return []any{c.Model, c.SandboxMode, c.ModelProvider, c.ApprovalPolicy} },
			exp:  []any{"play-model", "read-only", "openai", "untrusted"},
		},
		{
			name: "file profile key selects profile; profile tables merge",
			want: func(c *Config) []any {
				return []any{c.Model, c.SandboxMode, c.SandboxWorkspaceWrite.NetworkAccess, c.SandboxWorkspaceWrite.WritableRoots, c.Profile}
			},
			exp: []any{"profile-model", "workspace-write", false, []string{"/a"}, "work"},
		},
		{
			name: "-c beats profile",
			opts: Options{Overrides: []string{"model=o3", `sandbox_workspace_write.network_access=true`, "approval_policy=never"}},
			want: func(c *Config) []any { return []any{c.Model, c.SandboxWorkspaceWrite.NetworkAccess, c.ApprovalPolicy} },
			exp:  []any{"o3", true, "never"},
		},
		{
			name: "-c raw string when not TOML, quoted keys, inline tables",
			opts: Options{Overrides: []string{
				"model=gpt-5-codex",
				`projects."/tmp/x y".trust_level="trusted"`,
				`model_providers.mock={name="Mock", base_url="http://127.0.0.1:1/v1", wire_api="chat"}`,
				"model_context_window=1000",
			}},
			want: func(c *Config) []any {
				return []any{c.Model, c.Projects["/tmp/x y"].TrustLevel, c.ModelProviders["mock"].WireAPI, c.ModelContextWindow}
			},
			exp: []any{"gpt-5-codex", "trusted", "chat", int64(1000)},
		},
		{
			name: "explicit profile option beats file's profile key",
			opts: Options{Profile: "play", Overrides: []string{"sandbox_mode=danger-full-access"}},
			want: func(c *Config) []any { return []any{c.Model, c.SandboxMode, c.Profile} },
			exp:  []any{"play-model", "danger-full-access", "play"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("config.toml", []byte(file), tt.opts)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := tt.want(c); !reflect.DeepEqual(got, tt.exp) {
				t.Errorf("got %#v, want %#v", got, tt.exp)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		opts Options
		want string
	}{
		{"syntax error has line:col", "model = \"x\"\nsandbox_mode = [\n", Options{}, "config.toml:2:17: "},
		{"wrong type has line:col", "model = \"x\"\n\n[history]\nmax_bytes = \"lots\"\n", Options{}, "config.toml:4:13: history.max_bytes: expected an integer, got a string"},
		{"wrong type names key and types", "model = 5\n", Options{}, `config.toml:1:9: model: expected a string (in quotes: "…"), got an integer`},
		{"array expected", "[sandbox_workspace_write]\nwritable_roots = \"/tmp\"\n", Options{}, `config.toml:2:18: sandbox_workspace_write.writable_roots: expected an array of strings`},
		{"bool expected", "[sandbox_workspace_write]\nnetwork_access = \"yes\"\n", Options{}, `sandbox_workspace_write.network_access: expected true or false, got a string`},
		{"duplicate table", "[a]\nx=1\n[a]\ny=2\n", Options{}, "config.toml:3:"},
		{"missing profile", "model = \"x\"\n", Options{Profile: "nope"}, `config profile "nope" not found`},
		{"override without =", "", Options{Overrides: []string{"model"}}, `invalid override "model"`},
		{"override whose key is a comment", "", Options{Overrides: []string{"#x=1"}}, `invalid override "#x=1": bad key "#x"`},
		{"override wrong type", "", Options{Overrides: []string{"model_context_window=\"big\""}}, "-c override model_context_window: expected an integer, got a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("config.toml", []byte(tt.file), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			for _, internal := range []string{"struct field", "cannot decode", "config.Config", "toml: "} {
				if strings.Contains(err.Error(), internal) {
					t.Errorf("error shows Go internals (%s): %q", internal, err)
				}
			}
		})
	}
}

func TestLoadMissingFileAndProfileFile(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	c, err := Load(home, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Model, Defaults().Model; got != want || c.Path != "" {
		t.Errorf("got model %q path %q, want %q and no path", got, c.Path, want)
	}
	if err := os.WriteFile(filepath.Join(home, "ci.config.toml"), []byte("model = \"ci-model\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Load(home, Options{Profile: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Model, "ci-model"; got != want {
		t.Errorf("profile file: got %q, want %q", got, want)
	}
	if _, err := Load(home, Options{Profile: "absent"}); err == nil {
		t.Error("absent profile: got nil error")
	}
}

func TestProvider(t *testing.T) {
	t.Parallel()
	c, err := Parse("", []byte("openai_base_url = \"http://127.0.0.1:9/v1\"\n[model_providers.x]\nbase_url=\"http://h/v1\"\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c.Provider("openai"); p.BaseURL != "http://127.0.0.1:9/v1" || p.EnvKey != "OPENAI_API_KEY" {
		t.Errorf("openai: got %+v", p)
	}
	if p, ok := c.Provider("x"); !ok || p.WireAPI != "responses" {
		t.Errorf("x: got %+v %v, want responses wire", p, ok)
	}
	if _, ok := c.Provider("nope"); ok {
		t.Error("nope: got ok")
	}
}

func TestOverrideFlag(t *testing.T) {
	t.Parallel()
	var o OverrideFlag
	if err := o.Set("a=1"); err != nil {
		t.Fatal(err)
	}
	if err := o.Set("b"); err == nil {
		t.Error("Set(b): got nil error")
	}
	if got, want := o.String(), "a=1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile("testdata/codex-cli.toml")
	f.Add(seed, "model=x")
	f.Add([]byte("a = [\n"), "a.b.c={x=1}")
	f.Add([]byte(""), "#x=1") // a key that is only a comment once panicked
	f.Add([]byte("approval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = 1 } }\n"), "approval_policy.granular.rules=true")
	f.Add([]byte("[approval_policy.granular]\nrules = true\n[profiles.p]\napproval_policy = { granular = {} }\n"), "profile=\"p\"")
	f.Fuzz(func(t *testing.T, data []byte, override string) {
		cfg, err := Parse("fuzz.toml", data, Options{Overrides: []string{override}})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		// A table that loads is a policy the agent can read.
		if strings.HasPrefix(cfg.ApprovalPolicy, "granular:") {
			if _, err := protocol.ParseAskForApproval(cfg.ApprovalPolicy); err != nil {
				t.Errorf("approval_policy %q: %v", cfg.ApprovalPolicy, err)
			}
		}
	})
}

func TestWhere(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, FileName), []byte("model = \"m\"\n# x\nsandbox_mode = \"bogus\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(home, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Where(cfg, "sandbox_mode"), filepath.Join(home, FileName)+":3"; got != want {
		t.Errorf("Where = %q, want %q", got, want)
	}
	if got := Where(cfg, "approval_policy"); got != filepath.Join(home, FileName) {
		t.Errorf("Where of an unset key = %q", got)
	}
	if got := Where(&Config{}, "x"); got != "config" {
		t.Errorf("Where without a file = %q", got)
	}
}
