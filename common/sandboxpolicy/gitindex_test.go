package sandboxpolicy

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func runGit(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=u", "GIT_AUTHOR_EMAIL=u@example.com", "GIT_COMMITTER_NAME=u", "GIT_COMMITTER_EMAIL=u@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// TestIndexGitlinks reads indexes git itself wrote, in every version,
// split and SHA-256: exactly the gitlinks are found, whatever the entries
// around them (a name longer than the 12-bit length field, prefix
// compression in version 4).
func TestIndexGitlinks(t *testing.T) {
	long := strings.Repeat(strings.Repeat("d", 200)+"/", 3) + "f"
	for _, v := range []struct {
		name   string
		init   []string
		update []string
	}{
		{"v2", nil, []string{"--index-version", "2"}},
		{"v3", nil, []string{"--index-version", "3"}},
		{"v4", nil, []string{"--index-version", "4"}},
		{"split", nil, []string{"--split-index"}},
		{"sha256", []string{"--object-format=sha256"}, []string{"--index-version", "4"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			ws := t.TempDir()
			runGit(t, append(append([]string{"init", "-q"}, v.init...), ws)...)
			for _, f := range []string{"a/x", "a/emb0", long, "z"} {
				mkdirs(t, filepath.Dir(filepath.Join(ws, f)))
				if err := os.WriteFile(filepath.Join(ws, f), []byte(f[:1]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, e := range []string{"a/emb", "b/c/emb", "emb"} {
				runGit(t, append(append([]string{"init", "-q"}, v.init...), filepath.Join(ws, e))...)
				runGit(t, "-C", filepath.Join(ws, e), "commit", "-q", "--allow-empty", "-m", "x")
			}
			runGit(t, "-C", ws, "add", ".")
			runGit(t, "-C", ws, "commit", "-q", "-m", "x")
			// Split: the gitlinks stay in the shared index, a change lands
			// in the split one.
			runGit(t, append([]string{"-C", ws, "update-index"}, v.update...)...)
			if err := os.WriteFile(filepath.Join(ws, "z"), []byte("changed"), 0o644); err != nil {
				t.Fatal(err)
			}
			runGit(t, "-C", ws, "add", "z")
			hashLen := 20
			if v.name == "sha256" {
				hashLen = 32
			}
			var got []string
			indexGitlinks(filepath.Join(ws, ".git"), hashLen, func(n string) { got = append(got, n) })
			sort.Strings(got)
			if want := []string{"a/emb", "b/c/emb", "emb"}; !reflect.DeepEqual(got, want) {
				t.Errorf("gitlinks = %q, want %q", got, want)
			}
		})
	}
}

// FuzzGitIndex: any bytes as an index give some gitlinks or none, never a
// panic or a hang.
func FuzzGitIndex(f *testing.F) {
	f.Add([]byte("DIRC\x00\x00\x00\x02\x00\x00\x00\x01"), 20)
	f.Add([]byte("DIRC\x00\x00\x00\x04\x00\x00\x00\x02"+strings.Repeat("\x00", 24)+"\x00\x00\xe0\x00"+strings.Repeat("\x00", 32)+"\x00\x05\x00a\x00"), 20)
	f.Fuzz(func(t *testing.T, b []byte, hashLen int) {
		if hashLen != 32 {
			hashLen = 20
		}
		n := 0
		scanIndex(bufio.NewReader(bytes.NewReader(b)), hashLen, func(name string) { n++ })
		if n > len(b) {
			t.Fatalf("%d gitlinks from %d bytes", n, len(b))
		}
	})
}
