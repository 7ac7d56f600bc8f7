package modelserver

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/codexgo/common/cli"
	"github.com/peterbourgon/ff/v3"
)

// Main runs the server as a command: it loads --script, listens on
// --addr, prints the base URL on stdout (and to --url-file), appends each
// request to --record as JSONL, and serves until ctx is done.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var f serverFlags
	fs := flagSet(&f)
	script, addr, urlFile, record, loop := &f.script, &f.addr, &f.urlFile, &f.record, &f.loop
	if err := ff.Parse(fs, args, ff.WithEnvVarPrefix("CODEX_MODEL_SERVER")); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			CLI().Rename("codex-agent model-server").WriteHelp(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "model-server: %s\n", cli.FlagError(fs, err))
		return 2
	}
	if *script == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "model-server: --script is required and no arguments are taken")
		return 2
	}
	sc, err := LoadScript(*script)
	if err != nil {
		fmt.Fprintf(stderr, "model-server: %v\n", err)
		return 2
	}
	srv, err := StartAddr(sc, *addr)
	if err != nil {
		fmt.Fprintf(stderr, "model-server: %v\n", err)
		return 1
	}
	defer func() { _ = srv.Close() }()
	srv.Loop(*loop)
	if *record != "" {
		f, err := os.OpenFile(*record, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "model-server: %v\n", err)
			return 1
		}
		defer func() { _ = f.Close() }()
		var mu sync.Mutex
		enc := json.NewEncoder(f)
		srv.OnRequest(func(r Request) {
			mu.Lock()
			defer mu.Unlock()
			_ = enc.Encode(r)
		})
	}
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile, []byte(srv.URL()+"\n"), 0o644); err != nil {
			fmt.Fprintf(stderr, "model-server: %v\n", err)
			return 1
		}
	}
	fmt.Fprintln(stdout, srv.URL())
	<-ctx.Done()
	return 0
}
