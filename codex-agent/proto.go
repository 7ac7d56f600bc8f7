package agent

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/codexgo/codex-agent/protoserver"
)

// ServiceEnv is what the long-lived front ends (proto, mcp-server) take
// from their process; tests inject it.
type ServiceEnv struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        []string
	Now            func() time.Time
	// Sleep replaces retry waits (tests); nil waits for real.
	Sleep func(ctx context.Context, d time.Duration) error
}

func processEnv(stdin io.Reader, stdout, stderr io.Writer) ServiceEnv {
	return ServiceEnv{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv, Environ: os.Environ(), Now: time.Now}
}

// ProtoMain is `codex proto` (and `codex-agent proto`): one session
// driven over stdin/stdout with the JSONL front-end protocol.
func ProtoMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunProto(ctx, args, processEnv(stdin, stdout, stderr))
}

const protoUsage = `Usage: codex proto [OPTIONS]

Run one agent session speaking the Codex front-end protocol: submissions
{"id","op":{"type":…}} as JSONL on stdin, events {"id","msg":{"type":…}} as
JSONL on stdout (schema: codex-agent/protoserver/PROTOCOL.md). The session
ends on a shutdown op, or when stdin ends and the submitted turns are done.

Options:
  -m, --model MODEL                 model to use
  -a, --ask-for-approval POLICY     untrusted | on-failure | on-request | never
  -s, --sandbox MODE                read-only | workspace-write | danger-full-access
  -C, --cd DIR                      working directory
  -c, --config key=value            override config.toml (TOML value, repeatable)
  -p, --profile NAME                config profile
      --execpolicy-cmd PROG         external policy (PolicyRequest/PolicyVerdict JSON)
      --sandbox-cmd PROG            external sandbox (ExecRequest/ExecResult JSON)
      --ephemeral                   do not record a session file
To continue a recorded session: -c experimental_resume="<rollout path>".
Every option can also be set from CODEX_PROTO_<NAME> (e.g. CODEX_PROTO_MODEL).

Exit status: 0 after shutdown, 1 on a runtime failure, 2 on usage errors.
`

// RunProto runs `codex proto` with an injected environment.
func RunProto(ctx context.Context, args []string, env ServiceEnv) int {
	o, code, done := parseServiceFlags("codex proto", "CODEX_PROTO", protoUsage, args, env, func(fs *flag.FlagSet, o *ServiceOptions) {
		both := func(short, long string, p *string, usage string) {
			fs.StringVar(p, long, "", usage)
			fs.StringVar(p, short, "", usage)
		}
		both("m", "model", &o.Model, "model")
		both("a", "ask-for-approval", &o.ApprovalPolicy, "approval policy")
		both("s", "sandbox", &o.Sandbox, "sandbox mode")
		both("C", "cd", &o.Cwd, "working directory")
	})
	if done {
		return code
	}
	o.Originator, o.Source = "codex_proto", "proto"
	o.Stderr = env.Stderr
	// A session to continue comes from the experimental_resume config
	// key, read with the rest of the config (once).
	svc, err := NewService(ctx, o)
	if err != nil {
		fmt.Fprintf(env.Stderr, "codex proto: %v\n", err)
		return 1
	}
	sess, err := NewSession(svc.Config)
	if err != nil {
		fmt.Fprintf(env.Stderr, "codex proto: %v\n", err)
		return 1
	}
	hist := &protoserver.History{Path: filepath.Join(svc.CodexHome, "history.jsonl"),
		Save: svc.Settings.History.Persistence != "none", Now: env.Now}
	code = 0
	if err := protoserver.Serve(ctx, sess, env.Stdin, env.Stdout, hist); err != nil {
		fmt.Fprintf(env.Stderr, "codex proto: %v\n", err)
		code = 1
	}
	if err := svc.Close(); err != nil {
		fmt.Fprintf(env.Stderr, "codex proto: %v\n", err)
	}
	return code
}
