package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestSubmissionRoundTrip(t *testing.T) {
	t.Parallel()
	ro := SandboxPolicy{Mode: SandboxWorkspaceWrite, WritableRoots: []string{"/w"}, NetworkAccess: true}
	ops := []Op{
		UserInputOp{Items: TextInput("hi")},
		UserTurnOp{Items: TextInput("go"), Cwd: "/w", ApprovalPolicy: ApprovalNever, SandboxPolicy: &ro, Model: "m"},
		OverrideTurnContextOp{Model: "o3"},
		ExecApprovalOp{ID: "c1", Decision: DecisionApprovedForSession},
		PatchApprovalOp{ID: "c2", Decision: DecisionDenied},
		InterruptOp{}, CompactOp{}, ShutdownOp{}, ListMcpToolsOp{},
		AddToHistoryOp{Text: "x"},
		GetHistoryEntryRequestOp{Offset: 3, LogID: 7},
	}
	for _, op := range ops {
		b, err := json.Marshal(Submission{ID: "1", Op: op})
		if err != nil {
			t.Fatalf("%T: marshal: %v", op, err)
		}
		if !strings.Contains(string(b), `"type":"`+op.OpType()+`"`) {
			t.Errorf("%T: got %s, want type tag %q", op, b, op.OpType())
		}
		var got Submission
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%T: unmarshal %s: %v", op, b, err)
		}
		if !reflect.DeepEqual(got.Op, op) || got.ID != "1" {
			t.Errorf("round trip: got %#v, want %#v", got.Op, op)
		}
	}
}

func TestSubmissionWireShape(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Submission{ID: "s1", Op: InterruptOp{}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"id":"s1","op":{"type":"interrupt"}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	b, _ = json.Marshal(Submission{ID: "s2", Op: ExecApprovalOp{ID: "call_1", Decision: DecisionApproved}})
	if got, want := string(b), `{"id":"s2","op":{"type":"exec_approval","id":"call_1","decision":"approved"}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestUnknownTagsSurvive(t *testing.T) {
	t.Parallel()
	in := `{"id":"9","op":{"type":"future_op","x":1}}`
	var s Submission
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	u, ok := s.Op.(UnknownOp)
	if !ok || u.Type != "future_op" {
		t.Fatalf("got %#v, want UnknownOp future_op", s.Op)
	}
	out, err := json.Marshal(s)
	if err != nil || string(out) != in {
		t.Errorf("re-encode: got %s %v, want %s", out, err, in)
	}
	var e Event
	if err := json.Unmarshal([]byte(`{"id":"1","msg":{"type":"new_thing","y":[1]}}`), &e); err != nil {
		t.Fatal(err)
	}
	if um, ok := e.Msg.(UnknownMsg); !ok || um.Type != "new_thing" {
		t.Errorf("got %#v, want UnknownMsg", e.Msg)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"id":"1"}`, `{"id":"1","op":null}`, `{"id":"1","op":{"x":1}}`, `{"id":"1","op":{"type":"exec_approval","decision":5}}`,
		`[1]`, `{"id":"1","op":"interrupt"}`,
	} {
		var s Submission
		if err := json.Unmarshal([]byte(in), &s); err == nil {
			t.Errorf("Submission %s: got nil error", in)
		}
	}
	for _, in := range []string{`{"id":"1"}`, `{"id":"1","msg":{"type":"error","message":3}}`} {
		var e Event
		if err := json.Unmarshal([]byte(in), &e); err == nil {
			t.Errorf("Event %s: got nil error", in)
		}
	}
	if _, err := json.Marshal(Submission{ID: "x"}); err == nil {
		t.Error("marshal without op: got nil error")
	}
}

func TestEventRoundTrip(t *testing.T) {
	t.Parallel()
	entry := "prompt"
	for _, m := range msgTypes {
		b, err := json.Marshal(Event{ID: "t", Msg: m})
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		var e Event
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		if e.Msg.MsgType() != m.MsgType() || reflect.TypeOf(e.Msg) != reflect.TypeOf(m) {
			t.Errorf("got %T, want %T", e.Msg, m)
		}
	}
	full := []Msg{
		ExecCommandOutputDeltaMsg{CallID: "c", Stream: "stdout", Chunk: []byte("a\x00b")},
		ApplyPatchApprovalRequestMsg{CallID: "p", Changes: map[string]FileChange{"a.go": {Type: "update", UnifiedDiff: "@@"}}},
		GetHistoryEntryResponseMsg{Offset: 1, LogID: 2, Entry: &entry},
		TokenCountMsg{TotalTokenUsage: TokenUsage{InputTokens: 5, TotalTokens: 9}, ModelContextWindow: 1000},
		PlanUpdateMsg{Plan: []PlanItem{{Step: "a", Status: "completed"}}},
		TerminalInteractionMsg{CallID: "c1", ProcessID: "1001", Stdin: "y\n"},
		McpListToolsResponseMsg{Tools: map[string]json.RawMessage{"mcp__a__b": json.RawMessage(`{"name":"b"}`)}, Failures: map[string]string{"c": "exit 1"}},
		WebSearchEndMsg{CallID: "ws_1", Query: "codex cli", Action: json.RawMessage(`{"type":"search","query":"codex cli"}`)},
	}
	for _, m := range full {
		b, _ := json.Marshal(Event{ID: "t", Msg: m})
		var e Event
		if err := json.Unmarshal(b, &e); err != nil || !reflect.DeepEqual(e.Msg, m) {
			t.Errorf("got %#v %v, want %#v", e.Msg, err, m)
		}
	}
}

func TestSandboxPolicyJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want SandboxPolicy
		err  bool
	}{
		{`{"mode":"read-only"}`, SandboxPolicy{Mode: SandboxReadOnly}, false},
		{`"danger-full-access"`, SandboxPolicy{Mode: SandboxDangerFullAccess}, false},
		{`{"mode":"workspace-write","writable_roots":["/a"],"network_access":true,"exclude_slash_tmp":true}`,
			SandboxPolicy{Mode: SandboxWorkspaceWrite, WritableRoots: []string{"/a"}, NetworkAccess: true, ExcludeSlashTmp: true}, false},
		{`{"mode":"yolo"}`, SandboxPolicy{}, true},
		{`"nope"`, SandboxPolicy{}, true},
		{`{}`, SandboxPolicy{}, true},
	}
	for _, tt := range tests {
		var got SandboxPolicy
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
	for _, s := range []string{"untrusted", "on-failure", "on-request", "never"} {
		if _, err := ParseAskForApproval(s); err != nil {
			t.Errorf("ParseAskForApproval(%q): %v", s, err)
		}
	}
	if _, err := ParseAskForApproval("always"); err == nil {
		t.Error("ParseAskForApproval(always): got nil error")
	}
	if DecisionForbidden.Rank() <= DecisionPrompt.Rank() || DecisionPrompt.Rank() <= DecisionAllow.Rank() || Decision("x").Rank() != 1 {
		t.Error("decision ranks out of order")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":"1","op":{"type":"user_input","items":[{"type":"text","text":"hi"}]}}`))
	f.Add([]byte(`{"id":"1","msg":{"type":"exec_command_end","call_id":"c","exit_code":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Submission
		if json.Unmarshal(b, &s) == nil {
			if _, err := json.Marshal(s); err != nil {
				t.Fatalf("decoded submission does not re-encode: %v", err)
			}
		}
		var e Event
		if json.Unmarshal(b, &e) == nil {
			if _, err := json.Marshal(e); err != nil {
				t.Fatalf("decoded event does not re-encode: %v", err)
			}
		}
	})
}
