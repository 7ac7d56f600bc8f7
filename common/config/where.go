package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Where names where a setting was written, for an error about its value:
// "path:line" of the last line of the config file that sets key (at top
// level or in a profile), else the file, else "config" (a -c override
// with no file).
func Where(cfg *Config, key string) string {
	if cfg == nil || cfg.Path == "" {
		return "config"
	}
	data, err := os.ReadFile(cfg.Path)
	if err != nil {
		return cfg.Path
	}
	line, n := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		n++
		k, _, ok := strings.Cut(sc.Text(), "=")
		if ok && strings.Trim(strings.TrimSpace(k), `"'`) == key {
			line = n
		}
	}
	if line == 0 {
		return cfg.Path
	}
	return fmt.Sprintf("%s:%d", cfg.Path, line)
}
