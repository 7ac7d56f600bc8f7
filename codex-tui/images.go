package tui

import (
	"fmt"
	"os"
	"path/filepath"

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

// sendUser shows and sends a message the user wrote, with the images
// waiting to go with it (-i).
func (m *model) sendUser(text string) {
	items := protocol.TextInput(text)
	shown := text
	for _, p := range m.images {
		items = append(items, protocol.InputItem{Type: "local_image", Path: p})
		shown += "\n[image: " + filepath.Base(p) + "]"
	}
	m.images = nil
	m.print(userCell{text: shown})
	m.submit(protocol.UserInputOp{Items: items})
}
