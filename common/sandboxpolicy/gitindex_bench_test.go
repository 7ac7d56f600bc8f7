package sandboxpolicy

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"testing"
)

// indexEntry is one entry for buildIndex: a path and its mode.
type indexEntry struct {
	name string
	mode uint32
}

// buildIndex writes an index of version 2, 3 or 4 (SHA-1) as git lays it
// out: the header, the entries (12-bit name length in the flags, 0xfff
// for longer names; NUL padding to 8 bytes in versions 2 and 3, prefix
// compression in 4), no extensions, and the checksum.
func buildIndex(version uint32, entries []indexEntry) []byte {
	var b bytes.Buffer
	b.WriteString("DIRC")
	_ = binary.Write(&b, binary.BigEndian, version)
	_ = binary.Write(&b, binary.BigEndian, uint32(len(entries)))
	prev := ""
	for _, e := range entries {
		start := b.Len()
		var stat [40]byte
		binary.BigEndian.PutUint32(stat[24:], e.mode)
		b.Write(stat[:])
		b.Write(make([]byte, 20)) // object name
		n := len(e.name)
		if n > 0xfff {
			n = 0xfff
		}
		_ = binary.Write(&b, binary.BigEndian, uint16(n))
		if version < 4 {
			b.WriteString(e.name)
			size := (b.Len() - start + 8) &^ 7
			b.Write(make([]byte, size-(b.Len()-start)))
			continue
		}
		common := 0
		for common < len(prev) && common < len(e.name) && prev[common] == e.name[common] {
			common++
		}
		b.Write(varint(uint64(len(prev) - common)))
		b.WriteString(e.name[common:])
		b.WriteByte(0)
		prev = e.name
	}
	sum := sha1.Sum(b.Bytes())
	b.Write(sum[:])
	return b.Bytes()
}

// varint encodes v as git's offset varint (see readVarint).
func varint(v uint64) []byte {
	var buf [16]byte
	i := len(buf) - 1
	buf[i] = byte(v & 0x7f)
	for v >>= 7; v != 0; v >>= 7 {
		v--
		i--
		buf[i] = 0x80 | byte(v&0x7f)
	}
	return buf[i:]
}

// BenchmarkIndexGitlinks scans an index of 100,000 entries (a large
// repository's; names like src/pkgNNN/fileNNNN.go, one gitlink in
// 10,000), as the plan does for every command run in such a repository.
func BenchmarkIndexGitlinks(b *testing.B) {
	var entries []indexEntry
	for i := range 100000 {
		mode := uint32(0o100644)
		if i%10000 == 0 {
			mode = 0o160000
		}
		entries = append(entries, indexEntry{fmt.Sprintf("src/pkg%03d/sub/file%05d.go", i/1000, i), mode})
	}
	for _, v := range []uint32{2, 4} {
		idx := buildIndex(v, entries)
		b.Run(fmt.Sprintf("v%d", v), func(b *testing.B) {
			b.SetBytes(int64(len(idx)))
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				scanIndex(bufio.NewReaderSize(bytes.NewReader(idx), 32<<10), 20, func(string) { n++ })
				if n != 10 {
					b.Fatalf("%d gitlinks, want 10", n)
				}
			}
		})
	}
}
