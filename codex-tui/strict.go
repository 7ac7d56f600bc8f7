package tui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/codexgo/common/config"
	"github.com/pelletier/go-toml/v2"
)

// strictConfig (--strict-config) refuses a config.toml with keys that no
// part of Codex reads: a misspelt key is an error that names it, not a
// setting silently ignored.
func strictConfig(home string) error {
	path := filepath.Join(home, config.FileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	var c config.Config
	d := toml.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	err = d.Decode(&c)
	var sm *toml.StrictMissingError
	if errors.As(err, &sm) {
		var keys []string
		for _, e := range sm.Errors {
			keys = append(keys, strings.Join(e.Key(), "."))
		}
		return fmt.Errorf("%s: unknown key %s (--strict-config; remove it or fix its name)", path, strings.Join(keys, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
