package codex

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/codexgo/codex-login/authfile"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/version"
)

// doctorProtocolVersion is the major version of `codex doctor --json`'s
// report (its protocol_version; schema/doctor.schema.json): a field added
// compatibly does not change it; a reader takes a report without it as
// version 1 and must refuse a greater one.
const doctorProtocolVersion = 1

// Check is one row of `codex doctor`.
type Check struct {
	Name   string   `json:"name"`
	Status string   `json:"status"` // ok, warn, fail
	Title  string   `json:"title"`
	Fix    string   `json:"fix,omitempty"`
	Notes  []string `json:"notes,omitempty"`
}

// doctorDeps are what the checks read, replaceable in tests.
type doctorDeps struct {
	getenv  func(string) string
	explain func(ctx context.Context) ([]byte, error)
	http    *http.Client
}

// doctorCommand is `codex doctor [--json] [-c key=value]`: what works on
// this machine (config, auth, the sandbox's kernel features, MCP servers
// reachable, CODEX_HOME writable). Exit 0 when nothing failed, 1 when a
// check failed (warnings do not fail).
func doctorCommand(sandboxMain MainFunc) MainFunc {
	return func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
		deps := doctorDeps{getenv: os.Getenv, http: &http.Client{Timeout: 5 * time.Second},
			explain: func(ctx context.Context) ([]byte, error) {
				var out, errb bytes.Buffer
				if code := sandboxMain(ctx, []string{"--explain", "--sandbox", "workspace-write"}, nil, &out, &errb); code != 0 {
					return nil, fmt.Errorf("codex-sandbox --explain: exit %d: %s", code, strings.TrimSpace(errb.String()))
				}
				return out.Bytes(), nil
			}}
		return runDoctor(ctx, args, stdout, stderr, deps)
	}
}

func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer, d doctorDeps) int {
	var overrides config.OverrideFlag
	var asJSONv bool
	asJSON := &asJSONv
	fs := doctorFlagSet(asJSON, &overrides)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			doctorDoc().Rename("codex doctor").WriteHelp(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "codex doctor: %s\n", cli.FlagError(fs, err))
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "codex doctor: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var checks []Check
	home, err := codexhome.Dir(d.getenv)
	if err != nil {
		checks = append(checks, Check{Name: "codex_home", Status: "fail", Title: err.Error(), Fix: "set CODEX_HOME to a folder you own"})
	} else {
		checks = append(checks, homeCheck(home))
	}
	cfg, cfgCheck := configCheck(home, overrides)
	checks = append(checks, cfgCheck, authCheck(home, d.getenv), sandboxCheck(ctx, d.explain))
	if cfg != nil {
		checks = append(checks, mcpChecks(ctx, cfg, d)...)
	}
	failed := false
	for _, c := range checks {
		failed = failed || c.Status == "fail"
	}
	if *asJSON {
		overall := "ok"
		if failed {
			overall = "fail"
		}
		b, _ := json.MarshalIndent(map[string]any{"protocol_version": doctorProtocolVersion, "codex_version": version.Version,
			"overall_status": overall, "checks": checks}, "", "  ")
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprintf(stdout, "codex doctor %s\n\n", version.Version)
		for _, c := range checks {
			label := map[string]string{"ok": "[ok]", "warn": "[!!]", "fail": "[XX]"}[c.Status]
			line := fmt.Sprintf("%s %-12s %s", label, c.Name, c.Title)
			if c.Fix != "" {
				line += " - " + c.Fix
			}
			fmt.Fprintln(stdout, line)
			for _, n := range c.Notes {
				fmt.Fprintf(stdout, "      %s\n", n)
			}
		}
	}
	if failed {
		return exitError
	}
	return exitOK
}

