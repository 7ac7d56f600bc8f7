package tui

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/codexgo/common/protocol"
)

const formSchema = `{"type":"object","properties":{
	"name":{"type":"string","title":"Your name","minLength":2},
	"age":{"type":"integer","minimum":0,"description":"in years"},
	"subscribe":{"type":"boolean","default":false},
	"color":{"type":"string","enum":["r","g"],"enumNames":["Red","Green"]},
	"email":{"type":"string","format":"email"}
},"required":["name","age"]}`

func formReq(id, schema string) protocol.ElicitationRequestMsg {
	return protocol.ElicitationRequestMsg{ID: id, ServerName: "docs", Mode: "form", Message: "Who are you?", RequestedSchema: json.RawMessage(schema)}
}

// typeForm types s into the open form, outside the grace period.
func (h *harness) typeForm(s string) {
	h.clk.advance(2 * time.Second)
	h.typeText(s)
}

// TestElicitationFormFields: the form asks one field at a time in the
// schema's order; a required field left empty, a short string, text in
// a number field, a fraction in an integer field and a bad email are
// refused with a reason; Enter on the last step accepts with the
// values typed, optional fields left empty left out.
func TestElicitationFormFields(t *testing.T) {
	h := newHarness(t)
	h.events(ev("1", protocol.TaskStartedMsg{}))
	h.typeText("q") // typing into the composer as the form appears
	h.events(ev("1", formReq("elicitation-1", formSchema)))
	if v := h.view(); !strings.Contains(v, "docs MCP server asks: Who are you?") || !strings.Contains(v, "Your name (string, required) · field 1 of 5") {
		t.Fatalf("form not shown:\n%s", v)
	}
	h.typeText("x") // swallowed: typed as the form appeared
	step := func(text, wantErr string) {
		t.Helper()
		if text != "" {
			h.typeForm(text)
		}
		h.keys("enter")
		v := h.view()
		if wantErr != "" && !strings.Contains(v, wantErr) {
			t.Fatalf("after %q want error %q:\n%s", text, wantErr, v)
		}
		if ops := h.conn.ops(); len(ops) != 0 {
			t.Fatalf("form answered early: %#v", ops)
		}
	}
	step("", "this field is required")
	step("A", "must be at least 2 characters")
	step("da", "")
	if v := h.view(); !strings.Contains(v, "age (integer, required) · field 2 of 5") || !strings.Contains(v, "in years") {
		t.Fatalf("second field:\n%s", v)
	}
	step("forty", `"forty" is not a number`)
	h.keys("ctrl+u")
	step("4.5", `"4.5" is not a whole number`)
	h.keys("ctrl+u")
	step("-1", "must be at least 0")
	h.keys("backspace", "backspace")
	step("42", "")
	h.keys("y") // subscribe: yes, and on
	if v := h.view(); !strings.Contains(v, "› (no value)") || !strings.Contains(v, "Green") {
		t.Fatalf("enum field:\n%s", v)
	}
	h.keys("down", "down", "enter") // (no value) -> Red -> Green
	step("not-an-address", "not an email address")
	h.keys("ctrl+u", "enter") // optional: left empty
	if v := h.view(); !strings.Contains(v, "› 1. Submit (enter)") || !strings.Contains(v, `name: "Ada"`) {
		t.Fatalf("last step:\n%s", v)
	}
	h.keys("enter")
	want := []protocol.Op{protocol.ResolveElicitationOp{ServerName: "docs", RequestID: "elicitation-1", Decision: "accept",
		Content: json.RawMessage(`{"age":42,"color":"g","name":"Ada","subscribe":true}`)}}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sent %#v, want %#v", got, want)
	}
	if p := h.printed(); !strings.Contains(p, "You sent the docs MCP server") || !strings.Contains(p, `{"age":42,`) || len(h.m.forms) != 0 {
		t.Errorf("transcript:\n%s", h.printed())
	}
}

// TestElicitationFormDeclineCancel: Esc cancels, d on the last step
// declines, Ctrl+C cancels; forms wait their turn; a form with a
// required field the TUI has no input for is declined at once, and said.
func TestElicitationFormDeclineCancel(t *testing.T) {
	h := newHarness(t)
	small := `{"type":"object","properties":{"ok":{"type":"boolean"}}}`
	h.events(ev("1", formReq("e1", small)), ev("1", formReq("e2", small)), ev("1", formReq("e3", small)),
		ev("1", formReq("e4", `{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","enum":["a"]}}},"required":["tags"]}`)))
	h.keys("esc")
	h.keys("enter", "d")
	h.keys("ctrl+c")
	want := []protocol.Op{
		protocol.ResolveElicitationOp{ServerName: "docs", RequestID: "e4", Decision: "decline"},
		protocol.ResolveElicitationOp{ServerName: "docs", RequestID: "e1", Decision: "cancel"},
		protocol.ResolveElicitationOp{ServerName: "docs", RequestID: "e2", Decision: "decline"},
		protocol.ResolveElicitationOp{ServerName: "docs", RequestID: "e3", Decision: "cancel"},
	}
	if got := h.conn.ops(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sent %#v, want %#v", got, want)
	}
	if p := h.printed(); !strings.Contains(p, "asked for input the TUI cannot show (declined)") || h.m.quitting {
		t.Errorf("transcript:\n%s", p)
	}
}

// TestFormsOfAnEndedTurnClose: a turn's end closes the forms it asked
// (the server withdrew them), not one that came between turns.
func TestFormsOfAnEndedTurnClose(t *testing.T) {
	h := newHarness(t)
	small := `{"type":"object","properties":{"ok":{"type":"boolean"}}}`
	free := formReq("free", small)
	bound := formReq("bound", small)
	bound.TurnID = "1"
	h.events(ev("1", protocol.TaskStartedMsg{}), ev("1", bound), ev("", free), ev("1", protocol.TaskCompleteMsg{}))
	if len(h.m.forms) != 1 || h.m.forms[0].req.ID != "free" {
		t.Fatalf("forms after the turn: %+v", h.m.forms)
	}
}
