package models

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// What the Codex CLI 0.169 sent (captured against a local Responses server
// with `codex exec -m SLUG -c ...`): reasoning and text controls per model
// and settings.
func TestSamplingAsTheCodexCLISendsIt(t *testing.T) {
	c := Bundled()
	for _, tc := range []struct {
		name  string
		slug  string
		set   Settings
		want  [3]string // effort, summary, verbosity
		known bool
	}{
		{"gpt-5.5 with nothing configured", "gpt-5.5", Settings{}, [3]string{"medium", "", "low"}, true},
		{"settings win", "gpt-5.5", Settings{"high", "detailed", "medium"}, [3]string{"high", "detailed", "medium"}, true},
		{"summary none leaves the key out", "gpt-5.5", Settings{Summary: "none"}, [3]string{"medium", "", "low"}, true},
		{"derived slug uses its prefix", "gpt-5.5-mini", Settings{}, [3]string{"medium", "", "low"}, true},
		{"the default model", "gpt-6.1-sol", Settings{}, [3]string{"low", "", "low"}, true},
		{"unknown model: fallback", "foo-model", Settings{}, [3]string{"", "auto", ""}, false},
		{"unknown model ignores verbosity", "foo", Settings{Verbosity: "high"}, [3]string{"", "auto", ""}, false},
		{"unknown model keeps a set effort", "foo", Settings{Effort: "high"}, [3]string{"high", "auto", ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := c.Sampling(tc.slug, tc.set)
			if got := [3]string{s.Effort, s.Summary, s.Verbosity}; got != tc.want || s.Known != tc.known {
				t.Errorf("Sampling(%q, %+v) = %q known=%v, want %q known=%v", tc.slug, tc.set, got, s.Known, tc.want, tc.known)
			}
		})
	}
}

func TestCatalogueFacts(t *testing.T) {
	c := Bundled()
	if got := c.Default(); got != "gpt-6.1-sol" {
		t.Errorf("Default() = %q, want gpt-6.1-sol (0.169 with no -m)", got)
	}
	m, ok := c.Lookup("gpt-5.5")
	if !ok || m.ContextWindow != 272000 || m.EffectiveContextWindow() != 258400 || m.ApplyPatchToolType != "freeform" || !m.Images() {
		t.Errorf("gpt-5.5 = %+v", m)
	}
	if !m.SupportsEffort("xhigh") || m.SupportsEffort("max") {
		t.Errorf("gpt-5.5 efforts = %v", m.Efforts())
	}
	s := c.Sampling("gpt-5.5", Settings{})
	if s.ContextWindow != 272000 || s.ToolOutputTokens != 10000 || s.ApplyPatch != "freeform" {
		t.Errorf("gpt-5.5 sampling = %+v", s)
	}
	if u := c.Sampling("foo", Settings{}); u.ApplyPatch != "" || u.WebSearchContentTypes != nil {
		t.Errorf("unknown model offers apply_patch %q / search types %v; 0.169 offers neither", u.ApplyPatch, u.WebSearchContentTypes)
	}
	for _, v := range c.Visible() {
		if v.Visibility == "hide" {
			t.Errorf("Visible lists hidden %s", v.Slug)
		}
	}
	if _, ok := c.Lookup("codex-auto-review"); !ok {
		t.Error("hidden models must still resolve")
	}
}

