package protoserver

import (
	"encoding/json"
	"testing"

	"github.com/codexgo/common/protocol"
)

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","op":{"type":"user_input","items":[{"type":"text","text":"hi"}]}}`,
		`{"id":"2","op":{"type":"user_turn","items":[],"cwd":"/w","approval_policy":"never","sandbox_policy":{"mode":"workspace-write","writable_roots":["/a"]},"model":"m"}}`,
		`{"id":"3","op":{"type":"exec_approval","id":"c1","decision":"approved_for_session","remember":true}}`,
		`{"id":"4","op":{"type":"patch_approval","id":"p1","decision":"abort"}}`,
		`{"id":"5","op":{"type":"interrupt"}}`,
		`{"id":"6","op":{"type":"compact"}}`,
		`{"id":"7","op":{"type":"add_to_history","text":"x"}}`,
		`{"id":"8","op":{"type":"get_history_entry_request","offset":1,"log_id":2}}`,
		`{"id":"9","op":{"type":"override_turn_context","sandbox_policy":"read-only"}}`,
		`{"id":"a","op":{"type":"shutdown"}}`,
		`{"id":"b","op":{"type":"future","x":[1,{"y":null}]}}`,
		`not json`, `{"id":"c"}`, `[]`, `{"id":1,"op":{"type":"interrupt"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		sub, err := Decode(line)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			_ = submissionID(line)
			return
		}
		if sub.Op == nil {
			t.Fatalf("decoded %q without an op", line)
		}
		b, err := json.Marshal(sub)
		if err != nil {
			t.Fatalf("decoded submission does not re-encode: %v", err)
		}
		again, err := Decode(b)
		if err != nil {
			t.Fatalf("re-encoded submission %s does not decode: %v", b, err)
		}
		if again.ID != sub.ID || again.Op.OpType() != sub.Op.OpType() {
			t.Fatalf("round trip changed %s/%s into %s/%s", sub.ID, sub.Op.OpType(), again.ID, again.Op.OpType())
		}
		if _, ok := sub.Op.(protocol.UnknownOp); !ok {
			b2, _ := json.Marshal(again)
			if string(b2) != string(b) {
				t.Fatalf("encoding not stable: %s then %s", b, b2)
			}
		}
	})
}
