package tui

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// backgroundList is /ps: the commands still running, in this turn and in
// the background (exec sessions the model left running).
func (m *model) backgroundList() string {
	var lines []string
	for _, r := range m.background {
		lines = append(lines, "  "+commandText(r.cell.command)+" (running "+formatElapsed(m.env.now().Sub(r.start).Truncate(time.Second))+")")
	}
	for _, r := range m.execs {
		if r.awaiting {
			continue
		}
		lines = append(lines, "  "+commandText(r.cell.command)+" (this turn)")
	}
	if len(lines) == 0 {
		return "No background terminals."
	}
	return "Background terminals:\n" + strings.Join(lines, "\n")
}

// copyLastAnswer is /copy: the last answer goes to the clipboard through
// the terminal (OSC 52, which terminals and tmux pass to the system
// clipboard, also over SSH).
func (m *model) copyLastAnswer() tea.Cmd {
	text := m.lastAnswer
	if strings.TrimSpace(text) == "" {
		m.print(noticeCell{"error", "No answer to copy yet."})
		return nil
	}
	w := m.env.term
	if w == nil {
		m.print(noticeCell{"error", "/copy needs a terminal"})
		return nil
	}
	m.print(noticeCell{"info", fmt.Sprintf("Copied the last answer (%d characters) to the clipboard.", len([]rune(text)))})
	return func() tea.Msg {
		_, _ = io.WriteString(w, "\x1b]52;c;"+base64.StdEncoding.EncodeToString([]byte(text))+"\x07")
		return nil
	}
}

// fork is /fork: the conversation so far continues in a new session (a
// copy of the rollout under a new id), leaving the original as it was.
func (m *model) fork() tea.Cmd {
	src := m.session.RolloutPath
	if src == "" {
		m.print(noticeCell{"error", "This session is not recorded: nothing to fork."})
		return nil
	}
	now := m.env.now()
	return func() tea.Msg {
		dst, err := forkRollout(src, now)
		if err != nil {
			return errNoticeMsg{fmt.Errorf("fork: %w", err)}
		}
		return forkedMsg{path: dst}
	}
}

// forkedMsg: the forked rollout is written; resume it.
type forkedMsg struct{ path string }

// forkRollout copies the rollout at src into a new rollout file next to
// it, with a new session id in its session_meta line (the other lines
// are copied as they are), written 0600 and renamed into place whole.
func forkRollout(src string, now time.Time) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer func() { _ = in.Close() }()
	id := fmt.Sprintf("%08x-%04x-7%03x-8%03x-%012x", now.Unix(), now.Nanosecond()>>16&0xffff, now.Nanosecond()&0xfff, os.Getpid()&0xfff, now.UnixNano()&0xffffffffffff)
	name := "rollout-" + now.UTC().Format("2006-01-02T15-04-05") + "-" + id + ".jsonl"
	dst := filepath.Join(filepath.Dir(src), name)
	tmp, err := os.CreateTemp(filepath.Dir(src), ".fork-*")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	bw := bufio.NewWriter(tmp)
	for sc.Scan() {
		line := sc.Bytes()
		var l map[string]json.RawMessage
		if json.Unmarshal(line, &l) == nil && string(l["type"]) == `"session_meta"` {
			var meta map[string]any
			if json.Unmarshal(l["payload"], &meta) == nil {
				meta["forked_from"] = meta["id"]
				meta["id"] = id
				if p, err := json.Marshal(meta); err == nil {
					l["payload"] = p
					if b, err := json.Marshal(l); err == nil {
						line = b
					}
				}
			}
		}
		_, _ = bw.Write(line)
		_ = bw.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		_ = tmp.Close()
		return "", err
	}
	if err := bw.Flush(); err != nil {
		_ = tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return dst, os.Rename(tmp.Name(), dst)
}
