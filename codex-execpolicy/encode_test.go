package execpolicy

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/codexgo/common/protocol"
)

func jsonLine(t testing.TB, v *protocol.PolicyVerdict) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAppendVerdictMatchesJSON(t *testing.T) {
	p := loadDefault(t)
	reqs := []protocol.PolicyRequest{
		{ID: json.RawMessage(`{ "a" : [1, 2] }`), Script: "git -C x log -n 3 > out && rm -rf / && echo $(id) <<EOF\nx\nEOF", Cwd: "/w", WritableRoots: []string{"/w"}},
		{ID: json.RawMessage(`"s"`), Argv: []string{"echo", "tab\there", "nl\n", "quote\"back\\", "ctl\x01\x1f", "bad\xff", "sep\u2028\u2029", "<html>&"}},
		{Argv: []string{}},
		{Argv: []string{"sudo", "find", ".", "-exec", "cat", "{}", ";"}},
	}
	for _, r := range reqs {
		v := p.Check(r)
		if got, want := appendVerdict(nil, &v), jsonLine(t, &v); !bytes.Equal(got, want) {
			t.Errorf("mismatch:\n got %s\nwant %s", got, want)
		}
	}
	v := protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Error: "bad", Line: 7, Commands: []protocol.ParsedCommand{{Argv: nil, MatchedRules: []protocol.MatchedRule{{Source: "s", Kind: "prefix_rule", Decision: "allow", Pattern: []string{"a"}, Justification: "j"}}}}}
	if got, want := appendVerdict(nil, &v), jsonLine(t, &v); !bytes.Equal(got, want) {
		t.Errorf("mismatch:\n got %s\nwant %s", got, want)
	}
}

func FuzzAppendStr(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\x7f\u2028", "\xff\xfe", "é<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := protocol.PolicyVerdict{Decision: protocol.DecisionAllow, Reason: s}
		if got, want := appendVerdict(nil, &v), jsonLine(t, &v); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{`{"id":1,"argv":["ls","-l"]}`, `{"id":"x","script":"ls","cwd":"/w","writable_roots":["/w"]}`,
		`{"id":-1.5e+3,"argv_b64":["bHM="]}`, `{"id":null,"argv":[]}`, `{"ARGV":["ls"]}`, `{"argv":["a\nb"]}`, `{"id":01}`, `{} `,
		`{"argv":["ls"],"argv":["cat"]}`, `{"id":{"a":1},"argv":["x"]}`, `{"argv":null}`, "{\"argv\":[\"\xff\"]}", `{"protocol_version":1,"argv":["ls"]}`, `{"protocol_version":01}`, `{"protocol_version":1e0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast protocol.PolicyRequest
		ok := fastDecodeRequest(data, &fast)
		var std protocol.PolicyRequest
		err := json.Unmarshal(data, &std)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("fast path accepted %q that encoding/json rejects: %v", data, err)
		}
		a, _ := json.Marshal(fast)
		b, _ := json.Marshal(std)
		if !bytes.Equal(a, b) {
			t.Fatalf("%q: fast %s, encoding/json %s", data, a, b)
		}
	})
}

// appendRaw's shortcut for plain ids gives exactly what json.Compact gives
// (null for what is not JSON).
func FuzzAppendRaw(f *testing.F) {
	for _, s := range []string{"1", "0", "01", "-1", "12345678901234567890", `"s"`, `" s "`, `{ "a": 1 }`, "1 ", "", "nul", `"\u00e9"`, "1e5"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want bytes.Buffer
		if err := json.Compact(&want, raw); err != nil {
			want.Reset()
			want.WriteString("null")
		}
		if got := appendRaw(nil, raw); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendRaw(%q) = %q, want %q", raw, got, want.Bytes())
		}
	})
}
