package codex

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCompletionBash loads the bash script in a real bash and asks it to
// complete `codex e` and `codex sandbox f`.
func TestCompletionBash(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Default().Run(t.Context(), []string{"codex", "completion", "bash"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "codex.bash")
	if err := os.WriteFile(script, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file-one"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		words string
		want  string
	}{
		{"codex e", "exec execpolicy"},
		{"codex lo", "login logout"},
		{"codex sandbox file-", "file-one"},
		// Each command's flags, from the flag sets it parses with.
		{"codex sandbox --full", "--full-auto"},
		{"codex sandbox linux --add", "--add-dir"},
		{"codex exec --skip", "--skip-git-repo-check"},
		{"codex exec resume --la", "--last"},
		{"codex mcp a", "add"},
		{"codex mcp add --bearer", "--bearer-token-env-var"},
		{"codex execpolicy check --exit", "--exit-code"},
		{"codex --sea", "--search"},
		// After "--", a command.
		{"codex sandbox -- basenam", "basename"},
	} {
		probe := `source "$1"; COMP_WORDS=(` + tc.words + `); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _codex; echo "${COMPREPLY[*]}"`
		cmd := exec.Command("bash", "-c", probe, "bash", script)
		cmd.Dir = dir
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", tc.words, err)
		}
		// compgen -c lists a command once per PATH entry holding it.
		words := slices.Compact(strings.Fields(string(got)))
		if strings.Join(words, " ") != tc.want {
			t.Errorf("complete %q = %q, want %q", tc.words, strings.Join(words, " "), tc.want)
		}
	}
}

func TestCompletionShells(t *testing.T) {
	for _, tc := range []struct {
		shell string
		want  []string
		code  int
	}{
		{"zsh", []string{"#compdef codex", "(root/sandbox) subs=(", "'--full-auto:workspace-write", "compdef _codex codex"}, 0},
		{"fish", []string{"complete -c codex -n 'test (_codex_path) = root' -f -a 'sandbox' -d 'run a command", "complete -c codex -n 'test (_codex_path) = root/sandbox' -l 'full-auto'"}, 0},
		{"tcsh", nil, 2},
	} {
		var out, errb bytes.Buffer
		code := Default().Run(t.Context(), []string{"codex", "completion", tc.shell}, nil, &out, &errb)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d (%s)", tc.shell, code, tc.code, errb.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: script lacks %q:\n%s", tc.shell, w, out.String())
			}
		}
	}
}
