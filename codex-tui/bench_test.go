package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
	"github.com/muesli/termenv"
)

// benchModel is a model on a fake connection with the dark palette (so
// colour escapes are part of the cost) at 100x40.
func benchModel(b *testing.B) *harness {
	b.Helper()
	t := &testing.T{}
	h := newHarness(t)
	th := newTheme(termenv.ANSI256, true)
	h.m.p, h.m.printer = testPainter(th), testPainter(th)
	h.send(eventsMsg{conn: h.m.conn, evs: []protocol.Event{ev("", protocol.SessionConfiguredMsg{Model: "gpt-5-codex", SessionID: "s"})}})
	h.send(printedMsg{})
	return h
}

// frame is one UI frame: a batch of events handled, the print handed
// over, and the live area rendered.
func frame(h *harness, evs ...protocol.Event) string {
	h.send(eventsMsg{conn: h.m.conn, evs: evs})
	h.send(printedMsg{})
	return h.m.View()
}

// benchFrames measures a frame (a streamed paragraph finished, handed to
// the printer, and the live area redrawn) in a session that already holds
// `cells` finished cells.
func benchFrames(b *testing.B, cells int) {
	h := benchModel(b)
	h.send(eventsMsg{conn: h.m.conn, evs: []protocol.Event{ev("1", protocol.TaskStartedMsg{})}})
	for i := 0; i < cells; i++ {
		var c protocol.Msg
		switch i % 3 {
		case 0:
			c = protocol.AgentMessageMsg{Message: fmt.Sprintf("Answer %d with `code` and **bold**.", i)}
		case 1:
			c = protocol.ExecCommandEndMsg{CallID: "x", AggregatedOutput: "out\n", DurationMS: 5}
		default:
			c = protocol.BackgroundEventMsg{Message: fmt.Sprintf("note %d", i)}
		}
		h.send(eventsMsg{conn: h.m.conn, evs: []protocol.Event{ev("1", c)}})
		h.send(printedMsg{})
	}
	if len(h.m.transcript) < cells {
		b.Fatalf("transcript holds %d cells, want %d", len(h.m.transcript), cells)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		frame(h, ev("1", protocol.AgentMessageDeltaMsg{Delta: "more words in a paragraph"}))
		frame(h, ev("1", protocol.AgentMessageDeltaMsg{Delta: " that ends here.\n\n"}))
	}
}

// BenchmarkFrameEmptySession is the baseline for BenchmarkFrame10kCells.
func BenchmarkFrameEmptySession(b *testing.B) { benchFrames(b, 0) }

// BenchmarkFrame10kCells: the same frames with 10 000 finished cells in
// the session. Finished cells live in the scrollback, so this must cost
// what the baseline costs.
func BenchmarkFrame10kCells(b *testing.B) { benchFrames(b, 10000) }

// BenchmarkFrameStreaming2000Lines: frames while a 2 000-line Markdown
// message streams in (paragraphs, lists and code), one line per frame;
// reported per frame.
func BenchmarkFrameStreaming2000Lines(b *testing.B) {
	lines := make([]string, 0, 2000)
	for i := 0; len(lines) < 2000; i++ {
		switch i % 4 {
		case 0:
			lines = append(lines, fmt.Sprintf("Paragraph %d explains the change in some detail, with `code` and **emphasis**.", i), "")
		case 1:
			lines = append(lines, "- first item", "- second item", "")
		case 2:
			lines = append(lines, "```go", "func f() int {", "\treturn 42", "}", "```")
		default:
			lines = append(lines, "## A heading", "")
		}
	}
	h := benchModel(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(lines)
		if j == 0 {
			frame(h, ev("1", protocol.TaskStartedMsg{}))
		}
		frame(h, ev("1", protocol.AgentMessageDeltaMsg{Delta: lines[j] + "\n"}))
		if j == len(lines)-1 {
			frame(h, ev("1", protocol.AgentMessageMsg{Message: strings.Join(lines, "\n")}), ev("1", protocol.TaskCompleteMsg{}))
		}
	}
}

// BenchmarkFrameStreamingCodeBlock: the worst case for the live area, a
// single 2 000-line code block that stays unfinished (nothing can be
// printed until its fence closes); reported per frame.
func BenchmarkFrameStreamingCodeBlock(b *testing.B) {
	h := benchModel(b)
	frame(h, ev("1", protocol.TaskStartedMsg{}), ev("1", protocol.AgentMessageDeltaMsg{Delta: "```go\n"}))
	for i := 0; i < 2000; i++ {
		frame(h, ev("1", protocol.AgentMessageDeltaMsg{Delta: fmt.Sprintf("x%d := compute(%d) // a line of code\n", i, i)}))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		frame(h, ev("1", protocol.AgentMessageDeltaMsg{Delta: "y := 1\n"}))
	}
}

// BenchmarkFrameWhole2000LineCodeMessage: the frame in which a whole
// (not streamed) message holding a 2 000-line code block arrives and is
// printed: the worst single frame.
func BenchmarkFrameWhole2000LineCodeMessage(b *testing.B) {
	var src strings.Builder
	src.WriteString("Here is the file:\n\n```go\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&src, "x%d := compute(%d) // a line of code\n", i, i)
	}
	src.WriteString("```\n")
	h := benchModel(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		frame(h, ev("1", protocol.AgentMessageMsg{Message: src.String()}))
	}
}

// BenchmarkPrintRender2000CodeLines: rendering (highlighting) a whole
// 2 000-line code block for the scrollback. This runs in the print
// command, off the event loop, so it delays the lines' appearance but
// never a frame.
func BenchmarkPrintRender2000CodeLines(b *testing.B) {
	p := testPainter(newTheme(termenv.ANSI256, true))
	cells := make([]toPrint, 2000)
	for i := range cells {
		cells[i] = toPrint{codeCell{line: fmt.Sprintf("x%d := compute(%d) // a line of code", i, i), lang: "go", first: i == 0}, 100}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		renderPrints(p, cells)
	}
}
