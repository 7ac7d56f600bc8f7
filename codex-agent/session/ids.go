package session

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"time"

	"github.com/codexgo/codex-agent/tools"
)

// NewThreadID returns a UUIDv7 (time-ordered), the shape of Codex thread ids.
func NewThreadID(now time.Time) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		return "", fmt.Errorf("thread id: %w", err)
	}
	ms := uint64(now.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(b[0:6], ts[2:8])
	b[6] = 0x70 | (b[6] & 0x0f)
	b[8] = 0x80 | (b[8] & 0x3f)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// imageDataURL reads a local image as a data: URL for input_image.
func imageDataURL(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	typ := mime.TypeByExtension(filepath.Ext(path))
	if typ == "" {
		typ = "image/png"
	}
	return tools.DataURL(typ, b), nil
}
