package patch

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		before  map[string]string
		patch   string
		after   map[string]string
		summary string
		wantErr string
	}{
		{name: "add", before: map[string]string{},
			patch:   "*** Begin Patch\n*** Add File: hello.txt\n+hello\n+world\n*** End Patch\n",
			after:   map[string]string{"hello.txt": "hello\nworld\n"},
			summary: "Success. Updated the following files:\nA hello.txt\n"},
		{name: "add nested", before: map[string]string{},
			patch: "*** Begin Patch\n*** Add File: a/b/c.txt\n+x\n*** End Patch",
			after: map[string]string{"a/b/c.txt": "x\n"}, summary: "Success. Updated the following files:\nA a/b/c.txt\n"},
		{name: "delete", before: map[string]string{"gone.txt": "x\n", "keep": "k\n"},
			patch: "*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch",
			after: map[string]string{"keep": "k\n"}, summary: "Success. Updated the following files:\nD gone.txt\n"},
		{name: "update simple", before: map[string]string{"f.go": "package a\n\nfunc A() int {\n\treturn 1\n}\n"},
			patch: "*** Begin Patch\n*** Update File: f.go\n@@ func A() int {\n-\treturn 1\n+\treturn 2\n }\n*** End Patch",
			after: map[string]string{"f.go": "package a\n\nfunc A() int {\n\treturn 2\n}\n"}, summary: "Success. Updated the following files:\nM f.go\n"},
		{name: "update without @@", before: map[string]string{"f": "a\nb\nc\n"},
			patch: "*** Begin Patch\n*** Update File: f\n a\n-b\n+B\n*** End Patch",
			after: map[string]string{"f": "a\nB\nc\n"}, summary: "Success. Updated the following files:\nM f\n"},
		{name: "two chunks", before: map[string]string{"f": "1\n2\n3\n4\n5\n6\n"},
			patch: "*** Begin Patch\n*** Update File: f\n@@\n-2\n+two\n@@\n 5\n-6\n+six\n*** End Patch",
			after: map[string]string{"f": "1\ntwo\n3\n4\n5\nsix\n"}, summary: "Success. Updated the following files:\nM f\n"},
		{name: "move", before: map[string]string{"old.txt": "a\nb\n"},
			patch: "*** Begin Patch\n*** Update File: old.txt\n*** Move to: new/name.txt\n@@\n-b\n+c\n*** End Patch",
			after: map[string]string{"new/name.txt": "a\nc\n"}, summary: "Success. Updated the following files:\nM new/name.txt\n"},
		// Context lines take the patch's spelling, as in the Codex CLI: the
		// matched range is replaced by the chunk's new lines.
		{name: "trailing whitespace tolerant", before: map[string]string{"f": "x  \ny\n"},
			patch: "*** Begin Patch\n*** Update File: f\n x\n-y\n+z\n*** End Patch",
			after: map[string]string{"f": "x\nz\n"}, summary: "Success. Updated the following files:\nM f\n"},
		{name: "leading whitespace tolerant", before: map[string]string{"f": "    x\ny\n"},
			patch: "*** Begin Patch\n*** Update File: f\n x\n-y\n+z\n*** End Patch",
			after: map[string]string{"f": "x\nz\n"}, summary: "Success. Updated the following files:\nM f\n"},
		{name: "unicode normalised", before: map[string]string{"f": "say \u201chi\u201d \u2014 ok\nend\n"},
			patch: "*** Begin Patch\n*** Update File: f\n-say \"hi\" - ok\n+say hi\n end\n*** End Patch",
			after: map[string]string{"f": "say hi\nend\n"}, summary: "Success. Updated the following files:\nM f\n"},
		{name: "end of file", before: map[string]string{"f": "x\ny\nx\ny\n"},
			patch: "*** Begin Patch\n*** Update File: f\n x\n-y\n+z\n*** End of File\n*** End Patch",
			after: map[string]string{"f": "x\ny\nx\nz\n"}, summary: "Success. Updated the following files:\nM f\n"},
		{name: "pure insertion appends", before: map[string]string{"f": "a\n"},
			patch: "*** Begin Patch\n*** Update File: f\n@@\n+b\n*** End Patch",
			after: map[string]string{"f": "a\nb\n"}, summary: "Success. Updated the following files:\nM f\n"},
		{name: "missing final newline added", before: map[string]string{"f": "a\nb"},
			patch: "*** Begin Patch\n*** Update File: f\n-a\n+A\n*** End Patch",
			after: map[string]string{"f": "A\nb\n"}, summary: "Success. Updated the following files:\nM f\n"},
		{name: "heredoc wrapped", before: map[string]string{},
			patch: "<<'EOF'\n*** Begin Patch\n*** Add File: h\n+1\n*** End Patch\nEOF\n",
			after: map[string]string{"h": "1\n"}, summary: "Success. Updated the following files:\nA h\n"},
		{name: "multi file", before: map[string]string{"a": "1\n", "b": "2\n"},
			patch: "*** Begin Patch\n*** Add File: c\n+3\n*** Delete File: a\n*** Update File: b\n-2\n+two\n*** End Patch",
			after: map[string]string{"b": "two\n", "c": "3\n"}, summary: "Success. Updated the following files:\nA c\nD a\nM b\n"},
		{name: "anchor missing changes nothing", before: map[string]string{"a": "1\n", "b": "2\n"},
			patch:   "*** Begin Patch\n*** Add File: c\n+3\n*** Update File: b\n@@ nothere\n-2\n+x\n*** End Patch",
			after:   map[string]string{"a": "1\n", "b": "2\n"},
			wantErr: "Failed to find context 'nothere' in "},
		{name: "lines missing", before: map[string]string{"b": "2\n"},
			patch:   "*** Begin Patch\n*** Update File: b\n-3\n+x\n*** End Patch",
			after:   map[string]string{"b": "2\n"},
			wantErr: "Failed to find expected lines in "},
		{name: "update missing file", before: map[string]string{},
			patch:   "*** Begin Patch\n*** Update File: nope\n-3\n+x\n*** End Patch",
			after:   map[string]string{},
			wantErr: "Failed to read file to update"},
		{name: "no begin", before: map[string]string{}, patch: "hello", after: map[string]string{},
			wantErr: "Invalid patch: The first line of the patch must be '*** Begin Patch'"},
		{name: "no end", before: map[string]string{}, patch: "*** Begin Patch\n*** Add File: x\n+1\n", after: map[string]string{},
			wantErr: "Invalid patch: The last line of the patch must be '*** End Patch'"},
		{name: "bad header", before: map[string]string{}, patch: "*** Begin Patch\n*** Frobnicate: x\n*** End Patch", after: map[string]string{},
			wantErr: "Invalid patch hunk on line 2: '*** Frobnicate: x' is not a valid hunk header"},
		{name: "bad update line", before: map[string]string{"f": "a\n"}, patch: "*** Begin Patch\n*** Update File: f\n-a\nzzz\n*** End Patch", after: map[string]string{"f": "a\n"},
			wantErr: "Invalid patch hunk on line 4: Unexpected line found in update hunk: 'zzz'"},
		{name: "empty update", before: map[string]string{"f": "a\n"}, patch: "*** Begin Patch\n*** Update File: f\n*** End Patch", after: map[string]string{"f": "a\n"},
			wantErr: "Update file hunk for path 'f' is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.before)
			changes, err := Apply(tt.patch, dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("err = %v", err)
			} else if got := Summary(changes); got != tt.summary {
				t.Errorf("summary = %q, want %q", got, tt.summary)
			}
			if got := readFiles(t, dir); !reflect.DeepEqual(got, tt.after) {
				t.Errorf("files = %q, want %q", got, tt.after)
			}
		})
	}
}

