package clipboard

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// fakeTools puts shell scripts named after clipboard programs in a fresh
// PATH: pasting prints the file clip, copying writes it.
func fakeTools(t *testing.T, names ...string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the tools are the Linux ones")
	}
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip")
	for _, n := range names {
		// Copying: wl-copy, or -in / --input; else pasting.
		script := "#!/bin/sh\nPATH=/usr/bin:/bin\ncase \"$0 $*\" in\n*copy*|*-in*|*--input*) cat > " + clip + " ;;\n*) printf %s " + n + "; cat " + clip + " ;;\nesac\n"
		if err := os.WriteFile(filepath.Join(dir, n), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	return clip
}

func TestReadAllUsesTheFirstToolInPath(t *testing.T) {
	clip := fakeTools(t, "xsel", "xclip")
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := os.WriteFile(clip, []byte(" pasted\ttext\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := "xclip pasted\ttext\n"; got != want {
		t.Errorf("ReadAll = %q, want %q (xclip before xsel)", got, want)
	}
}

func TestWaylandFirstWhenBothPresent(t *testing.T) {
	clip := fakeTools(t, "xclip", "wl-paste", "wl-copy")
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	if err := os.WriteFile(clip, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got != "wl-pastex" {
		t.Errorf("ReadAll = %q, want wl-paste's", got)
	}
	t.Setenv("WAYLAND_DISPLAY", "")
	if got, _ := ReadAll(); got != "xclipx" {
		t.Errorf("without WAYLAND_DISPLAY ReadAll = %q, want xclip's", got)
	}
}

func TestWriteAll(t *testing.T) {
	clip := fakeTools(t, "xsel")
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := WriteAll("copied\n"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "copied\n" {
		t.Errorf("clipboard holds %q", b)
	}
}

// No program installed: a clear error, found when asked (not at start).
func TestNoTool(t *testing.T) {
	fakeTools(t)
	if _, err := ReadAll(); err != errNoTool {
		t.Errorf("ReadAll error = %v, want %v", err, errNoTool)
	}
	if err := WriteAll("x"); err != errNoTool {
		t.Errorf("WriteAll error = %v, want %v", err, errNoTool)
	}
}

// A tool applies only when both of its programs are there.
func TestFindNeedsBothPrograms(t *testing.T) {
	look := func(name string) (string, error) {
		if name == "wl-paste" || name == "xsel" {
			return "/bin/" + name, nil
		}
		return "", os.ErrNotExist
	}
	got, err := find("linux", func(string) string { return "wayland-0" }, look)
	if err != nil || got.paste[0] != "xsel" {
		t.Errorf("find = %v, %v; want xsel (wl-copy missing)", got.paste, err)
	}
	got, err = find("darwin", func(string) string { return "" }, func(n string) (string, error) { return "/usr/bin/" + n, nil })
	if err != nil || got.paste[0] != "pbpaste" || got.copy[0] != "pbcopy" {
		t.Errorf("darwin: %v %v, %v", got.paste, got.copy, err)
	}
}
