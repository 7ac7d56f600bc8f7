package codex

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/codexgo/common/atomicfile"
	"github.com/codexgo/common/codexhome"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/hooks"
)

// hooksMain is `codex hooks [list [--json] | trust KEY... | trust --all]`:
// the hooks of config.toml with their trust, and the way to trust them
// from a shell (the Codex CLI 0.169 does this in its TUI). Trust is
// written as 0.169 writes it: hooks.state."KEY".trusted_hash.
func hooksMain(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"list"}
	}
	home, err := codexhome.Dir(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "codex hooks: %v\n", err)
		return exitError
	}
	path := filepath.Join(home, config.FileName)
	cfg, err := config.Load(home, config.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "codex hooks: %v\n", err)
		return exitError
	}
	list, errs := hooks.Load(cfg.Raw, path)
	switch args[0] {
	case "-h", "--help", "help":
		hooksDoc().Rename("codex hooks").WriteHelp(stdout)
		return exitOK
	case "list":
		for _, e := range errs {
			fmt.Fprintf(stderr, "warning: %v\n", e)
		}
		if len(args) > 1 && args[1] == "--json" {
			if list == nil {
				list = []hooks.Hook{}
			}
			b, _ := json.MarshalIndent(list, "", "  ")
			fmt.Fprintln(stdout, string(b))
			return exitOK
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, h := range list {
			run := ""
			if !hooks.Fired(h.Event) {
				run = " (not fired by codex-go)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\n", h.Key, h.Event, h.Trust, h.Command, run)
		}
		_ = tw.Flush()
		return exitOK
	case "trust":
		want := map[string]bool{}
		all := false
		for _, a := range args[1:] {
			if a == "--all" {
				all = true
			} else {
				want[a] = true
			}
		}
		if !all && len(want) == 0 {
			fmt.Fprintln(stderr, "usage: codex hooks trust KEY... | --all")
			return exitUsage
		}
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "codex hooks: %v\n", err)
			return exitError
		}
		n := 0
		for _, h := range list {
			if !all && !want[h.Key] {
				continue
			}
			delete(want, h.Key)
			if h.Trust == hooks.Trusted {
				continue
			}
			if data, err = config.SetValue(data, []string{"hooks", "state", h.Key}, "trusted_hash", strconv.Quote(h.Hash)); err != nil {
				fmt.Fprintf(stderr, "codex hooks: %v\n", err)
				return exitError
			}
			n++
			fmt.Fprintf(stdout, "trusted %s: %s\n", h.Key, h.Command)
		}
		for k := range want {
			fmt.Fprintf(stderr, "codex hooks: no hook %s (codex hooks list shows the keys)\n", k)
			return exitUsage
		}
		if n > 0 {
			mode := os.FileMode(0o600)
			if st, err := os.Stat(path); err == nil {
				mode = st.Mode().Perm()
			}
			if err := atomicfile.WriteFile(path, data, mode); err != nil {
				fmt.Fprintf(stderr, "codex hooks: %v\n", err)
				return exitError
			}
		}
		return exitOK
	}
	fmt.Fprintf(stderr, "codex hooks: unknown command %q (list or trust)\n", args[0])
	return exitUsage
}
