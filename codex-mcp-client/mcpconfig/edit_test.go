package mcpconfig

import (
	"testing"

	"github.com/codexgo/common/config"
)

func TestSetServer(t *testing.T) {
	tests := []struct {
		name, in string
		server   string
		srv      Server
		want     string
	}{
		{
			name: "empty file", in: "", server: "docs",
			srv:  Server{Command: "docs-server", Args: []string{"--port", "4000"}, Env: map[string]string{"TOKEN": "secret", "A B": "x\"y"}},
			want: "[mcp_servers.docs]\ncommand = \"docs-server\"\nargs = [\"--port\", \"4000\"]\n\n[mcp_servers.docs.env]\n\"A B\" = \"x\\\"y\"\nTOKEN = \"secret\"\n",
		},
		{
			name: "append keeps comments and layout", server: "web", srv: Server{URL: "https://example.test/mcp", BearerTokenEnvVar: "TOK"},
			in:   "# my settings\nmodel = \"o3\"   # trailing comment\n\n[tui]\n  theme = 'dark'\n",
			want: "# my settings\nmodel = \"o3\"   # trailing comment\n\n[tui]\n  theme = 'dark'\n\n[mcp_servers.web]\nurl = \"https://example.test/mcp\"\nbearer_token_env_var = \"TOK\"\n",
		},
		{
			name: "replace in place, comment above kept with new table", server: "a", srv: Server{Command: "new"},
			in:   "model = \"x\"\n\n# server a\n[mcp_servers.a]\ncommand = \"old\"  # old one\nargs = [\"1\"]\n\n[mcp_servers.a.env]\nK = \"v\"\n\n# server b\n[mcp_servers.b]\ncommand = \"b\"\n",
			want: "model = \"x\"\n\n# server a\n[mcp_servers.a]\ncommand = \"new\"\n\n# server b\n[mcp_servers.b]\ncommand = \"b\"\n",
		},
		{
			name: "inline definition replaced by a table at the end", server: "a", srv: Server{Command: "new"},
			in:   "[mcp_servers]\na = { command = \"old\" }\nb = { command = \"b\" }\n\n[tui]\nx = 1\n",
			want: "[mcp_servers]\nb = { command = \"b\" }\n\n[tui]\nx = 1\n\n[mcp_servers.a]\ncommand = \"new\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetServer([]byte(tt.in), tt.server, tt.srv)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			if err := checkEdit(got, tt.server, &tt.srv); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestRemoveServer(t *testing.T) {
	tests := []struct {
		name, in, server string
		found            bool
		want             string
	}{
		{
			name: "tables and sub-tables", server: "a", found: true,
			in:   "# top\nmodel = \"x\"\n\n# about a\n[mcp_servers.a]\ncommand = \"a\"\n\n[mcp_servers.a.env]\nK = \"v\"\n\n[mcp_servers.b] # b\ncommand = \"b\"\n",
			want: "# top\nmodel = \"x\"\n\n[mcp_servers.b] # b\ncommand = \"b\"\n",
		},
		{
			name: "inline and dotted forms", server: "a", found: true,
			in:   "mcp_servers.a.command = \"x\"\nmcp_servers.a.args = [\n  \"1\",\n]\nmodel = \"m\"\n[mcp_servers]\na.env = { K = \"v\" }\nb = { command = \"b\" } # keep\n",
			want: "model = \"m\"\n[mcp_servers]\nb = { command = \"b\" } # keep\n",
		},
		{
			name: "unknown server", server: "zz", found: false,
			in:   "[mcp_servers.a]\ncommand = \"a\"\n",
			want: "[mcp_servers.a]\ncommand = \"a\"\n",
		},
		{
			name: "last table, no trailing newline", server: "a", found: true,
			in:   "model = \"m\"\n\n[mcp_servers.a]\ncommand = \"a\"",
			want: "model = \"m\"\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := RemoveServer([]byte(tt.in), tt.server)
			if err != nil {
				t.Fatal(err)
			}
			if found != tt.found || string(got) != tt.want {
				t.Errorf("found %v (want %v), got:\n%s\nwant:\n%s", found, tt.found, got, tt.want)
			}
			if err := checkEdit(got, tt.server, nil); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestEditRejectsBadTOML(t *testing.T) {
	if _, _, err := RemoveServer([]byte("[mcp_servers.a\n"), "a"); err == nil {
		t.Error("RemoveServer accepted broken TOML")
	}
	if _, err := SetServer([]byte("x = = 1\n"), "a", Server{Command: "c"}); err == nil {
		t.Error("SetServer accepted broken TOML")
	}
}

func FuzzEdit(f *testing.F) {
	f.Add("[mcp_servers.a]\ncommand = \"a\"\n[mcp_servers.a.env]\nK='v'\n", "a")
	f.Add("mcp_servers.a = { command = \"x\" }\n# c\n[x]\ny=1\n", "a")
	f.Add("[mcp_servers]\na.command = \"x\"\n", "a")
	f.Fuzz(func(t *testing.T, doc, name string) {
		if !ValidName(name) {
			return
		}
		if _, err := Parse([]byte(doc)); err != nil {
			return
		}
		out, _, err := RemoveServer([]byte(doc), name)
		if err == nil {
			if servers, perr := Parse(out); perr == nil {
				if _, still := servers[name]; still {
					t.Fatalf("server %q still present after remove:\n%s", name, out)
				}
			}
		}
		srv := Server{Command: "cmd", Args: []string{"a b"}}
		if out, err := SetServer([]byte(doc), name, srv); err == nil {
			_ = checkEdit(out, name, &srv) // must not panic; a refused edit is fine
		}
	})
}

func TestFromConfig(t *testing.T) {
	doc := []byte("[mcp_servers.a]\ncommand = \"srv\"\nargs = [\"x\"]\ntool_timeout_sec = 1.5\nenabled_tools = [\"t\"]\n[mcp_servers.a.env]\nK = \"v\"\n\n[mcp_servers.h]\nurl = \"http://127.0.0.1:9/mcp\"\nenabled = false\n")
	want, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("config.toml", doc, config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := FromConfig(cfg.McpServers)
	if len(got) != len(want) {
		t.Fatalf("got %d servers, want %d", len(got), len(want))
	}
	for name := range want {
		if !sameServer(got[name], want[name]) {
			t.Errorf("%s: FromConfig gave %+v, Parse gave %+v", name, got[name], want[name])
		}
	}
}
