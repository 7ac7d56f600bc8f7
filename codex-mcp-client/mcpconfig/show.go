package mcpconfig

import (
	"github.com/codexgo/codex-login/mcpauth"

	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// seconds prints like serde_json's f64 (10 -> 10.0), as Codex's JSON does.
type jsonSeconds float64

func (s jsonSeconds) MarshalJSON() ([]byte, error) {
	out := strconv.FormatFloat(float64(s), 'f', -1, 64)
	if !strings.ContainsAny(out, ".eE") {
		out += ".0"
	}
	return []byte(out), nil
}

type stdioTransport struct {
	Type    string            `json:"type"`
	Command string            `json:"command"`
	Args    []string          `json:"args"`
	Env     map[string]string `json:"env"`
	EnvVars []string          `json:"env_vars"`
	Cwd     *string           `json:"cwd"`
}

type httpTransport struct {
	Type              string            `json:"type"`
	URL               string            `json:"url"`
	BearerTokenEnvVar *string           `json:"bearer_token_env_var"`
	HTTPHeaders       map[string]string `json:"http_headers"`
	EnvHTTPHeaders    map[string]string `json:"env_http_headers"`
}

type listEntry struct {
	Name              string       `json:"name"`
	Enabled           bool         `json:"enabled"`
	DisabledReason    *string      `json:"disabled_reason"`
	Transport         any          `json:"transport"`
	StartupTimeoutSec *jsonSeconds `json:"startup_timeout_sec"`
	ToolTimeoutSec    *jsonSeconds `json:"tool_timeout_sec"`
	AuthStatus        string       `json:"auth_status"`
}

type getEntry struct {
	Name              string       `json:"name"`
	Enabled           bool         `json:"enabled"`
	DisabledReason    *string      `json:"disabled_reason"`
	Transport         any          `json:"transport"`
	EnabledTools      []string     `json:"enabled_tools"`
	DisabledTools     []string     `json:"disabled_tools"`
	StartupTimeoutSec *jsonSeconds `json:"startup_timeout_sec"`
	ToolTimeoutSec    *jsonSeconds `json:"tool_timeout_sec"`
}

func transportJSON(s Server) any {
	if s.IsHTTP() {
		return httpTransport{Type: "streamable_http", URL: s.URL, BearerTokenEnvVar: strOrNil(s.BearerTokenEnvVar),
			HTTPHeaders: mapOrNil(s.HTTPHeaders), EnvHTTPHeaders: mapOrNil(s.EnvHTTPHeaders)}
	}
	args := s.Args
	if args == nil {
		args = []string{}
	}
	envVars := s.EnvVars
	if envVars == nil {
		envVars = []string{}
	}
	return stdioTransport{Type: "stdio", Command: s.Command, Args: args, Env: mapOrNil(s.Env), EnvVars: envVars, Cwd: strOrNil(s.Cwd)}
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func mapOrNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func timeoutJSON(sec, ms *float64) *jsonSeconds {
	switch {
	case sec != nil:
		v := jsonSeconds(*sec)
		return &v
	case ms != nil:
		v := jsonSeconds(*ms / 1000)
		return &v
	}
	return nil
}

func toolTimeoutJSON(s Server) *jsonSeconds { return timeoutJSON(s.ToolTimeoutSec, nil) }

func sortedNames(servers map[string]Server) []string {
	names := make([]string, 0, len(servers))
	for n := range servers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func writePrettyJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func (c *cli) list(path string, jsonOut bool) error {
	servers, err := Load(path)
	if err != nil {
		return err
	}
	names := sortedNames(servers)
	statuses := authStatuses(c.context(), filepath.Dir(path), servers)
	if jsonOut {
		entries := make([]listEntry, 0, len(names))
		for _, n := range names {
			s := servers[n]
			entries = append(entries, listEntry{Name: n, Enabled: s.IsEnabled(), Transport: transportJSON(s),
				StartupTimeoutSec: timeoutJSON(s.StartupTimeoutSec, s.StartupTimeoutMs), ToolTimeoutSec: toolTimeoutJSON(s),
				AuthStatus: statuses[n]})
		}
		return writePrettyJSON(c.stdout, entries)
	}
	if len(names) == 0 {
		_, err := fmt.Fprintln(c.stdout, "No MCP servers configured yet. Try `codex mcp add my-tool -- my-command`.")
		return err
	}
	var stdio, http [][]string
	for _, n := range names {
		s := servers[n]
		status := "enabled"
		if !s.IsEnabled() {
			status = "disabled"
		}
		auth := mcpauth.Display(statuses[n])
		if s.IsHTTP() {
			http = append(http, []string{n, s.URL, orDash(s.BearerTokenEnvVar), status, auth})
			continue
		}
		stdio = append(stdio, []string{n, s.Command, orDash(strings.Join(s.Args, " ")), envDisplay(s.Env, s.EnvVars), orDash(s.Cwd), status, auth})
	}
	if len(stdio) > 0 {
		writeTable(c.stdout, []string{"Name", "Command", "Args", "Env", "Cwd", "Status", "Auth"}, stdio)
	}
	if len(http) > 0 {
		if len(stdio) > 0 {
			_, _ = fmt.Fprintln(c.stdout)
		}
		writeTable(c.stdout, []string{"Name", "Url", "Bearer Token Env Var", "Status", "Auth"}, http)
	}
	return nil
}

func writeTable(w io.Writer, head []string, rows [][]string) {
	widths := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, cell := range r {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	for _, r := range append([][]string{head}, rows...) {
		cells := make([]string, len(r))
		for i, cell := range r {
			cells[i] = cell + strings.Repeat(" ", widths[i]-len([]rune(cell)))
		}
		_, _ = fmt.Fprintln(w, strings.Join(cells, "  "))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// envDisplay masks values: secrets often live in env.
func envDisplay(env map[string]string, envVars []string) string {
	var parts []string
	for _, k := range sortedKeys(env) {
		parts = append(parts, k+"=*****")
	}
	parts = append(parts, envVars...)
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func mapDisplay(m map[string]string, mask bool) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		v := m[k]
		if mask {
			v = "*****"
		}
		parts = append(parts, k+"="+v)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func (c *cli) get(path, name string, jsonOut bool) error {
	servers, err := Load(path)
	if err != nil {
		return err
	}
	s, ok := servers[name]
	if !ok {
		return fmt.Errorf("No MCP server named '%s' found.", name) //nolint:staticcheck // Codex's exact text
	}
	if jsonOut {
		return writePrettyJSON(c.stdout, getEntry{Name: name, Enabled: s.IsEnabled(), Transport: transportJSON(s),
			EnabledTools: s.EnabledTools, DisabledTools: s.DisabledTools,
			StartupTimeoutSec: timeoutJSON(s.StartupTimeoutSec, s.StartupTimeoutMs), ToolTimeoutSec: toolTimeoutJSON(s)})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  enabled: %t\n", name, s.IsEnabled())
	if s.IsHTTP() {
		fmt.Fprintf(&b, "  transport: streamable_http\n  url: %s\n  bearer_token_env_var: %s\n  http_headers: %s\n  env_http_headers: %s\n",
			s.URL, orDash(s.BearerTokenEnvVar), mapDisplay(s.HTTPHeaders, false), mapDisplay(s.EnvHTTPHeaders, false))
	} else {
		fmt.Fprintf(&b, "  transport: stdio\n  command: %s\n  args: %s\n  cwd: %s\n  env: %s\n",
			s.Command, orDash(strings.Join(s.Args, " ")), orDash(s.Cwd), envDisplay(s.Env, s.EnvVars))
	}
	if s.EnabledTools != nil {
		fmt.Fprintf(&b, "  enabled_tools: %s\n", orDash(strings.Join(s.EnabledTools, ", ")))
	}
	if s.DisabledTools != nil {
		fmt.Fprintf(&b, "  disabled_tools: %s\n", orDash(strings.Join(s.DisabledTools, ", ")))
	}
	if t := timeoutJSON(s.StartupTimeoutSec, s.StartupTimeoutMs); t != nil {
		fmt.Fprintf(&b, "  startup_timeout_sec: %s\n", formatSeconds(float64(*t)))
	}
	if s.ToolTimeoutSec != nil {
		fmt.Fprintf(&b, "  tool_timeout_sec: %s\n", formatSeconds(*s.ToolTimeoutSec))
	}
	fmt.Fprintf(&b, "  remove: codex mcp remove %s\n", name)
	_, err = io.WriteString(c.stdout, b.String())
	return err
}
