package tools

import (
	"fmt"
	"strings"
)

// output is what a command printed, as the model is told of it: the
// captured text (at most DefaultMaxOutputBytes, its middle cut with a
// note of how much) and the real size of everything it printed.
type output struct {
	text string
	// total and lines are the bytes and lines the command really printed.
	total, lines int
}

// plainOutput is a text that is all there was.
func plainOutput(s string) output {
	return output{text: s, total: len(s), lines: strings.Count(s, "\n")}
}

// tokens is the real output's size in tokens of about four bytes.
func (o output) tokens() int { return (o.total + 3) / 4 }

// trimOutput keeps the head and tail of the output within max bytes and
// says what was cut: the real total size and lines, and how much of it
// is shown. truncated reports that the model does not see everything.
func trimOutput(o output, max int) (text string, truncated bool) {
	if max <= 0 || len(o.text) <= max {
		return o.text, o.total > len(o.text)
	}
	head := o.text[:max/2]
	tail := o.text[len(o.text)-max/2:]
	return fmt.Sprintf("%s\n[… output truncated: %d bytes, %d lines total; the first %d and the last %d bytes are shown …]\n%s",
		head, o.total, o.lines, len(head), len(tail), tail), true
}
