package models

import (
	"encoding/json"
	"fmt"
)

// Settings are what config.toml (or a flag, or a front end's override)
// asks for; "" means unset.
type Settings struct {
	Effort    string // model_reasoning_effort
	Summary   string // model_reasoning_summary
	Verbosity string // model_verbosity
}

// Sampling is what a request for one model carries, decided once.
type Sampling struct {
	Model string
	// Known is false for a slug the catalogue does not describe; such a
	// model gets the fallback (a reasoning summary of "auto", nothing
	// else), as in the Codex CLI.
	Known bool
	// Effort, Summary and Verbosity are the request's reasoning.effort,
	// reasoning.summary and text.verbosity ("" = leave the key out).
	Effort, Summary, Verbosity string
	// ContextWindow is the model's window in tokens (0 = unknown).
	ContextWindow int64
	// ApplyPatch is the apply_patch tool's kind: "freeform", "function",
	// or "" (the catalogue offers the model none).
	ApplyPatch string
	// WebSearchContentTypes are the web_search tool's
	// search_content_types (nil: the key is left out).
	WebSearchContentTypes []string
	// Images reports image input.
	Images bool
	// ToolOutputTokens is the catalogue's truncation limit for tool
	// output, in tokens (0 = none given).
	ToolOutputTokens int64
}

// Sampling decides the request controls for slug with the user's
// settings: a setting wins; otherwise the catalogue's default; a summary
// of "none" leaves the key out; verbosity goes only to models that
// support it.
func (c *Catalog) Sampling(slug string, s Settings) Sampling {
	out := Sampling{Model: slug, Effort: s.Effort, Summary: s.Summary}
	m, ok := c.Lookup(slug)
	if !ok {
		// The fallback metadata: no verbosity, summary "auto".
		if out.Summary == "" {
			out.Summary = "auto"
		}
		out.Images = true
		if out.Summary == "none" {
			out.Summary = ""
		}
		return out
	}
	out.Known = true
	if out.Effort == "" {
		out.Effort = m.DefaultReasoningEffort
	}
	if out.Summary == "" {
		out.Summary = m.DefaultReasoningSummary
	}
	if out.Summary == "none" {
		out.Summary = ""
	}
	if m.SupportVerbosity {
		out.Verbosity = s.Verbosity
		if out.Verbosity == "" {
			out.Verbosity = m.DefaultVerbosity
		}
	}
	out.ContextWindow = m.ContextWindow
	out.ApplyPatch = m.ApplyPatchToolType
	if m.WebSearchToolType == "text_and_image" {
		out.WebSearchContentTypes = []string{"text", "image"}
	}
	out.Images = m.Images()
	if t := m.TruncationPolicy; t != nil && t.Mode == "tokens" {
		out.ToolOutputTokens = t.Limit
	}
	return out
}

// Web search modes (config.toml's web_search).
const (
	WebSearchDisabled = "disabled"
	WebSearchCached   = "cached"
	WebSearchLive     = "live"
)

// WebSearchMode resolves config.toml's web_search (mode, "" if unset),
// the older boolean switches (tools.web_search, features.web_search_request:
// legacy, nil if unset) and the sandbox: unset is "cached"; the older
// switches mean "live" or "disabled"; danger-full-access turns "cached"
// into "live" (nothing guards the network anyway), as the Codex CLI 0.169
// does.
func WebSearchMode(mode string, legacy *bool, fullAccess bool) (string, error) {
	switch mode {
	case "":
		mode = WebSearchCached
		if legacy != nil {
			mode = WebSearchDisabled
			if *legacy {
				mode = WebSearchLive
			}
		}
	case WebSearchDisabled, WebSearchCached, WebSearchLive:
	default:
		return "", fmt.Errorf("web_search = %q: want \"disabled\", \"cached\" or \"live\"", mode)
	}
	if mode == WebSearchCached && fullAccess {
		mode = WebSearchLive
	}
	return mode, nil
}

// WebSearchTool is the Responses web_search tool for mode (nil when
// disabled): cached search reads OpenAI's index only
// (external_web_access false), live search fetches pages.
func (s Sampling) WebSearchTool(mode string) json.RawMessage {
	if mode == WebSearchDisabled || mode == "" {
		return nil
	}
	spec := struct {
		Type               string   `json:"type"`
		ExternalWebAccess  bool     `json:"external_web_access"`
		SearchContentTypes []string `json:"search_content_types,omitempty"`
	}{"web_search", mode == WebSearchLive, s.WebSearchContentTypes}
	b, _ := json.Marshal(spec) // a fixed struct of strings and bools
	return b
}
