package modelserver

import (
	"flag"
	"io"

	"github.com/codexgo/common/cli"
)

// serverFlags are model-server's flags.
type serverFlags struct {
	script, addr, urlFile, record string
	loop                          bool
}

// flagSet defines model-server's flags, bound to f.
func flagSet(f *serverFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("model-server", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.script, "script", "", "JSON script of turns ({\"turns\":[…]}) in `FILE` (required)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "listen address (`HOST:PORT`)")
	fs.StringVar(&f.urlFile, "url-file", "", "also write the base URL to `FILE`")
	fs.StringVar(&f.record, "record", "", "append every request to this JSONL `FILE`")
	fs.BoolVar(&f.loop, "loop", false, "start the script over when it is exhausted")
	return fs
}

// CLI describes model-server for --help, man pages and completion.
func CLI() *cli.Command {
	return &cli.Command{
		Name:     "model-server",
		Summary:  "serve scripted model turns on 127.0.0.1 (tests and demos)",
		Synopsis: []string{"--script FILE [--addr HOST:PORT] [--url-file FILE] [--record FILE] [--loop]"},
		Description: `Serves scripted Responses and Chat Completions streams: a local stand-in
for the model API, byte for byte in the wire format. Prints the base URL on
stdout and serves until interrupted. Every flag can also be set as
CODEX_MODEL_SERVER_<FLAG>.`,
		Flags: func() *flag.FlagSet { return flagSet(&serverFlags{}) },
		Examples: []cli.Example{
			{Command: "codex-agent model-server --script codex-agent/testdata/demo-script.json --url-file /tmp/url", Explain: "what make demo runs"},
		},
		ExitCodes: []cli.ExitCode{{Code: "0", Meaning: "interrupted after serving"}, {Code: "1", Meaning: "could not listen or write a file"}, {Code: "2", Meaning: "usage error or a bad script"}},
	}
}
