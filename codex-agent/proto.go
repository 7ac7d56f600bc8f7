package agent

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/codexgo/codex-agent/protoserver"
	"github.com/codexgo/common/cli"
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

// RunProto runs `codex proto` with an injected environment.
func RunProto(ctx context.Context, args []string, env ServiceEnv) int {
	o, code, done := parseServiceFlags(func() *cli.Command { return protoCommand().Rename("codex proto") }, "CODEX_PROTO", args, env, protoExtra)
	if done {
		return code
	}
	if err := approvalFlag(o.ApprovalPolicy); err != nil {
		fmt.Fprintf(env.Stderr, "codex proto: %v\n", err)
		return 1
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
