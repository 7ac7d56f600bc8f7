package tools

import (
	"fmt"
	"strings"
	"testing"

	"github.com/codexgo/codex-agent/runner"
)

func TestCapBufferKeepsHeadAndTail(t *testing.T) {
	c := runner.NewCapBuffer(10)
	for i := 0; i < 10; i++ {
		c.Write([]byte(fmt.Sprintf("%d", i)))
	}
	c.Write([]byte("abcdefghij"))
	got := c.String()
	if !strings.HasPrefix(got, "01234") || !strings.HasSuffix(got, "fghij") || !strings.Contains(got, "10 bytes omitted") || !c.Truncated() {
		t.Errorf("got %q", got)
	}
	small := runner.NewCapBuffer(10)
	small.Write([]byte("abc"))
	if small.String() != "abc" || small.Truncated() {
		t.Errorf("small = %q", small.String())
	}
	out, cut := trimOutput(plainOutput(strings.Repeat("x", 100)+"\n"), 20)
	if !cut || !strings.Contains(out, "output truncated: 101 bytes, 1 lines total") {
		t.Errorf("trimOutput = %q", out)
	}
}
