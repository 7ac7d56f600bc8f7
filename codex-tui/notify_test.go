package tui

import (
	"bytes"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
)

func TestNotificationKinds(t *testing.T) {
	for _, tc := range []struct {
		raw  map[string]any
		want map[string]bool
	}{
		{nil, nil},
		{map[string]any{"tui": map[string]any{"notifications": true}}, map[string]bool{noteTurnComplete: true, noteApproval: true}},
		{map[string]any{"tui": map[string]any{"notifications": false}}, nil},
		{map[string]any{"tui": map[string]any{"notifications": []any{"approval-requested"}}}, map[string]bool{noteApproval: true}},
	} {
		got := notificationKinds(&config.Config{Raw: tc.raw})
		if len(got) != len(tc.want) || (len(got) > 0 && got[noteApproval] != tc.want[noteApproval]) || got[noteTurnComplete] != tc.want[noteTurnComplete] {
			t.Errorf("notificationKinds(%v) = %v, want %v", tc.raw, got, tc.want)
		}
	}
}

// TestNotifications: with tui.notifications on, a finished turn and an
// approval request become OSC 9 notifications, but only while the
// terminal is not focused.
func TestNotifications(t *testing.T) {
	h := newHarness(t)
	var term bytes.Buffer
	h.m.env.notifications = map[string]bool{noteTurnComplete: true, noteApproval: true}
	h.m.env.term = &term
	deliver := func(evs ...protocol.Event) {
		for _, e := range evs {
			h.m.handleEvent(e)
		}
		if cmd := h.m.sendNotes(); cmd != nil {
			cmd()
		}
	}
	deliver(ev("1", protocol.TaskStartedMsg{}), ev("1", protocol.TaskCompleteMsg{LastAgentMessage: "done"}))
	if term.Len() != 0 {
		t.Errorf("notified while focused: %q", term.String())
	}
	h.send(tea.BlurMsg{})
	deliver(ev("2", protocol.TaskStartedMsg{}),
		ev("2", protocol.ExecApprovalRequestMsg{CallID: "c1", Command: []string{"rm", "-rf", "build"}}),
		ev("2", protocol.TaskCompleteMsg{LastAgentMessage: "Fixed the build.\nDetails follow."}))
	want := "\x1b]9;Codex wants to run rm -rf build\x07\x1b]9;Codex: Fixed the build.\x07"
	if term.String() != want {
		t.Errorf("notifications = %q, want %q", term.String(), want)
	}
	h.send(tea.FocusMsg{})
	term.Reset()
	deliver(ev("3", protocol.TaskStartedMsg{}), ev("3", protocol.TaskCompleteMsg{}))
	if term.Len() != 0 {
		t.Errorf("notified after the focus came back: %q", term.String())
	}
}

func TestOSC9(t *testing.T) {
	if got := osc9("a\x07b\x1bc\nd"); got != "\x1b]9;a b c d\x07" {
		t.Errorf("osc9 = %q", got)
	}
}
