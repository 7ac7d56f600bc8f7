package codex

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codexgo/common/schemacheck"
)

func TestDoctor(t *testing.T) {
	home := t.TempDir()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusMethodNotAllowed) }))
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	cfg := "model = \"x\"\nbogus = 1\n[mcp_servers.up]\nurl = \"" + srv.URL + "\"\n[mcp_servers.down]\nurl = \"" + deadURL + "\"\n" +
		"[mcp_servers.sh]\ncommand = \"sh\"\n[mcp_servers.missing]\ncommand = \"no-such-mcp-server-xyz\"\n[mcp_servers.off]\ncommand = \"nope\"\nenabled = false\n"
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CODEX_HOME": home}
	explain := []byte(`{"mechanism":"landlock","active":["landlock-fs (ABI 7)"],"unavailable":[]}`)
	deps := doctorDeps{getenv: func(k string) string { return env[k] }, http: srv.Client(),
		explain: func(context.Context) ([]byte, error) { return explain, nil }}
	var reports [][]byte
	run := func() (map[string]Check, int) {
		var out, errb bytes.Buffer
		code := runDoctor(context.Background(), []string{"--json"}, &out, &errb, deps)
		reports = append(reports, append([]byte(nil), out.Bytes()...))
		var rep struct {
			Checks []Check `json:"checks"`
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%v: %s %s", err, out.String(), errb.String())
		}
		m := map[string]Check{}
		for _, c := range rep.Checks {
			m[c.Name] = c
		}
		return m, code
	}
	m, code := run()
	want := map[string]string{"codex_home": "ok", "config": "warn", "auth": "fail", "sandbox": "ok",
		"mcp up": "ok", "mcp down": "fail", "mcp sh": "ok", "mcp missing": "fail", "mcp off": "ok"}
	for name, st := range want {
		if m[name].Status != st {
			t.Errorf("%s = %+v, want %s", name, m[name], st)
		}
	}
	if code != 1 || !strings.Contains(m["config"].Title, "bogus") {
		t.Errorf("exit %d config %+v", code, m["config"])
	}
	// Everything fine: exit 0.
	env["OPENAI_API_KEY"] = "sk-x"
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte("[mcp_servers.sh]\ncommand = \"sh\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if m, code = run(); code != 0 || m["auth"].Status != "ok" {
		t.Errorf("healthy: exit %d %+v", code, m)
	}
	// No sandbox, or a broken config, fails.
	deps.explain = func(context.Context) ([]byte, error) { return []byte(`{"mechanism":"none"}`), nil }
	if m, code = run(); code != 1 || m["sandbox"].Status != "fail" {
		t.Errorf("no sandbox: exit %d %+v", code, m["sandbox"])
	}
	deps.explain = func(context.Context) ([]byte, error) { return nil, errors.New("helper missing") }
	if m, _ = run(); m["sandbox"].Status != "fail" {
		t.Errorf("explain error: %+v", m["sandbox"])
	}
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte("model = [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if m, code = run(); code != 1 || m["config"].Status != "fail" {
		t.Errorf("broken config: exit %d %+v", code, m["config"])
	}
	var out, errb bytes.Buffer
	if code := runDoctor(context.Background(), []string{"extra"}, &out, &errb, deps); code != 2 {
		t.Errorf("bad argument: %d", code)
	}
	// Every report above (failing, healthy, no sandbox, broken config)
	// follows the schema, which notices a renamed field.
	schemacheck.Check(t, "schema/doctor.schema.json", reports, "protocol_version", "overall_status", "checks")
}
