package agent

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/modelserver"
)

// TestHonestTruncation: for output far beyond what is kept (8 MiB; the
// capture keeps 1 MiB), the model is told the real total size, lines and
// token count, and how much it is shown.
func TestHonestTruncation(t *testing.T) {
	const size = 8 << 20 // bytes of "0123456789\n"
	cmd := fmt.Sprintf("yes 0123456789 | head -c %d", size)
	for _, tool := range []string{"exec_command", "shell"} {
		t.Run(tool, func(t *testing.T) {
			args := map[string]any{"cmd": cmd}
			if tool == "shell" {
				args = map[string]any{"command": []string{"bash", "-c", cmd}}
			}
			h := newHarness(t, []modelserver.Turn{
				{Items: []json.RawMessage{modelserver.FunctionCall("c1", tool, args)}},
				{Items: []json.RawMessage{modelserver.Message("ok")}},
			}, func(c *SessionConfig) {
				if tool == "shell" {
					c.Tools.Shell = ShellClassic
				}
			})
			h.turn("go", nil)
			out := outputOf(t, h.requestInput(1), "c1")
			lines := size / 11
			want := fmt.Sprintf("output truncated: %d bytes, %d lines total; the first ", size, lines)
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%.300s", want, out)
			}
			if tool == "exec_command" && !strings.Contains(out, fmt.Sprintf("Original token count: %d\n", (size+3)/4)) {
				t.Errorf("token count is not the real one:\n%.200s", out)
			}
			if tool == "shell" && !strings.Contains(out, fmt.Sprintf("Total output lines: %d\n", lines)) {
				t.Errorf("line count is not the real one:\n%.200s", out)
			}
			if len(out) > 50000 {
				t.Errorf("output to the model is %d bytes", len(out))
			}
		})
	}
}