func homeCheck(home string) Check {
	if err := codexhome.Ensure(home); err != nil {
		return Check{Name: "codex_home", Status: "fail", Title: home + ": " + err.Error(), Fix: "make CODEX_HOME a folder you can write"}
	}
	f, err := os.CreateTemp(home, ".doctor-*")
	if err != nil {
		return Check{Name: "codex_home", Status: "fail", Title: home + " is not writable", Fix: "make CODEX_HOME a folder you can write"}
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return Check{Name: "codex_home", Status: "ok", Title: home + " is writable"}
}

func configCheck(home string, overrides []string) (*config.Config, Check) {
	cfg, err := config.Load(home, config.Options{Overrides: overrides})
	if err != nil {
		return nil, Check{Name: "config", Status: "fail", Title: err.Error(), Fix: "correct config.toml, then run codex doctor again"}
	}
	where := cfg.Path
	if where == "" {
		where = "no config.toml (defaults)"
	}
	if unknown := cfg.Unknown(); len(unknown) > 0 {
		return cfg, Check{Name: "config", Status: "warn", Title: where + ": keys codex-go does not read: " + strings.Join(unknown, ", "),
			Fix: "check their spelling (--strict-config makes them errors)"}
	}
	return cfg, Check{Name: "config", Status: "ok", Title: "loaded " + where}
}

func authCheck(home string, getenv func(string) string) Check {
	for _, v := range []string{"CODEX_API_KEY", "OPENAI_API_KEY"} {
		if getenv(v) != "" {
			return Check{Name: "auth", Status: "ok", Title: "an API key is set in " + v}
		}
	}
	f, err := authfile.Load(home)
	switch {
	case err == nil && f != nil:
		return Check{Name: "auth", Status: "ok", Title: "signed in (" + f.Mode() + ") in " + authfile.Path(home)}
	case err != nil && !errors.Is(err, authfile.ErrNotLoggedIn):
		return Check{Name: "auth", Status: "fail", Title: "auth.json could not be read: " + err.Error(), Fix: "run codex login again"}
	}
	return Check{Name: "auth", Status: "fail", Title: "no credentials were found", Fix: "run codex login, or set OPENAI_API_KEY"}
}

func sandboxCheck(ctx context.Context, explain func(context.Context) ([]byte, error)) Check {
	b, err := explain(ctx)
	if err != nil {
		return Check{Name: "sandbox", Status: "fail", Title: err.Error(), Fix: "commands cannot run sandboxed here; see codex-sandbox --explain"}
	}
	var e struct {
		Mechanism   string   `json:"mechanism"`
		Active      []string `json:"active"`
		Unavailable []string `json:"unavailable"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return Check{Name: "sandbox", Status: "fail", Title: "codex-sandbox --explain: " + err.Error()}
	}
	if e.Mechanism == "" || e.Mechanism == "none" {
		return Check{Name: "sandbox", Status: "fail", Title: "no sandbox mechanism on this kernel", Notes: e.Unavailable,
			Fix: "a kernel with Landlock (5.13+) is needed for read-only and workspace-write"}
	}
	c := Check{Name: "sandbox", Status: "ok", Title: e.Mechanism + " enforces the workspace-write policy", Notes: e.Active}
	for _, u := range e.Unavailable {
		c.Notes = append(c.Notes, "unavailable: "+u)
	}
	return c
}

// mcpChecks: a stdio server's command must be found; an HTTP server must
// answer (any HTTP status counts: the point is the network path).
func mcpChecks(ctx context.Context, cfg *config.Config, d doctorDeps) []Check {
	var out []Check
	for name, s := range cfg.McpServers {
		c := Check{Name: "mcp " + name, Status: "ok"}
		switch {
		case !s.IsEnabled():
			c.Status, c.Title = "ok", "disabled"
		case s.URL != "":
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
			if err == nil {
				var resp *http.Response
				if resp, err = d.http.Do(req); err == nil {
					_ = resp.Body.Close()
					c.Title = fmt.Sprintf("%s answers (HTTP %d)", s.URL, resp.StatusCode)
				}
			}
			if err != nil {
				c.Status, c.Title, c.Fix = "fail", s.URL+" is unreachable: "+err.Error(), "check the URL, the network, or disable the server"
			}
		case s.Command != "":
			path := s.Command
			if !filepath.IsAbs(path) && !strings.Contains(path, "/") {
				p, err := exec.LookPath(path)
				if err != nil {
					c.Status, c.Title, c.Fix = "fail", "command "+s.Command+" not found on PATH", "install it or correct mcp_servers."+name+".command"
					break
				}
				path = p
			}
			if st, err := os.Stat(path); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
				c.Status, c.Title, c.Fix = "fail", "command "+path+" is not an executable file", "correct mcp_servers."+name+".command"
				break
			}
			c.Title = "command " + path + " found"
		default:
			c.Status, c.Title, c.Fix = "fail", "neither command nor url", "give mcp_servers."+name+" a command or a url"
		}
		out = append(out, c)
	}
	sortChecks(out)
	return out
}

func sortChecks(cs []Check) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].Name < cs[j-1].Name; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}
