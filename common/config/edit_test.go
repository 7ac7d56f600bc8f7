package config

import (
	"strings"
	"testing"
)

func TestSetValue(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		table          []string
		key, value     string
		wantErr        string
	}{
		{name: "empty file", in: "", table: []string{"features"}, key: "hooks", value: "false",
			want: "[features]\nhooks = false\n"},
		{name: "new table after the rest, comments kept", in: "# mine\nmodel = \"o3\" # why\n",
			table: []string{"features"}, key: "hooks", value: "true",
			want: "# mine\nmodel = \"o3\" # why\n\n[features]\nhooks = true\n"},
		{name: "replace in place", in: "[features]\n# keep\nhooks = true # old\nx = 1\n\n[other]\ny = 2\n",
			table: []string{"features"}, key: "hooks", value: "false",
			want: "[features]\n# keep\nhooks = false\nx = 1\n\n[other]\ny = 2\n"},
		{name: "append inside the table, before the next", in: "[features]\nx = true\n\n[other]\ny = 2\n",
			table: []string{"features"}, key: "hooks", value: "false",
			want: "[features]\nx = true\nhooks = false\n\n[other]\ny = 2\n"},
		{name: "empty table", in: "[features]\n[other]\n", table: []string{"features"}, key: "a", value: "true",
			want: "[features]\na = true\n[other]\n"},
		{name: "no final newline", in: "[features]\nx = true", table: []string{"features"}, key: "y", value: "true",
			want: "[features]\nx = true\ny = true\n"},
		{name: "quoted table part", in: "", table: []string{"mcp_servers", "my server"}, key: "scopes", value: `["a"]`,
			want: "[mcp_servers.'my server']\nscopes = [\"a\"]\n"},
		{name: "inline table", in: "features = { hooks = true }\n", table: []string{"features"}, key: "hooks", value: "false",
			wantErr: "inline"},
		{name: "dotted key elsewhere", in: "features.hooks = true\n", table: []string{"features"}, key: "hooks", value: "false",
			wantErr: "one-line"},
		{name: "dotted sibling breaks a new table", in: "features.x = true\n", table: []string{"features"}, key: "hooks", value: "false",
			wantErr: "break"},
		{name: "bad toml", in: "[features\n", table: []string{"features"}, key: "hooks", value: "false", wantErr: "parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SetValue([]byte(tc.in), tc.table, tc.key, tc.value)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// FuzzSetValue: whatever config.toml holds, SetValue returns a document
// that parses and holds the value, or an error.
func FuzzSetValue(f *testing.F) {
	f.Add("[features]\nx = true\n", "hooks")
	f.Add("features = {a=1}\n", "a")
	f.Add("a.b.c = 1\n[features]\n", "b")
	f.Fuzz(func(t *testing.T, in, key string) {
		out, err := SetValue([]byte(in), []string{"features"}, key, "true")
		if err != nil {
			return
		}
		if _, err := checked(out, []string{"features", key}, "true"); err != nil {
			t.Fatalf("SetValue returned a document that fails its own check: %v\n%s", err, out)
		}
	})
}
