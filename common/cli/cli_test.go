package cli

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var s string
	var d time.Duration
	var b bool
	fs.StringVar(&s, "m", "", "`MODEL` to use")
	fs.StringVar(&s, "model", "", "`MODEL` to use")
	fs.DurationVar(&d, "timeout", time.Second, "give up after this long")
	fs.BoolVar(&b, "add-dir-ok", false, "a switch")
	fs.StringVar(&s, "add-dir", "", "extra `DIR`")
	return fs
}

func TestFlagError(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--timeout", "5"}, "--timeout 5: a duration needs a unit: write --timeout 5s (or ms, m, h)"},
		{[]string{"--timeout=1.5"}, "--timeout 1.5: a duration needs a unit: write --timeout 1.5s (or ms, m, h)"},
		{[]string{"--timeout", "soon"}, "--timeout soon: not a duration; write it like 90s, 500ms or 2m"},
		{[]string{"--nope"}, "unknown flag --nope"},
		{[]string{"--modle", "x"}, "unknown flag --modle (did you mean --model?)"},
		{[]string{"-x"}, "unknown flag -x"},
		{[]string{"--model"}, "--model needs a value"},
		{[]string{"--add-dir-ok=maybe"}, "--add-dir-ok=maybe: not true or false"},
	}
	for _, c := range cases {
		fs := testFlags()
		err := fs.Parse(c.args)
		if err == nil {
			t.Fatalf("%q parsed", c.args)
		}
		if got := FlagError(fs, err); got != c.want {
			t.Errorf("%q: got %q, want %q", c.args, got, c.want)
		}
		// ff wraps the same errors.
		wrapped := errors.New("error parsing commandline arguments: " + err.Error())
		if got := FlagError(fs, wrapped); got != c.want {
			t.Errorf("%q wrapped: got %q, want %q", c.args, got, c.want)
		}
	}
}

func testCommand() *Command {
	return &Command{
		Name: "tool", Summary: "does things", Synopsis: []string{"[flags] ARG"}, Description: "Does things.",
		Flags:     testFlags,
		Examples:  []Example{{Command: "tool --model x y", Explain: "an example"}},
		ExitCodes: []ExitCode{{Code: "0", Meaning: "ok"}},
		Subcommands: []*Command{
			{Name: "tool sub", Summary: "a subcommand", Flags: func() *flag.FlagSet {
				fs := flag.NewFlagSet("sub", flag.ContinueOnError)
				fs.Bool("deep", false, "go deep")
				return fs
			}},
		},
	}
}

func TestWriteHelp(t *testing.T) {
	var b bytes.Buffer
	testCommand().WriteHelp(&b)
	help := b.String()
	for _, want := range []string{
		"Usage:\n  tool [flags] ARG\n",
		"  -m, --model MODEL",
		"      --add-dir DIR",
		"      --timeout DURATION",
		"(default 1s)",
		"  -h, --help",
		"Commands:\n  sub  a subcommand\n",
		"Examples:\n  tool --model x y\n      an example\n",
		"Exit status:\n  0  ok\n",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, " -model") || strings.Contains(help, " -add-dir") {
		t.Errorf("a long flag shown with one dash:\n%s", help)
	}
}

// TestBashCompletion loads the generated script in bash and completes.
func TestBashCompletion(t *testing.T) {
	var b bytes.Buffer
	if err := testCommand().WriteCompletion(&b, "bash"); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "c.bash")
	if err := os.WriteFile(script, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for words, want := range map[string]string{
		"tool --mo":    "--model",
		"tool s":       "sub",
		"tool sub --d": "--deep",
		"tool --add":   "--add-dir --add-dir-ok",
	} {
		probe := `source "$1"; COMP_WORDS=(` + words + `); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _tool; echo "${COMPREPLY[*]}"`
		out, err := exec.Command("bash", "-c", probe, "bash", script).Output()
		if err != nil {
			t.Fatalf("%s: %v", words, err)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("complete %q = %q, want %q", words, got, want)
		}
	}
	for _, shell := range []string{"zsh", "fish"} {
		if err := testCommand().WriteCompletion(io.Discard, shell); err != nil {
			t.Errorf("%s: %v", shell, err)
		}
	}
	if err := testCommand().WriteCompletion(io.Discard, "tcsh"); err == nil {
		t.Error("tcsh: no error")
	}
}

func TestRoffEscapes(t *testing.T) {
	if got := roff(".dot first\n'quote -x \\"); got != `\&.dot first`+"\n"+`\&'quote \-x \e` {
		t.Errorf("roff = %q", got)
	}
}

// FuzzFlagError: whatever the command line, the rewritten error is one
// line and never empty.
func FuzzFlagError(f *testing.F) {
	for _, s := range []string{"--timeout\x005", "--nope", "--model", "--add-dir-ok=maybe", "-x\x00y", "--timeout=1.5e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fs := testFlags()
		err := fs.Parse(strings.Split(line, "\x00"))
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return
		}
		msg := FlagError(fs, err)
		if msg == "" || (strings.Contains(msg, "\n") && !strings.Contains(line, "\n")) {
			t.Errorf("FlagError(%q) = %q", err, msg)
		}
	})
}
