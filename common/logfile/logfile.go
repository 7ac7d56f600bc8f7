// Package logfile is codex-go's one leveled logger: log/slog, writing
// key=value lines to $CODEX_HOME/log/<name>.log (0600, appended), at the
// level CODEX_LOG or a --log-level flag names (debug, info, warn, error;
// off or empty: no log). Users turn it on to report a problem:
//
//	CODEX_LOG=debug codex exec "…"; cat ~/.codex/log/codex-exec.log
//
// Tools take the *slog.Logger as a dependency; a nil logger is Discard.
package logfile

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// EnvVar names the environment variable that sets the level.
const EnvVar = "CODEX_LOG"

// ParseLevel reads a level: debug, info, warn (warning), error; "" and
// "off" mean no log (ok true, on false).
func ParseLevel(s string) (level slog.Level, on bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "off", "none":
		return 0, false, nil
	case "debug", "trace":
		return slog.LevelDebug, true, nil
	case "info":
		return slog.LevelInfo, true, nil
	case "warn", "warning":
		return slog.LevelWarn, true, nil
	case "error":
		return slog.LevelError, true, nil
	}
	return 0, false, fmt.Errorf("unknown log level %q (want debug, info, warn, error or off)", s)
}

// Discard is a logger that writes nothing.
func Discard() *slog.Logger { return slog.New(discard{}) }

type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }

// Open returns the logger of a tool: flagLevel (a --log-level value), else
// getenv(CODEX_LOG), picks the level; without one it is Discard. The file
// is $CODEX_HOME/log/<name>.log; close it when the tool ends.
func Open(codexHome, name, flagLevel string, getenv func(string) string) (*slog.Logger, func() error, error) {
	text := flagLevel
	if text == "" && getenv != nil {
		text = getenv(EnvVar)
	}
	level, on, err := ParseLevel(text)
	if err != nil {
		if flagLevel == "" {
			err = fmt.Errorf("%s: %w", EnvVar, err)
		}
		return nil, nil, err
	}
	if !on {
		return Discard(), func() error { return nil }, nil
	}
	dir := filepath.Join(codexHome, "log")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("log: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log: %w", err)
	}
	l := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})).With("pid", os.Getpid())
	return l, f.Close, nil
}