func TestWebSearch(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		mode       string
		legacy     *bool
		full       bool
		want       string
		wantErr    bool
		wantSpec   string
		unknownMdl bool
	}{
		{"", nil, false, "cached", false, `{"type":"web_search","external_web_access":false,"search_content_types":["text","image"]}`, false},
		{"cached", nil, false, "cached", false, `{"type":"web_search","external_web_access":false,"search_content_types":["text","image"]}`, false},
		{"live", nil, false, "live", false, `{"type":"web_search","external_web_access":true,"search_content_types":["text","image"]}`, false},
		{"cached", nil, true, "live", false, `{"type":"web_search","external_web_access":true,"search_content_types":["text","image"]}`, false},
		{"disabled", nil, true, "disabled", false, ``, false},
		{"", &yes, false, "live", false, `{"type":"web_search","external_web_access":true}`, true},
		{"", &no, false, "disabled", false, ``, false},
		{"always", nil, false, "", true, ``, false},
	} {
		got, err := WebSearchMode(tc.mode, tc.legacy, tc.full)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("WebSearchMode(%q, %v, %v) = %q, %v; want %q", tc.mode, tc.legacy, tc.full, got, err, tc.want)
			continue
		}
		slug := "gpt-5.5"
		if tc.unknownMdl {
			slug = "foo"
		}
		if spec := string(Bundled().Sampling(slug, Settings{}).WebSearchTool(got)); spec != tc.wantSpec {
			t.Errorf("mode %q: tool %s, want %s", got, spec, tc.wantSpec)
		}
	}
}

func TestLoadCatalogFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "models.json")
	if err := os.WriteFile(p, []byte(`{"models":[{"slug":"mine","default_reasoning_level":"high","support_verbosity":true,"default_verbosity":"medium","context_window":1000,"priority":1}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Sampling("mine", Settings{}); s.Effort != "high" || s.Verbosity != "medium" || s.ContextWindow != 1000 {
		t.Errorf("sampling = %+v", s)
	}
	if _, ok := c.Lookup("gpt-5.5"); ok {
		t.Error("a catalogue file replaces the bundled one")
	}
	for _, bad := range []string{`{"models":[{"slug":""}]}`, `{"models":[{"slug":"a"},{"slug":"a"}]}`, `{"models":`, `[]`} {
		if err := os.WriteFile(p, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p); err == nil {
			t.Errorf("Load(%s) succeeded", bad)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing catalogue file must be an error")
	}
}

// The bundled facts against the Codex CLI 0.169's own catalogue, when
// the reference package is installed (CODEX_REF_BIN, or /work/ref).
func TestBundledMatchesReference(t *testing.T) {
	// The catalogue as the Codex CLI 0.169.0 prints it (`codex debug
	// models`, recorded in testdata) or, with CODEX_REF_BIN set, as a
	// reference binary prints it now.
	var out []byte
	if bin := os.Getenv("CODEX_REF_BIN"); bin != "" {
		cmd := exec.Command(bin, "debug", "models")
		cmd.Env = append(os.Environ(), "CODEX_HOME="+t.TempDir())
		var err error
		if out, err = cmd.Output(); err != nil {
			t.Fatalf("%s debug models: %v", bin, err)
		}
	} else {
		out = recordedReference(t)
	}
	ref, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	ours := Bundled()
	if len(ref.Models) != len(ours.Models) {
		t.Fatalf("reference has %d models, ours %d", len(ref.Models), len(ours.Models))
	}
	for _, r := range ref.Models {
		o, ok := ours.Lookup(r.Slug)
		if !ok || o.Slug != r.Slug {
			t.Errorf("%s missing", r.Slug)
			continue
		}
		r.Description, o.Description = "", ""
		for i := range r.SupportedReasoningEfforts {
			r.SupportedReasoningEfforts[i] = Effort{Effort: r.SupportedReasoningEfforts[i].Effort}
		}
		rb, _ := json.Marshal(r)
		ob, _ := json.Marshal(o)
		var rm, om map[string]any
		_ = json.Unmarshal(rb, &rm)
		_ = json.Unmarshal(ob, &om)
		if !reflect.DeepEqual(rm, om) {
			t.Errorf("%s:\n ref  %s\n ours %s", r.Slug, rb, ob)
		}
	}
}

// recordedReference is testdata's `codex debug models` output of the
// Codex CLI 0.169.0 (gzip'd: 745 KB of JSON).
func recordedReference(t *testing.T) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "codex-0.169.0-debug-models.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