func TestPlanAbsolutePaths(t *testing.T) {
	dir := t.TempDir()
	p, err := Parse("*** Begin Patch\n*** Add File: " + filepath.Join(dir, "abs.txt") + "\n+x\n*** Add File: rel.txt\n+y\n*** End Patch")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := Plan(p, dir)
	if err != nil {
		t.Fatal(err)
	}
	if ch[0].Path != filepath.Join(dir, "abs.txt") || ch[1].Path != filepath.Join(dir, "rel.txt") {
		t.Errorf("paths = %q, %q", ch[0].Path, ch[1].Path)
	}
	if _, err := os.Stat(ch[0].Path); !os.IsNotExist(err) {
		t.Errorf("Plan wrote a file")
	}
}

func FuzzApply(f *testing.F) {
	f.Add("*** Begin Patch\n*** Update File: f\n@@ a\n-b\n+c\n*** End of File\n*** End Patch", "a\nb\n")
	f.Add("*** Begin Patch\n*** Add File: g\n+x\n*** Delete File: f\n*** End Patch", "")
	f.Add("<<EOF\n*** Begin Patch\n*** Update File: f\n*** Move to: h\n \n-\n+\n*** End Patch\nEOF", "\n\n")
	f.Fuzz(func(t *testing.T, text, content string) {
		p, err := Parse(text)
		if err != nil {
			return
		}
		for _, h := range p.Hunks {
			if h.Path == "" {
				t.Fatal("hunk without path")
			}
			if h.Kind == Update {
				if _, err := applyChunks(content, h.Chunks, h.Path); err != nil {
					var ae *ApplyError
					if !asApply(err, &ae) {
						t.Fatalf("unexpected error type %T", err)
					}
				}
			}
		}
	})
}

func asApply(err error, ae **ApplyError) bool {
	e, ok := err.(*ApplyError)
	*ae = e
	return ok
}
