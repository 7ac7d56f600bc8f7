package sandboxpolicy

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/binary"
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

// TestIndexGitlinksAsGitReadsThem crafts indexes whose entries' name
// lengths (in the flags) and NULs disagree, which git never writes but a
// hostile index can hold, and holds scanIndex to what git itself reads
// from each (`git ls-files -s`): git delimits entries by the length, so
// a reader that follows the NULs would lose its way and miss the gitlink
// that git status then enters.
func TestIndexGitlinksAsGitReadsThem(t *testing.T) {
	stat := func(mode uint32) []byte {
		b := make([]byte, 40+20)
		binary.BigEndian.PutUint32(b[24:], mode)
		b[40] = 1 // a non-zero object name
		return b
	}
	entry := func(mode uint32, flagsLen int, tail string) []byte {
		b := stat(mode)
		b = binary.BigEndian.AppendUint16(b, uint16(flagsLen))
		return append(b, tail...)
	}
	pad := func(b []byte) []byte { // NULs to git's v2 entry size
		for len(b)%8 != 0 {
			b = append(b, 0)
		}
		return b
	}
	cases := []struct {
		name    string
		version uint32
		entries [][]byte
	}{
		// The length says 1; the padding after "a" is not NUL.
		{"v2 length shorter than the NUL", 2, [][]byte{
			entry(0o100644, 1, "aX"), // 64 bytes, as git sizes it
			pad(entry(0o160000, 3, "sub\x00")),
		}},
		// The length says 10; a NUL ends the C string after "a".
		{"v2 length longer than the NUL", 2, [][]byte{
			pad(entry(0o100644, 10, "a\x00bcdefghi\x00")),
			pad(entry(0o160000, 3, "sub\x00")),
		}},
		// Version 4: no padding; git skips the byte after the name unread.
		{"v4 length shorter than the NUL", 4, [][]byte{
			entry(0o100644, 1, "\x00aX"),
			entry(0o160000, 3, "\x01sub\x00"),
		}},
		{"v4 length longer than the NUL", 4, [][]byte{
			entry(0o100644, 4, "\x00a\x00bc\x00"),
			entry(0o160000, 3, "\x04sub\x00"),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var idx []byte
			idx = append(idx, "DIRC"...)
			idx = binary.BigEndian.AppendUint32(idx, c.version)
			idx = binary.BigEndian.AppendUint32(idx, uint32(len(c.entries)))
			for _, e := range c.entries {
				idx = append(idx, e...)
			}
			sum := sha1.Sum(idx)
			idx = append(idx, sum[:]...)

			ws := t.TempDir()
			runGit(t, "init", "-q", ws)
			if err := os.WriteFile(filepath.Join(ws, ".git", "index"), idx, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("git", "-C", ws, "-c", "index.threads=1", "ls-files", "-s", "-z")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("git ls-files refused the crafted index: %v", err)
			}
			var want []string
			for _, rec := range strings.Split(string(out), "\x00") {
				if meta, path, ok := strings.Cut(rec, "\t"); ok && strings.HasPrefix(meta, "160000 ") {
					want = append(want, path)
				}
			}
			if len(want) == 0 {
				t.Fatalf("git sees no gitlink in the crafted index: %q", out)
			}
			var got []string
			scanIndex(bufio.NewReader(bytes.NewReader(idx)), 20, func(n string) { got = append(got, n) })
			if !reflect.DeepEqual(got, want) {
				t.Errorf("gitlinks = %q, git reads %q", got, want)
			}
		})
	}
}
