package tui

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/codexgo/common/protocol"
)

// checkImages makes the -i paths absolute (the agent may run elsewhere)
// and checks that each is a readable file, so a typo fails at once, not
// after the first message.
func checkImages(paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", p, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", p, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("image %s: not a file", p)
		}
		out = append(out, abs)
	}
	return out, nil
}

// userInput is a message's input items and the text its user cell
// shows: the images go with it, named when the text has no placeholder
// for them (-i images).
func userInput(text string, images []string) ([]protocol.InputItem, string) {
	items := protocol.TextInput(text)
	shown := text
	for _, p := range images {
		items = append(items, protocol.InputItem{Type: "local_image", Path: p})
		if name := "[image: " + filepath.Base(p); !strings.Contains(shown, name) {
			shown += "\n" + name + "]"
		}
	}
	return items, shown
}

// sendUser shows and sends a message the user wrote, with the images
// waiting to go with it (-i).
func (m *model) sendUser(text string) {
	items, shown := userInput(text, m.images)
	m.images = nil
	m.print(userCell{text: shown})
	m.submit(protocol.UserInputOp{Items: items})
	// The turn runs from now on (task_started confirms it): what is sent
	// meanwhile is queued behind it.
	if !m.running {
		m.running, m.turnStart = true, m.env.now()
	}
}

// queuedInput is a message sent while a turn was running.
type queuedInput struct {
	text   string
	images []string
}

// sendQueued sends the oldest queued message once a turn has ended; the
// others wait for the turns before them.
func (m *model) sendQueued() {
	if len(m.queue) == 0 || m.running || m.quitting {
		return
	}
	q := m.queue[0]
	m.queue = m.queue[1:]
	m.images = append(m.images, q.images...)
	m.sendUser(q.text)
}

// imageExts are the file types a pasted path is taken as an image for.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".bmp": true}

// pastedImage reports whether a paste is the path of one image file, as
// a file dragged into a terminal pastes it: absolute (or ~/…, or a
// file:// URL), maybe quoted or with backslash-escaped spaces.
func pastedImage(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	} else {
		s = strings.ReplaceAll(s, "\\ ", " ")
	}
	if rest, ok := strings.CutPrefix(s, "file://"); ok {
		if u, err := url.PathUnescape(rest); err == nil {
			s = u
		}
	}
	if rest, ok := strings.CutPrefix(s, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			s = filepath.Join(home, rest)
		}
	}
	if !filepath.IsAbs(s) || strings.ContainsAny(s, "\n\t") || !imageExts[strings.ToLower(filepath.Ext(s))] {
		return "", false
	}
	fi, err := os.Stat(s)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	return filepath.Clean(s), true
}
