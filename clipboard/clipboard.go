// Package clipboard is codex's own stand-in for github.com/atotto/clipboard
// (go.work and the replace directives of codex-tui and codex point that
// module path here), the package the bubbles text inputs call when the
// user presses Ctrl+V: ReadAll and WriteAll with the same signatures.
//
// atotto/clipboard looks for xclip, xsel, wl-copy and termux in every PATH
// directory in an init function: ~50 failed stat calls and 216
// allocations at every start of every binary that links the TUI, the
// fused codex binary included, whichever tool it runs as. This package
// has no initialiser: it looks the tool up when a paste or copy asks for
// it. The TUI's own /copy goes through the terminal (OSC 52) instead.
package clipboard

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// tool is one clipboard program: how to paste and how to copy.
type tool struct {
	paste, copy []string
	// when says whether the tool applies in this environment.
	when func(getenv func(string) string) bool
}

func always(func(string) string) bool { return true }

func wayland(getenv func(string) string) bool { return getenv("WAYLAND_DISPLAY") != "" }

// tools are tried in order; the first whose programs are in PATH is used.
func tools(goos string) []tool {
	switch goos {
	case "darwin":
		return []tool{{paste: []string{"pbpaste"}, copy: []string{"pbcopy"}, when: always}}
	case "windows":
		return []tool{{paste: []string{"powershell.exe", "-NoProfile", "-Command", "Get-Clipboard"}, copy: []string{"clip.exe"}, when: always}}
	}
	return []tool{
		{paste: []string{"wl-paste", "--no-newline"}, copy: []string{"wl-copy"}, when: wayland},
		{paste: []string{"xclip", "-out", "-selection", "clipboard"}, copy: []string{"xclip", "-in", "-selection", "clipboard"}, when: always},
		{paste: []string{"xsel", "--output", "--clipboard"}, copy: []string{"xsel", "--input", "--clipboard"}, when: always},
		{paste: []string{"termux-clipboard-get"}, copy: []string{"termux-clipboard-set"}, when: always},
	}
}

// errNoTool is returned when no clipboard program is installed.
var errNoTool = errors.New("no clipboard program found: install wl-clipboard (Wayland), xclip or xsel")

// find returns the first applicable tool whose programs are in PATH.
func find(goos string, getenv func(string) string, lookPath func(string) (string, error)) (tool, error) {
	for _, t := range tools(goos) {
		if !t.when(getenv) {
			continue
		}
		if _, err := lookPath(t.paste[0]); err != nil {
			continue
		}
		if _, err := lookPath(t.copy[0]); err != nil {
			continue
		}
		return t, nil
	}
	return tool{}, errNoTool
}

// ReadAll returns the clipboard's text.
func ReadAll() (string, error) {
	t, err := find(runtime.GOOS, os.Getenv, exec.LookPath)
	if err != nil {
		return "", err
	}
	out, err := exec.Command(t.paste[0], t.paste[1:]...).Output()
	if err != nil {
		return "", err
	}
	s := string(out)
	if runtime.GOOS == "windows" {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s, nil
}

// WriteAll puts text on the clipboard.
func WriteAll(text string) error {
	t, err := find(runtime.GOOS, os.Getenv, exec.LookPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(t.copy[0], t.copy[1:]...)
	cmd.Stdin = bytes.NewBufferString(text)
	return cmd.Run()
}
