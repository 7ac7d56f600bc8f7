package codex_test

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestDistShipsFusedFileAlone runs scripts/dist.sh (`make dist`) for this
// platform and checks what a release holds: the codex archive carries the
// fused file alone, every sum and manifest digest matches its file, and
// the fused file unpacked into an otherwise empty directory runs a
// sandboxed command through a link to it (as an unprivileged user too,
// when the test runs as root: there the fused file re-executes itself as
// the sandbox's helper).
func TestDistShipsFusedFileAlone(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("dist's run check uses the Linux sandbox")
	}
	out := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command("bash", "scripts/dist.sh")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "VERSION=0.0.0-disttest", "DIST_DIR="+out,
		"DIST_TARGETS="+runtime.GOOS+"/"+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, b)
	}
	name := "codex-" + runtime.GOOS + "-" + runtime.GOARCH
	helper := "codex-linux-sandbox-" + runtime.GOOS + "-" + runtime.GOARCH

	// The archives: exactly one file each, under a directory of their name.
	files := readArchive(t, filepath.Join(out, name+".tar.gz"))
	if len(files) != 1 || files[name+"/codex"] == nil {
		t.Fatalf("%s.tar.gz holds %v, want %s/codex alone", name, keys(files), name)
	}
	fused, err := os.ReadFile(filepath.Join(out, name))
	if err != nil {
		t.Fatal(err)
	}
	if string(files[name+"/codex"]) != string(fused) {
		t.Errorf("%s.tar.gz's codex differs from %s", name, name)
	}
	if h := readArchive(t, filepath.Join(out, helper+".tar.gz")); len(h) != 1 || h[helper+"/codex-linux-sandbox"] == nil {
		t.Errorf("%s.tar.gz holds %v, want %s/codex-linux-sandbox alone", helper, keys(h), helper)
	}

	// SHA256SUMS covers every binary and archive, and each sum is right.
	sums := map[string]string{}
	f, err := os.Open(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		digest, file, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", sc.Text())
		}
		sums[file] = digest
	}
	for _, file := range []string{name, name + ".tar.gz", helper, helper + ".tar.gz"} {
		if got := sha256File(t, filepath.Join(out, file)); sums[file] != got {
			t.Errorf("SHA256SUMS has %q for %s, the file's is %s", sums[file], file, got)
		}
	}

	// The DotSlash manifests point at those archives, with their digests.
	for prog, archive := range map[string]string{"codex": name, "codex-linux-sandbox": helper} {
		checkManifest(t, filepath.Join(out, prog), archive, prog, runtime.GOARCH)
	}

	// The fused file alone runs a sandboxed command through a link.
	dir, err := os.MkdirTemp("", "dist-alone-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "codex")
	if err := os.WriteFile(bin, fused, 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, "install-links", dir).CombinedOutput(); err != nil {
		t.Fatalf("codex install-links: %v\n%s", err, b)
	}
	run := func(cred *syscall.Credential) {
		t.Helper()
		c := exec.Command(filepath.Join(dir, "codex-sandbox"), "--sandbox", "workspace-write", "--",
			"/bin/sh", "-c", "echo made > made && cat made && ! touch /etc/dist-test-escape 2>/dev/null")
		c.Dir = dir
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		b, err := c.CombinedOutput()
		if err != nil || !strings.Contains(string(b), "made") {
			t.Errorf("codex-sandbox through the fused file alone (credential %v): %v\n%s", cred, err, b)
		}
		_ = os.Remove(filepath.Join(dir, "made"))
	}
	run(nil)
	if os.Geteuid() == 0 {
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		run(&syscall.Credential{Uid: 65534, Gid: 65534})
	}
}

// readArchive returns the regular files of a tar.gz by name.
func readArchive(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: %s owned by %d:%d, want 0:0", path, h.Name, h.Uid, h.Gid)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Mode&0o111 == 0 {
			t.Errorf("%s: %s is not executable (mode %o)", path, h.Name, h.Mode)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = b
	}
}

// checkManifest checks a DotSlash file: a shebang line, then JSON naming
// prog, whose entry for this platform points at archive.tar.gz with its
// size and SHA-256, and at prog inside it.
func checkManifest(t *testing.T, path, archive, prog, goarch string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	shebang, body, _ := strings.Cut(string(b), "\n")
	if shebang != "#!/usr/bin/env dotslash" {
		t.Errorf("%s starts %q", path, shebang)
	}
	var m struct {
		Name      string
		Platforms map[string]struct {
			Size      int64
			Hash      string
			Digest    string
			Format    string
			Path      string
			Providers []struct{ URL string }
		}
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[goarch]
	p, ok := m.Platforms["linux-"+arch]
	if m.Name != prog || !ok {
		t.Fatalf("%s: name %q, platforms %v", path, m.Name, m.Platforms)
	}
	file := filepath.Join(filepath.Dir(path), archive+".tar.gz")
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if p.Size != st.Size() || p.Hash != "sha256" || p.Digest != sha256File(t, file) || p.Format != "tar.gz" ||
		p.Path != archive+"/"+prog || len(p.Providers) != 1 || !strings.HasSuffix(p.Providers[0].URL, "/0.0.0-disttest/"+archive+".tar.gz") {
		t.Errorf("%s: entry %+v does not describe %s (size %d)", path, p, file, st.Size())
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
