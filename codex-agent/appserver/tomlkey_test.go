package appserver

import "testing"

func TestTomlKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"model":        "model",
		"gpt-5_codex2": "gpt-5_codex2",
		"":             `""`,
		"a.b":          `"a.b"`,
		"with space":   `"with space"`,
		"é":            `"é"`,
		"q\"":          `"q\""`,
	} {
		if got := tomlKey(in); got != want {
			t.Errorf("tomlKey(%q) = %s, want %s", in, got, want)
		}
	}
}
