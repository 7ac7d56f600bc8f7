package codex

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/codexgo/common/atomicfile"
	"github.com/codexgo/common/cli"
	"github.com/codexgo/common/version"
)

// docs returns the description of every tool linked in and of codex
// itself, by name.
func (b *Bundle) docs() map[string]*cli.Command {
	out := map[string]*cli.Command{"codex": b.Tree()}
	for name, d := range b.Docs {
		out[name] = d()
	}
	return out
}

// man writes the man pages of codex, every tool and every command under
// them into DIR (`codex man DIR`, what `make man` runs).
func (b *Bundle) man(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		builtinDoc("man", "").WriteHelp(stdout)
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "codex man: want one DIR to write the pages into (see codex man --help)")
		return exitUsage
	}
	n, err := writeManPages(args[0], b.docs())
	if err != nil {
		fmt.Fprintf(stderr, "codex man: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "wrote %d man pages in %s\n", n, args[0])
	return exitOK
}

func writeManPages(dir string, docs map[string]*cli.Command) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	names := make([]string, 0, len(docs))
	for n := range docs {
		if n != "codex" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	// The tools' own pages first: where `codex NAME` is the tool NAME
	// (codex-sandbox.1), the standalone tool's page is the one written.
	names = append(names, "codex")
	seen := map[string]bool{}
	var err error
	for _, n := range names {
		docs[n].Walk(func(c *cli.Command) {
			if err != nil || seen[c.ManName()] {
				return
			}
			seen[c.ManName()] = true
			var buf bytes.Buffer
			c.WriteMan(&buf, version.Version)
			err = atomicfile.WriteFile(filepath.Join(dir, c.ManName()), buf.Bytes(), 0o644)
		})
	}
	return len(seen), err
}
