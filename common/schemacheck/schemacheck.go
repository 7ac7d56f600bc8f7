// Package schemacheck is for tests of our tools' JSON contracts: a
// message a tool really wrote must validate against the contract's JSON
// Schema (kept beside the tool, in schema/), and the same message with a
// field renamed must not, so a schema that stopped describing the output
// cannot pass unnoticed. It uses the santhosh-tekuri/jsonschema
// validator, as the app-server's tests do.
package schemacheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Compile loads the schema at path.
func Compile(path string) (*jsonschema.Schema, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	url := "file://" + filepath.ToSlash(abs)
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

// Validate checks one JSON document against sch.
func Validate(sch *jsonschema.Schema, msg []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(msg))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}

// Rename returns msg with the field at path (keys joined by ".") renamed
// to to; ok is false when msg has no such field.
func Rename(msg []byte, path, to string) (out []byte, ok bool) {
	var v any
	if json.Unmarshal(msg, &v) != nil {
		return nil, false
	}
	keys := strings.Split(path, ".")
	m, _ := v.(map[string]any)
	for _, k := range keys[:len(keys)-1] {
		m, _ = m[k].(map[string]any)
	}
	last := keys[len(keys)-1]
	val, found := m[last]
	if !found {
		return nil, false
	}
	delete(m, last)
	m[to] = val
	b, err := json.Marshal(v)
	return b, err == nil
}

// Check fails t unless every message validates against the schema at
// path and, in the first, renaming each of fields (paths as in Rename)
// makes it invalid.
func Check(t testing.TB, path string, msgs [][]byte, fields ...string) {
	t.Helper()
	sch, err := Compile(path)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	if len(msgs) == 0 {
		t.Fatalf("%s: no message to check", path)
	}
	for _, m := range msgs {
		if err := Validate(sch, m); err != nil {
			t.Errorf("%s: a real message does not validate: %v\n%s", filepath.Base(path), err, m)
		}
	}
	for _, f := range fields {
		bad, ok := Rename(msgs[0], f, f+"_renamed")
		if !ok {
			t.Errorf("%s: the message has no field %s to rename:\n%s", filepath.Base(path), f, msgs[0])
			continue
		}
		if Validate(sch, bad) == nil {
			t.Errorf("%s: the message with %s renamed still validates: the schema would not notice", filepath.Base(path), f)
		}
	}
}
