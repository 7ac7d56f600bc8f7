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

	"github.com/peterbourgon/ff/v3"
)

// Main runs the server as a command: it loads --script, listens on
// --addr, prints the base URL on stdout (and to --url-file), appends each
// request to --record as JSONL, and serves until ctx is done.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("model-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	script := fs.String("script", "", "JSON script of turns ({\"turns\":[…]}) (required)")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	urlFile := fs.String("url-file", "", "also write the base URL to this file")
	record := fs.String("record", "", "append every request to this JSONL file")
	loop := fs.Bool("loop", false, "start the script over when it is exhausted")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: codex-agent model-server --script FILE [--addr HOST:PORT] [--url-file F] [--record F] [--loop]")
		fmt.Fprintln(stderr, "Serves scripted Responses / Chat Completions streams (a local stand-in for the model API).")
		fs.PrintDefaults()
	}
	if err := ff.Parse(fs, args, ff.WithEnvVarPrefix("CODEX_MODEL_SERVER")); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
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
