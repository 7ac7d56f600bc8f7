package session

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/features"
	"github.com/codexgo/common/models"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/skills"
)

// baseInstructions picks the session's base instructions as the Codex CLI
// 0.169 does: the front end's (an MCP client's base-instructions), else
// the file model_instructions_file names, else config's instructions,
// else the built-in ones.
func baseInstructions(given string, cfg *config.Config, home string) (string, error) {
	switch {
	case given != "":
		return given, nil
	case cfg.ModelInstructionsFile != "":
		path := configPath(home, cfg.ModelInstructionsFile)
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("model_instructions_file: %w", err)
		}
		if strings.TrimSpace(string(b)) == "" {
			return "", fmt.Errorf("model_instructions_file %s is empty", path)
		}
		return string(b), nil
	case cfg.Instructions != "":
		return cfg.Instructions, nil
	}
	return BaseInstructions, nil
}

// configPath resolves a path written in config.toml: relative paths are
// relative to the config's folder (CODEX_HOME), ~/ is the home folder.
func configPath(home, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, rest)
		}
	}
	return filepath.Join(home, p)
}

// webSearch sets the web_search tool from config's web_search mode
// (common/models decides: cached by default, live under
// danger-full-access, the older switches honoured).
func webSearch(t *tools.ToolSet, cfg *config.Config, s models.Sampling, sp protocol.SandboxPolicy, possible bool, enable, disable []string) error {
	var legacy *bool
	if on, ok := toolEnabled(cfg.Tools["web_search"]); ok {
		legacy = &on
	}
	for _, f := range []string{"web_search_request", "web_search_cached"} {
		if _, set := cfg.Features[f]; set || contains(enable, f) || contains(disable, f) {
			on := features.Enabled(f, cfg.Features, enable, disable)
			legacy = &on
		}
	}
	mode, err := models.WebSearchMode(cfg.WebSearch, legacy, sp.Mode == protocol.SandboxDangerFullAccess)
	if err != nil {
		return fmt.Errorf("%s: %w", config.Where(cfg, "web_search"), err)
	}
	spec := s.WebSearchTool(mode)
	t.WebSearch = possible && spec != nil
	t.WebSearchSpec = spec
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// discoverSkills finds the session's skills; files that are not valid
// skills are reported as warnings.
func discoverSkills(codexHome, home, cwd string, stderr io.Writer) []skills.Skill {
	list, errs := skills.Discover(skills.Options{CodexHome: codexHome, Home: home, Cwd: cwd})
	if stderr != nil {
		for _, err := range errs {
			fmt.Fprintf(stderr, "warning: %v\n", err)
		}
	}
	return list
}

// openDeveloperMessage puts the developer instructions and the skills
// list first in the session's developer message (before the permissions
// text), where the Codex CLI 0.169 puts them.
func openDeveloperMessage(initial []model.Item, texts ...string) {
	for i := range initial {
		if initial[i].Role != "developer" {
			continue
		}
		var head []model.ContentPart
		for _, t := range texts {
			if t != "" {
				head = append(head, model.ContentPart{Type: "input_text", Text: t})
			}
		}
		initial[i].Content = append(head, initial[i].Content...)
		return
	}
}

// skillItems are the messages a turn's $name mentions add after the
// prompt: each mentioned skill's SKILL.md, read now.
func skillItems(list []skills.Skill, input []protocol.InputItem) []model.Item {
	if len(list) == 0 {
		return nil
	}
	var text strings.Builder
	for _, in := range input {
		if in.Type == "text" {
			text.WriteString(in.Text)
			text.WriteByte('\n')
		}
	}
	var out []model.Item
	for _, s := range skills.Mentioned(text.String(), list) {
		body, err := skills.Inject(s)
		if err != nil {
			body = fmt.Sprintf("<skill>\n<name>%s</name>\n<path>%s</path>\n(not readable: %v)\n</skill>", s.Name, s.Path, err)
		}
		out = append(out, model.Item{Type: "message", Role: "user", Content: []model.ContentPart{{Type: "input_text", Text: body}}})
	}
	return out
}
