package tui

import (
	"context"
	"os"
	"strings"
	"testing"
)

// approvalWant ends the error of a bad -a value: the names it takes.
const approvalWant = "(want untrusted, on-failure, on-request or never; a granular policy is set in config.toml: approval_policy = { granular = { sandbox_approval = …, rules = …, mcp_elicitations = … } })\n"

func TestMainUsageAndErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"help", []string{"-h"}, 0, "Usage:\n  codex-tui [flags] [PROMPT]", ""},
		{"resume help", []string{"resume", "--help"}, 0, "--last", ""},
		{"version", []string{"--version"}, 0, "codex-tui ", ""},
		{"bad flag", []string{"--nope"}, 2, "", "codex-tui: unknown flag --nope"},
		{"misspelt flag", []string{"--sandbx", "read-only"}, 2, "", "unknown flag --sandbx (did you mean --sandbox?)"},
		{"bad sandbox", []string{"-s", "everything"}, 2, "", "unknown sandbox mode"},
		{"bad approval", []string{"-a", "sometimes"}, 2, "", "codex-tui: -a/--ask-for-approval: unknown approval policy \"sometimes\" " + approvalWant},
		// A granular policy is config.toml's (a table), never the flag's,
		// as codex proto -a says.
		{"granular approval", []string{"-a", "granular:rules"}, 2, "", "codex-tui: -a/--ask-for-approval: unknown approval policy \"granular:rules\" " + approvalWant},
		{"granular approval, all", []string{"--ask-for-approval", "granular:sandbox_approval,rules,mcp_elicitations"}, 2, "", "unknown approval policy \"granular:sandbox_approval,rules,mcp_elicitations\" " + approvalWant},
		{"granular approval, none", []string{"-a", "granular:"}, 2, "", "unknown approval policy \"granular:\" " + approvalWant},
		{"not a terminal", []string{"hello"}, 1, "", "stdin is not a terminal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A regular file as stdin: not a terminal.
			stdin, err := os.Open(os.Args[0])
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = stdin.Close() }()
			var out, errb strings.Builder
			code := Main(context.Background(), tt.args, stdin, &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.out) || !strings.Contains(errb.String(), tt.err) {
				t.Errorf("stdout %q stderr %q; want %q and %q", out.String(), errb.String(), tt.out, tt.err)
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
				t.Errorf("usage error is not one line: %q", errb.String())
			}
		})
	}
}

func TestAgentArgs(t *testing.T) {
	got := strings.Join(agentArgs(Options{Model: "o3", Approval: "never", Sandbox: "read-only", Config: []string{"x=1"}, Search: true,
		AddDirs: []string{"/extra"}, Enable: []string{"f"}}), " ")
	want := `app-server -c x=1 --add-dir /extra --enable f -c model="o3" -c approval_policy="never" -c sandbox_mode="read-only" -c tools.web_search=true`
	if got != want {
		t.Errorf("agentArgs = %s, want %s", got, want)
	}
}

func TestEditorCommand(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"VISUAL": "code --wait", "EDITOR": "nano"}, "code --wait"},
		{map[string]string{"EDITOR": "nano"}, "nano"},
		{nil, "vi"},
	}
	for _, tt := range tests {
		if got := editorCommand(env(tt.env)); got != tt.want {
			t.Errorf("editorCommand(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

// TestApprovalFlagFromEnv: -a given as CODEX_TUI_ASK_FOR_APPROVAL is
// checked as the flag is: a granular spelling is refused.
func TestApprovalFlagFromEnv(t *testing.T) {
	t.Setenv("CODEX_TUI_ASK_FOR_APPROVAL", "granular:rules")
	// A regular file as stdin: were the value taken, the TUI would stop
	// at once (not a terminal).
	stdin, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close() }()
	var out, errb strings.Builder
	code := Main(context.Background(), nil, stdin, &out, &errb)
	if want := "codex-tui: -a/--ask-for-approval: unknown approval policy \"granular:rules\" " + approvalWant; code != 2 || errb.String() != want {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), want)
	}
}
