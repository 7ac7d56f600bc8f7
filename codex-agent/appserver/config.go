package appserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/codexgo/common/atomicfile"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
	"github.com/pelletier/go-toml/v2"
)

func (s *server) configPath() string { return filepath.Join(s.o.CodexHome, config.FileName) }

// configVersion names one content of config.toml, for expectedVersion.
func configVersion(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func readConfigFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// jsonable turns decoded TOML into JSON values (dates as strings).
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return fmt.Sprint(x)
	}
	return v
}

// leafPaths lists the dotted paths of a document's values.
func leafPaths(prefix string, v any, out map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		if prefix != "" {
			out[prefix] = true
		}
		return
	}
	for k, e := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		leafPaths(p, e, out)
	}
}

func (s *server) configRead(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Cwd           *string `json:"cwd"`
		IncludeLayers bool    `json:"includeLayers"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	cfg, err := config.Load(s.o.CodexHome, config.Options{Profile: s.o.Profile, Overrides: s.o.Overrides})
	if err != nil {
		return nil, invalidRequest("%v", err)
	}
	data, err := readConfigFile(s.configPath())
	if err != nil {
		return nil, err
	}
	var user map[string]any
	if err := toml.Unmarshal(data, &user); err != nil {
		return nil, invalidRequest("parse config.toml: %v", err)
	}
	userLayer := map[string]any{"name": map[string]any{"type": "user", "file": s.configPath(), "profile": nil}, "version": configVersion(data)}
	flagsLayer := map[string]any{"name": map[string]any{"type": "sessionFlags"}, "version": configVersion([]byte(strings.Join(s.o.Overrides, "\n")))}
	origins := map[string]any{}
	fromFile := map[string]bool{}
	leafPaths("", user, fromFile)
	for k := range fromFile {
		origins[k] = userLayer
	}
	flags := map[string]any{}
	for _, o := range s.o.Overrides {
		k, v, _ := strings.Cut(o, "=")
		k = strings.TrimSpace(k)
		origins[k] = flagsLayer
		var doc map[string]any
		if toml.Unmarshal([]byte("v = "+v), &doc) == nil {
			setIn(flags, strings.Split(k, "."), doc["v"])
		} else {
			setIn(flags, strings.Split(k, "."), v)
		}
	}
	resp := map[string]any{"config": jsonable(cfg.Raw), "origins": origins}
	if resp["config"] == nil {
		resp["config"] = map[string]any{}
	}
	if ap := protocol.AskForApproval(cfg.ApprovalPolicy); ap != "" {
		if _, ok := ap.Granular(); ok {
			// All five flags, as the Codex CLI reports a granular table.
			resp["config"].(map[string]any)["approval_policy"] = approvalOut(ap)
		}
	}
	if p.IncludeLayers {
		layers := []any{}
		if len(flags) > 0 {
			l := copyItem(flagsLayer, map[string]any{"config": jsonable(flags)})
			layers = append(layers, l)
		}
		if user == nil {
			user = map[string]any{}
		}
		layers = append(layers, copyItem(userLayer, map[string]any{"config": jsonable(user)}))
		resp["layers"] = layers
	}
	return resp, nil
}

type configEdit struct {
	KeyPath       string          `json:"keyPath"`
	Value         json.RawMessage `json:"value"`
	MergeStrategy string          `json:"mergeStrategy"`
}

func (s *server) configValueWrite(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		configEdit
		FilePath        *string `json:"filePath"`
		ExpectedVersion *string `json:"expectedVersion"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	return s.writeConfig([]configEdit{p.configEdit}, p.FilePath, p.ExpectedVersion)
}

