package appserver

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// FuzzServeLines feeds arbitrary input to a server (no backend): it must
// never panic, and every line it writes must be a JSON object.
func FuzzServeLines(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"method":"initialize","params":{"clientInfo":{"name":"x","version":"1"}}}` + "\n" + `{"method":"initialized"}` + "\n" + `{"id":"a","method":"thread/list","params":{"limit":2}}`,
		`{"id":1,"method":"initialize","params":{"clientInfo":{"name":"x","version":"1"}}}` + "\n" + `{"id":2,"method":"config/value/write","params":{"keyPath":"a.b","value":{"c":[1,2]},"mergeStrategy":"upsert"}}`,
		`not json`, `{"id":{"x":1}}`, `[1]`, `{"id":9,"result":{}}`, `{"id":1,"method":"turn/start","params":{"threadId":"t","input":[{"type":"image"}]}}`,
		`{"id":-9223372036854775808,"method":"x"}`, `{"id":1e3,"method":"x"}`, "\x00\xff\n\n{}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		home := t.TempDir()
		var out bytes.Buffer
		err := Serve(context.Background(), bytes.NewReader(in), &out, Options{CodexHome: home, Now: func() time.Time { return time.Unix(0, 0) }})
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("output line is not a JSON object: %q", line)
			}
		}
	})
}

// FuzzSetTOML edits arbitrary documents: an edit either fails or leaves
// a document that parses and holds the value.
func FuzzSetTOML(f *testing.F) {
	f.Add([]byte("# c\nmodel = \"a\" # x\n[tools]\nweb_search = false\n"), "tools.web_search", `true`, false)
	f.Add([]byte("a = { b = 1 }\n"), "a.c", `"x"`, true)
	f.Add([]byte("[[arr]]\nx = 1\n"), "arr.y", `2`, false)
	f.Add([]byte(""), "profiles.p.model", `{"k":[1,"2"]}`, true)
	f.Fuzz(func(t *testing.T, doc []byte, key, value string, merge bool) {
		if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") {
			return
		}
		var before map[string]any
		if toml.Unmarshal(doc, &before) != nil {
			return
		}
		var v any
		if json.Unmarshal([]byte(value), &v) != nil || v == nil {
			return
		}
		out, err := setTOML(doc, strings.Split(key, "."), v, merge)
		if err != nil {
			return
		}
		var after map[string]any
		if err := toml.Unmarshal(out, &after); err != nil {
			t.Fatalf("edit of %q (%s = %s) made an invalid document: %v\n%s", doc, key, value, err, out)
		}
	})
}
