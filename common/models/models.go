// Package models is the model catalogue: per model slug, its context
// window, the reasoning effort, summary and verbosity sent when config.toml
// says nothing, and the tools it supports. The bundled catalogue holds the
// facts of the Codex CLI 0.169's (catalog.json, in the same JSON shape, so
// a `model_catalog_json` file written for that CLI loads here too).
//
// Sampling is the one place that decides what a request's reasoning and
// text controls are: the agent, `model/list` and the TUI's /model and
// /status all ask it.
package models

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

//go:embed catalog.json
var bundled []byte

// Effort is one reasoning effort a model accepts.
type Effort struct {
	Effort string `json:"effort"`
}

// Truncation is how tool output is cut before it goes to the model.
type Truncation struct {
	Mode  string `json:"mode"` // "tokens" or "bytes"
	Limit int64  `json:"limit"`
}

// Upgrade names the model a catalogue suggests instead.
type Upgrade struct {
	Model string `json:"model"`
}

// Model is one catalogue entry (the Codex CLI's key names).
type Model struct {
	Slug           string `json:"slug"`
	DisplayName    string `json:"display_name,omitempty"`
	Description    string `json:"description,omitempty"`
	Priority       int    `json:"priority"`
	Visibility     string `json:"visibility,omitempty"` // "list" or "hide"
	SupportedInAPI bool   `json:"supported_in_api"`

	ContextWindow                 int64 `json:"context_window,omitempty"`
	MaxContextWindow              int64 `json:"max_context_window,omitempty"`
	EffectiveContextWindowPercent int   `json:"effective_context_window_percent,omitempty"`

	DefaultReasoningEffort    string   `json:"default_reasoning_level,omitempty"`
	SupportedReasoningEfforts []Effort `json:"supported_reasoning_levels,omitempty"`
	DefaultReasoningSummary   string   `json:"default_reasoning_summary,omitempty"`
	SupportVerbosity          bool     `json:"support_verbosity"`
	DefaultVerbosity          string   `json:"default_verbosity,omitempty"`

	ShellType                  string      `json:"shell_type,omitempty"`            // unified_exec, shell_command, ...
	ApplyPatchToolType         string      `json:"apply_patch_tool_type,omitempty"` // freeform, function, "" (none)
	WebSearchToolType          string      `json:"web_search_tool_type,omitempty"`  // text, text_and_image
	InputModalities            []string    `json:"input_modalities,omitempty"`      // text, image
	SupportsSearchTool         bool        `json:"supports_search_tool"`            // tool_search for deferred MCP tools
	ExperimentalSupportedTools []string    `json:"experimental_supported_tools,omitempty"`
	TruncationPolicy           *Truncation `json:"truncation_policy,omitempty"`
	Upgrade                    *Upgrade    `json:"upgrade,omitempty"`
	ToolMode                   string      `json:"tool_mode,omitempty"`
}

// Efforts lists the model's reasoning efforts, lowest first.
func (m Model) Efforts() []string {
	out := make([]string, len(m.SupportedReasoningEfforts))
	for i, e := range m.SupportedReasoningEfforts {
		out[i] = e.Effort
	}
	return out
}

// SupportsEffort reports whether effort is one the model lists (a model
// listing none accepts any).
func (m Model) SupportsEffort(effort string) bool {
	if len(m.SupportedReasoningEfforts) == 0 {
		return true
	}
	for _, e := range m.SupportedReasoningEfforts {
		if e.Effort == effort {
			return true
		}
	}
	return false
}

// Images reports whether the model takes image input.
func (m Model) Images() bool {
	for _, x := range m.InputModalities {
		if x == "image" {
			return true
		}
	}
	return false
}

// EffectiveContextWindow is the part of the context window the agent
// plans to use (the rest is head-room for the reply).
func (m Model) EffectiveContextWindow() int64 {
	if m.EffectiveContextWindowPercent <= 0 {
		return m.ContextWindow
	}
	return m.ContextWindow * int64(m.EffectiveContextWindowPercent) / 100
}

// Catalog is a set of models.
type Catalog struct {
	Models []Model `json:"models"`
}

// Bundled returns the catalogue built into the binary. It is parsed on
// every call (no package state); callers keep the result. A bundled file
// that does not parse is a build defect the tests catch; it would give an
// empty catalogue (every model unknown), never a crash.
func Bundled() *Catalog {
	c, err := Parse(bundled)
	if err != nil {
		return &Catalog{}
	}
	return c
}

// Parse reads a {"models":[...]} catalogue.
func Parse(data []byte) (*Catalog, error) {
	var c Catalog
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("model catalogue: %w", err)
	}
	seen := map[string]bool{}
	for i, m := range c.Models {
		if strings.TrimSpace(m.Slug) == "" {
			return nil, fmt.Errorf("model catalogue: model %d has no slug", i)
		}
		if seen[m.Slug] {
			return nil, fmt.Errorf("model catalogue: model %q listed twice", m.Slug)
		}
		seen[m.Slug] = true
	}
	return &c, nil
}

// Load returns the catalogue config.toml's model_catalog_json names, or
// the bundled one when path is "".
func Load(path string) (*Catalog, error) {
	if path == "" {
		return Bundled(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model_catalog_json: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("model_catalog_json %s: %w", path, err)
	}
	return c, nil
}

// Lookup finds slug's entry: an exact match, else the longest catalogue
// slug that prefixes it (gpt-5.5-mini is described by gpt-5.5), as the
// Codex CLI does for dated or derived names.
func (c *Catalog) Lookup(slug string) (Model, bool) {
	best := -1
	for i, m := range c.Models {
		if m.Slug == slug {
			return m, true
		}
		if strings.HasPrefix(slug, m.Slug) && (best < 0 || len(m.Slug) > len(c.Models[best].Slug)) {
			best = i
		}
	}
	if best < 0 {
		return Model{}, false
	}
	return c.Models[best], true
}

// Visible returns the models a picker lists (visibility "list"), by
// priority.
func (c *Catalog) Visible() []Model {
	var out []Model
	for _, m := range c.Models {
		if m.Visibility == "" || m.Visibility == "list" {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out
}

// Default is the model used when nothing names one: the visible model of
// the lowest priority number ("" for an empty catalogue).
func (c *Catalog) Default() string {
	v := c.Visible()
	if len(v) == 0 {
		return ""
	}
	return v[0].Slug
}
