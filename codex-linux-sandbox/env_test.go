package linuxsandbox

import (
	"slices"
	"testing"
)

func TestEnvOneSettingPerKey(t *testing.T) {
	env := []string{"A=1", "B=x", "A=2", "EMPTY=", "CODEX_SANDBOX=callers"}
	get := Getenv(env)
	for k, want := range map[string]string{"A": "1", "B": "x", "EMPTY": "", "NONE": ""} {
		if got := get(k); got != want {
			t.Errorf("Getenv(%q) = %q, want %q", k, got, want)
		}
	}
	got := withEnv(env, "CODEX_SANDBOX=landlock", "NEW=1")
	want := []string{"A=1", "B=x", "EMPTY=", "CODEX_SANDBOX=landlock", "NEW=1"}
	if !slices.Equal(got, want) {
		t.Errorf("withEnv = %q, want %q", got, want)
	}
	if env[2] != "A=2" || env[4] != "CODEX_SANDBOX=callers" {
		t.Errorf("withEnv modified its input: %q", env)
	}
}
