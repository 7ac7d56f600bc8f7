package execpolicy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// TestSchemaCoversWireTypes keeps schema/*.json in step with the protocol
// structs: every JSON field of the Go types is declared in the schema and
// the schema declares nothing the types lack.
func TestSchemaCoversWireTypes(t *testing.T) {
	load := func(name string) map[string]any {
		data, err := os.ReadFile(filepath.Join("schema", name))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	props := func(m map[string]any, path ...string) []string {
		cur := m
		for _, p := range path {
			cur = cur[p].(map[string]any)
		}
		var out []string
		for k := range cur["properties"].(map[string]any) {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	fields := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := 0; i < rt.NumField(); i++ {
			name := strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]
			out = append(out, name)
		}
		sort.Strings(out)
		return out
	}
	req, ver := load("request.schema.json"), load("verdict.schema.json")
	for _, c := range []struct {
		schema, goType []string
		what           string
	}{
		{props(req), fields(protocol.PolicyRequest{}), "request"},
		{props(ver), fields(protocol.PolicyVerdict{}), "verdict"},
		{props(ver, "$defs", "command"), fields(protocol.ParsedCommand{}), "command"},
	} {
		if !reflect.DeepEqual(c.schema, c.goType) {
			t.Errorf("%s: schema has %v, Go type has %v", c.what, c.schema, c.goType)
		}
	}
}
