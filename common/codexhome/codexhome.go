// Package codexhome resolves CODEX_HOME, the directory holding config.toml,
// auth.json, sessions and rules.
package codexhome

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Dir returns $CODEX_HOME if set, else ~/.codex. getenv is injected so
// tests control the environment; pass os.Getenv in production. The
// directory is not created.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("CODEX_HOME"); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", fmt.Errorf("resolve CODEX_HOME %s: %w", d, err)
		}
		return abs, nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot find CODEX_HOME: neither CODEX_HOME nor HOME is set")
	}
	return filepath.Join(home, ".codex"), nil
}

// Ensure creates dir (and parents) with mode 0700 if it does not exist,
// for callers about to write into it.
func Ensure(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return nil
}
