package tui

import "strings"

// Live is what the live area shows of the unfinished block: its complete
// lines (the last liveStreamRows of them) and the line being typed up to
// its last whole word, so words appear as they arrive and a half-received
// word never wraps differently from the whole one. Inside a code fence
// nothing: code is committed line by line as each line ends.
func (s *mdStream) Live() string {
	if s.inFence {
		return ""
	}
	done := s.done.String()
	if s.lines > liveStreamRows {
		lines := strings.SplitAfter(done, "\n")
		done = strings.Join(lines[len(lines)-1-liveStreamRows:], "")
	}
	p := s.partial
	if i := strings.LastIndexAny(p, " \t"); i >= 0 {
		p = p[:i]
	} else {
		p = ""
	}
	if t := strings.TrimSpace(p); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
		p = "" // a fence being opened: it shows once it is one
	}
	return done + p
}

// liveRender caches the live area's rendering of the streaming block: a
// frame is drawn for every key and event, the block changes only with
// the deltas.
type liveRender struct {
	src   string
	width int
	first bool
	out   string
}

// liveStream shows the unfinished block as it streams in, rendered and
// wrapped like the finished cell it will become, its last liveStreamRows
// rows at most.
func (m *model) liveStream(width int) string {
	src := m.stream.Live()
	if strings.TrimSpace(src) == "" {
		return ""
	}
	c := &m.live
	if c.src != src || c.width != width || c.first != m.streamFirst {
		out := agentCell{src: src, first: m.streamFirst}.Render(m.p, width)
		if lines := strings.Split(out, "\n"); len(lines) > liveStreamRows {
			out = strings.Join(lines[len(lines)-liveStreamRows:], "\n")
		}
		*c = liveRender{src: src, width: width, first: m.streamFirst, out: out}
	}
	return c.out
}