func (s *server) configBatchWrite(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Edits           []configEdit `json:"edits"`
		FilePath        *string      `json:"filePath"`
		ExpectedVersion *string      `json:"expectedVersion"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.Edits == nil {
		return nil, invalidParams("edits is required")
	}
	return s.writeConfig(p.Edits, p.FilePath, p.ExpectedVersion)
}

// writeConfig applies edits to config.toml in one atomic write, keeping
// every line it does not change as it was.
func (s *server) writeConfig(edits []configEdit, filePath, expected *string) (any, error) {
	path := s.configPath()
	if filePath != nil && *filePath != "" {
		if !filepath.IsAbs(*filePath) {
			return nil, invalidParams("filePath must be absolute")
		}
		if filepath.Clean(*filePath) != path {
			return nil, invalidParams("only the user config %s can be written", path)
		}
	}
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	data, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}
	if expected != nil && *expected != "" && *expected != configVersion(data) {
		return nil, &rpcError{Code: codeInvalidRequest, Message: "config version conflict: config.toml changed since it was read",
			Data: map[string]any{"config_write_error_code": "configVersionConflict"}}
	}
	out := data
	for i, e := range edits {
		if strings.TrimSpace(e.KeyPath) == "" {
			return nil, invalidParams("edits[%d]: keyPath is required", i)
		}
		merge := false
		switch e.MergeStrategy {
		case "replace":
		case "upsert":
			merge = true
		default:
			return nil, invalidParams("edits[%d]: mergeStrategy must be replace or upsert", i)
		}
		var v any
		if len(e.Value) > 0 {
			if err := json.Unmarshal(e.Value, &v); err != nil {
				return nil, invalidParams("edits[%d]: value: %v", i, err)
			}
		}
		path := strings.Split(e.KeyPath, ".")
		if out, err = setTOML(out, path, v, merge); err != nil {
			return nil, invalidParams("edits[%d]: %v", i, err)
		}
	}
	// What is written must still be a valid config.
	if err := validConfig(path, out); err != nil {
		return nil, &rpcError{Code: codeInvalidRequest, Message: fmt.Sprintf("the edit would make config.toml invalid: %v", err),
			Data: map[string]any{"config_write_error_code": "configValidationError"}}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(path, out, 0o600); err != nil {
		return nil, fmt.Errorf("write config.toml: %w", err)
	}
	resp := map[string]any{"status": "ok", "version": configVersion(out), "filePath": path, "overriddenMetadata": nil}
	// A -c flag of this server outranks the file.
	keys := make([]string, 0, len(edits))
	for _, e := range edits {
		keys = append(keys, e.KeyPath)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, o := range s.o.Overrides {
			ok, ov, _ := strings.Cut(o, "=")
			ok = strings.TrimSpace(ok)
			if ok == k || strings.HasPrefix(k, ok+".") || strings.HasPrefix(ok, k+".") {
				var doc map[string]any
				var eff any = ov
				if toml.Unmarshal([]byte("v = "+ov), &doc) == nil {
					eff = jsonable(doc["v"])
				}
				resp["status"] = "okOverridden"
				resp["overriddenMetadata"] = map[string]any{
					"message":         fmt.Sprintf("%s is overridden by a --config flag of this server", ok),
					"overridingLayer": map[string]any{"name": map[string]any{"type": "sessionFlags"}, "version": configVersion([]byte(strings.Join(s.o.Overrides, "\n")))},
					"effectiveValue":  eff,
				}
				return resp, nil
			}
		}
	}
	return resp, nil
}

// validConfig checks that a document loads and that the settings with a
// fixed set of values hold one of them.
func validConfig(path string, data []byte) error {
	cfg, err := config.Parse(path, data, config.Options{})
	if err != nil {
		return err
	}
	if cfg.ApprovalPolicy != "" {
		if _, err := protocol.ParseAskForApproval(cfg.ApprovalPolicy); err != nil {
			return err
		}
	}
	if cfg.SandboxMode != "" {
		if _, err := protocol.ParseSandboxMode(cfg.SandboxMode); err != nil {
			return err
		}
	}
	switch cfg.ModelReasoningEffort {
	case "", "none", "minimal", "low", "medium", "high", "xhigh":
	default:
		return fmt.Errorf("model_reasoning_effort: unknown effort %q", cfg.ModelReasoningEffort)
	}
	return nil
}
