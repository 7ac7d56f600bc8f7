package tui

import (
	"strings"
	"testing"
)

// TestE2EEverydayCommands: an unknown /command says so (and is not sent),
// /permissions (and its old name /approvals), /ps, /copy (the clipboard
// through OSC 52, which tmux keeps as a buffer), Ctrl+R history search.
func TestE2EEverydayCommands(t *testing.T) {
	tm := startTerm(t, 100, 40, "-s", "workspace-write", "-a", "on-request")
	if out, err := tm.tmux("set-option", "-g", "set-clipboard", "on").CombinedOutput(); err != nil {
		t.Fatalf("set-clipboard: %v %s", err, out)
	}
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "/frobnicate now")
	tm.keys("Enter")
	tm.waitFor(`Unrecognized command '/frobnicate'`)
	tm.waitFor(`› /frobnicate now`) // kept to be corrected
	tm.keys("C-c")
	tm.waitFor(`› Ask Codex`)

	for _, name := range []string{"/permissions", "/approvals"} {
		tm.keys("-l", name+" ")
		tm.keys("Enter")
		tm.waitFor(`Select approval mode`)
		tm.keys("Escape")
		tm.waitFor(`› Ask Codex`)
	}
	tm.keys("-l", "/ps ")
	tm.keys("Enter")
	tm.waitFor(`No background terminals\.`)

	tm.keys("-l", "hi there")
	tm.keys("Enter")
	tm.waitFor(`(?s)You said: hi there.*echo fenced.*› Ask Codex`)
	tm.keys("-l", "second prompt")
	tm.keys("Enter")
	tm.waitFor(`(?s)You said: second prompt.*echo fenced.*› Ask Codex`)

	tm.keys("-l", "/copy ")
	tm.keys("Enter")
	tm.waitFor(`Copied the last answer`)
	var buf string
	poll(t, "the clipboard buffer", func() bool {
		out, _ := tm.tmux("show-buffer").Output()
		buf = string(out)
		return strings.Contains(buf, "You said: **second prompt**")
	}, func() string { return buf })

	tm.keys("C-r")
	tm.waitFor("reverse-i-search")
	tm.keys("-l", "hi")
	tm.waitFor("reverse-i-search\\)`hi': hi there")
	tm.keys("Enter")
	tm.waitFor(`› hi there\s*\n`)
	tm.keys("C-c")
	tm.keys("C-d")
	tm.waitExit(0)
}

// TestE2ETranscriptAtLatest: Ctrl+T opens the transcript at the latest
// output, the answer still streaming included.
func TestE2ETranscriptAtLatest(t *testing.T) {
	tm := startTerm(t, 80, 24, "-s", "workspace-write", "-a", "on-request")
	release := tm.fifo()
	tm.waitFor(`>_ Codex`)
	tm.keys("-l", "long 60")
	tm.keys("Enter")
	tm.waitFor(`Line 60 of the answer\.`)
	tm.keys("-l", "answer slow")
	tm.keys("Enter")
	tm.waitFor(`Streaming words arrive`)
	tm.keys("C-t")
	s := tm.waitFor(`(?s)Transcript.*Streaming words arrive one by.*q close`)
	if strings.Contains(s[strings.LastIndex(s, "Transcript"):], "Line 1 of the answer") {
		t.Errorf("the transcript opened at the top:\n%s", s)
	}
	tm.keys("q")
	release()
	tm.waitFor(`A second paragraph\.`)
	tm.keys("C-d")
	tm.waitExit(0)
}
