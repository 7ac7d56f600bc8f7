package sandboxpolicy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"io"
	"path/filepath"
)

// A repository's index lists its gitlinks: the commits of submodules and
// of embedded repositories (a repository inside the working tree added
// with git add, which .gitmodules does not name). git status runs git in
// every populated one, which reads that repository's own config
// (core.fsmonitor) and runs its hooks: each must be as protected as the
// repository's own .git. The index is read as a stream (a large one does
// not grow the helper's memory) and only gitlink entries are kept.

// maxIndexEntries bounds the entries read from one index.
const maxIndexEntries = 1 << 24

// indexGitlinks calls fn with the path (relative to the working tree) of
// every gitlink in the index of gitdir, and in the shared index a split
// index points to. hashLen is 20 (SHA-1) or 32 (SHA-256). Malformed input
// ends the scan with what was found so far.
func indexGitlinks(gitdir string, hashLen int, fn func(name string)) {
	shared := readIndexFile(filepath.Join(gitdir, "index"), hashLen, fn)
	if shared != "" {
		readIndexFile(filepath.Join(gitdir, "sharedindex."+shared), hashLen, fn)
	}
}

func readIndexFile(path string, hashLen int, fn func(name string)) string {
	f, err := openRegular(path)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	return scanIndex(bufio.NewReaderSize(f, 32<<10), hashLen, fn)
}

// scanIndex reads an index (versions 2 to 4) from r, calling fn for each
// gitlink entry, and returns the hex hash of the shared index named by a
// "link" extension, "" if none.
//
// Entries are delimited as git's read-cache.c delimits them: by the name
// length in an entry's flags, by the name's NUL only where that length is
// 0xfff (a longer name). So the gitlinks found are the ones git sees,
// even in an index where the two disagree; and a name that is not a
// gitlink's is skipped unread, with no allocation per entry.
func scanIndex(r *bufio.Reader, hashLen int, fn func(name string)) string {
	hdr, err := r.Peek(12)
	if err != nil || string(hdr[:4]) != "DIRC" {
		return ""
	}
	version := binary.BigEndian.Uint32(hdr[4:])
	count := binary.BigEndian.Uint32(hdr[8:])
	if version < 2 || version > 4 || count > maxIndexEntries {
		return ""
	}
	_, _ = r.Discard(12)
	fixed := 40 + hashLen + 2 // stat data, mode, ..., object name, flags
	var prev []byte           // version 4: names are prefix-compressed
	for i := uint32(0); i < count; i++ {
		b, err := r.Peek(fixed)
		if err != nil {
			return ""
		}
		mode := binary.BigEndian.Uint32(b[24:])
		flags := binary.BigEndian.Uint16(b[fixed-2:])
		head := fixed
		if _, err := r.Discard(fixed); err != nil {
			return ""
		}
		if version >= 3 && flags&0x4000 != 0 {
			if _, err := r.Discard(2); err != nil {
				return ""
			}
			head += 2
		}
		gitlink := mode&0o170000 == 0o160000
		n := int(flags & 0xfff)
		if version == 4 {
			var ok bool
			if prev, ok = nextName4(r, prev, n); !ok {
				return ""
			}
			if gitlink {
				fn(cString(prev))
			}
			continue
		}
		// Versions 2 and 3: the name, then 1 to 8 NULs to a multiple of 8
		// bytes (git's ondisk_ce_size).
		consumed := head
		var name []byte
		switch {
		case n == 0xfff:
			var ok bool
			if name, ok = readName(r, 1<<16); !ok {
				return ""
			}
			n = len(name)
			consumed += n + 1
		case gitlink:
			if name, err = r.Peek(n); err != nil {
				return ""
			}
		}
		if gitlink {
			fn(cString(name))
		}
		if _, err := r.Discard((head+n+8)&^7 - consumed); err != nil {
			return ""
		}
	}
	// Extensions follow; git writes the split index's "link" first.
	if b, err := r.Peek(8 + hashLen); err == nil && string(b[:4]) == "link" &&
		binary.BigEndian.Uint32(b[4:]) >= uint32(hashLen) {
		return hex.EncodeToString(b[8 : 8+hashLen])
	}
	return ""
}

// nextName4 reads a version 4 entry's name into prev, the previous
// entry's name, as git does: a varint of bytes to strip from the end of
// prev, then the rest of the name, whose length is n less what is kept
// (where n, from the flags, is below 0xfff; else up to a NUL), and one
// byte git skips unread (a NUL as git writes it).
func nextName4(r *bufio.Reader, prev []byte, n int) ([]byte, bool) {
	strip, ok := readVarint(r)
	if !ok || strip > uint64(len(prev)) {
		return nil, false
	}
	keep := len(prev) - int(strip)
	prev = prev[:keep]
	if n == 0xfff {
		suffix, ok := readName(r, keep+1<<16)
		if !ok {
			return nil, false
		}
		return append(prev, suffix...), true
	}
	if n < keep {
		return nil, false
	}
	suffix, err := r.Peek(n - keep)
	if err != nil {
		return nil, false
	}
	prev = append(prev, suffix...)
	if _, err := r.Discard(n - keep + 1); err != nil {
		return nil, false
	}
	return prev, true
}

// cString is name up to its first NUL, as git's C strings end there.
func cString(name []byte) string {
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return string(name)
}

// readName reads a NUL-terminated name of at most max bytes (the NUL is
// consumed, not returned). The name is valid until r is next read.
func readName(r *bufio.Reader, max int) ([]byte, bool) {
	chunk, err := r.ReadSlice(0)
	if err == nil {
		return chunk[:len(chunk)-1], len(chunk) <= max+1
	}
	name := append([]byte(nil), chunk...)
	for err == bufio.ErrBufferFull && len(name) <= max+1 {
		chunk, err = r.ReadSlice(0)
		name = append(name, chunk...)
	}
	if err != nil || len(name) > max+1 {
		return nil, false
	}
	return name[:len(name)-1], true
}

// readVarint reads git's offset varint (each continuation adds one, so
// that every value has a single encoding).
func readVarint(r io.ByteReader) (uint64, bool) {
	c, err := r.ReadByte()
	if err != nil {
		return 0, false
	}
	v := uint64(c & 0x7f)
	for c&0x80 != 0 {
		if v > 1<<50 {
			return 0, false
		}
		if c, err = r.ReadByte(); err != nil {
			return 0, false
		}
		v = (v+1)<<7 | uint64(c&0x7f)
	}
	return v, true
}
