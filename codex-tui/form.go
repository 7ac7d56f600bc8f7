package tui

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/protocol"
)

// elicitForm is an MCP server's request for input (an elicitation with a
// form): one field at a time, then a last step that submits (accept with
// the content), declines or cancels.
type elicitForm struct {
	req    protocol.ElicitationRequestMsg
	fields []formField
	// cur is the field shown; len(fields) is the last step.
	cur int
	// text is what is typed into each text field; sel is the choice of
	// each boolean (0 yes, 1 no) or enum field (an optional enum's last
	// choice is "no value").
	text   []string
	sel    []int
	values map[string]any
	err    string
	// choice is the selected action of the last step.
	choice   int
	openedAt time.Time
	touched  bool
}

// formActions are the last step's choices.
var formActions = []struct{ label, key, action string }{
	{"Submit", "enter", "accept"},
	{"Decline", "d", "decline"},
	{"Cancel", "esc", "cancel"},
}

// newElicitForm builds the form for req; an error means the form cannot
// be filled in here (a bad schema, or a required field of a kind the
// form has no input for).
func newElicitForm(req protocol.ElicitationRequestMsg, now time.Time) (*elicitForm, error) {
	fields, err := parseFormSchema(req.RequestedSchema)
	if err != nil {
		return nil, err
	}
	f := &elicitForm{req: req, openedAt: now, values: map[string]any{}}
	for _, fl := range fields {
		if fl.kind == "unsupported" {
			if fl.required {
				return nil, fmt.Errorf("field %s: the TUI cannot fill in a field of this type", fl.label())
			}
			continue // optional: left out
		}
		f.fields = append(f.fields, fl)
	}
	f.text = make([]string, len(f.fields))
	f.sel = make([]int, len(f.fields))
	for i, fl := range f.fields {
		switch fl.kind {
		case "boolean":
			var b bool
			if json.Unmarshal(fl.def, &b) != nil || !b {
				f.sel[i] = 1
			}
		case "enum":
			f.sel[i] = len(fl.options) // "no value", or the first below
			if fl.required {
				f.sel[i] = 0
			}
			var d string
			if json.Unmarshal(fl.def, &d) == nil {
				for j, o := range fl.options {
					if o.value == d {
						f.sel[i] = j
					}
				}
			}
		default:
			f.text[i] = fl.defaultText()
		}
	}
	return f, nil
}

// choices is the number of choices of an enum or boolean field.
func (f *elicitForm) choices(i int) int {
	fl := f.fields[i]
	switch {
	case fl.kind == "boolean":
		return 2
	case fl.required:
		return len(fl.options)
	}
	return len(fl.options) + 1
}

// next takes the current field's value, if it is valid, and moves on.
func (f *elicitForm) next() {
	fl := f.fields[f.cur]
	var v any
	switch fl.kind {
	case "boolean":
		v = f.sel[f.cur] == 0
	case "enum":
		if s := f.sel[f.cur]; s < len(fl.options) {
			v = fl.options[s].value
		}
	default:
		var err error
		if v, err = fl.parseText(f.text[f.cur]); err != nil {
			f.err = err.Error()
			return
		}
	}
	delete(f.values, fl.name)
	if v != nil {
		f.values[fl.name] = v
	}
	f.err = ""
	f.cur++
}

// HandleKey edits the form; it returns the action once the user chose
// one ("" while the form stays open).
func (f *elicitForm) HandleKey(msg tea.KeyMsg, now, prevKey time.Time) string {
	if !f.touched && now.Sub(f.openedAt) < graceCap && now.Sub(prevKey) < graceQuiet {
		return "" // typed before the form could be seen
	}
	// From the first key it took on, the user is filling the form in.
	f.touched = true
	k := keyName(msg)
	switch k {
	case "esc":
		return "cancel"
	case "shift+tab":
		if f.cur > 0 {
			f.cur--
			f.err = ""
		}
		return ""
	}
	if f.cur == len(f.fields) {
		switch k {
		case "up", "k":
			f.choice = (f.choice + len(formActions) - 1) % len(formActions)
		case "down", "j", "tab":
			f.choice = (f.choice + 1) % len(formActions)
		case "1", "2", "3":
			return formActions[msg.Runes[0]-'1'].action
		case "d", "n":
			return "decline"
		case "y", "s":
			return "accept"
		case "enter":
			return formActions[f.choice].action
		}
		return ""
	}
	fl := f.fields[f.cur]
	switch fl.kind {
	case "boolean", "enum":
		n := f.choices(f.cur)
		switch k {
		case "up", "k", "left":
			f.sel[f.cur] = (f.sel[f.cur] + n - 1) % n
		case "down", "j", "right", "tab", " ":
			f.sel[f.cur] = (f.sel[f.cur] + 1) % n
		case "y":
			if fl.kind == "boolean" {
				f.sel[f.cur] = 0
				f.next()
			}
		case "n":
			if fl.kind == "boolean" {
				f.sel[f.cur] = 1
				f.next()
			}
		case "enter":
			f.next()
		}
		return ""
	}
	switch {
	case k == "enter" || k == "tab":
		f.next()
	case k == "backspace":
		if r := []rune(f.text[f.cur]); len(r) > 0 {
			f.text[f.cur] = string(r[:len(r)-1])
		}
	case k == "ctrl+u":
		f.text[f.cur] = ""
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		f.text[f.cur] += strings.ReplaceAll(string(msg.Runes), "\n", " ")
		if msg.Type == tea.KeySpace && len(msg.Runes) == 0 {
			f.text[f.cur] += " "
		}
	}
	return ""
}

// content is the accepted form's answer.
func (f *elicitForm) content() json.RawMessage {
	b, err := json.Marshal(f.values)
	if err != nil {
		return json.RawMessage("{}")
	}
	return b
}

// View renders the form for width columns.
func (f *elicitForm) View(th *theme, width int) string {
	w := innerWidth(width, 2)
	lines := []string{th.bold.Render(wrapPlain(f.req.ServerName+" MCP server asks: "+f.req.Message, w)), ""}
	if f.cur == len(f.fields) {
		for _, name := range sortedKeys(f.values) {
			b, _ := json.Marshal(f.values[name])
			lines = append(lines, wrapPlain("  "+name+": "+string(b), w))
		}
		if len(f.values) > 0 {
			lines = append(lines, "")
		}
		for i, a := range formActions {
			label := fmt.Sprintf("%d. %s (%s)", i+1, a.label, a.key)
			if i == f.choice {
				lines = append(lines, th.selected.Render("› "+label))
			} else {
				lines = append(lines, "  "+label)
			}
		}
		lines = append(lines, "", th.dim.Render(wrapPlain("↑/↓ choose · enter confirm · shift+tab back", w)))
		return indent(strings.Join(lines, "\n"), "  ", "  ")
	}
	fl := f.fields[f.cur]
	req := "optional"
	if fl.required {
		req = "required"
	}
	lines = append(lines, th.bold.Render(wrapPlain(fmt.Sprintf("%s (%s, %s) · field %d of %d", fl.label(), fl.kind, req, f.cur+1, len(f.fields)), w)))
	if fl.desc != "" {
		lines = append(lines, th.dim.Render(wrapPlain(fl.desc, w)))
	}
	hint := "enter next · shift+tab back · esc cancel"
	switch fl.kind {
	case "boolean", "enum":
		labels := []string{"Yes", "No"}
		if fl.kind == "enum" {
			labels = nil
			for _, o := range fl.options {
				labels = append(labels, o.label)
			}
			if !fl.required {
				labels = append(labels, "(no value)")
			}
		}
		for i, l := range labels {
			if i == f.sel[f.cur] {
				lines = append(lines, th.selected.Render(wrapPlain("› "+l, w)))
			} else {
				lines = append(lines, wrapPlain("  "+l, w))
			}
		}
		hint = "↑/↓ choose · " + hint
	default:
		lines = append(lines, truncate(th.selected.Render("› ")+tailFit(f.text[f.cur], w-3)+"█", w))
	}
	if f.err != "" {
		lines = append(lines, th.bad.Render(wrapPlain(f.err, w)))
	}
	lines = append(lines, "", th.dim.Render(wrapPlain(hint, w)))
	return indent(strings.Join(lines, "\n"), "  ", "  ")
}

// tailFit is the end of s that fits n columns (the part being typed).
func tailFit(s string, n int) string {
	r := []rune(s)
	if n < 1 {
		n = 1
	}
	if len(r) > n {
		r = r[len(r)-n:]
	}
	return string(r)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// openForm shows an elicitation's form, after those already open; one
// the form cannot show is declined at once and said.
func (m *model) openForm(req protocol.ElicitationRequestMsg, now time.Time) {
	f, err := newElicitForm(req, now)
	if err != nil {
		m.submit(protocol.ResolveElicitationOp{ServerName: req.ServerName, RequestID: req.ID, Decision: "decline"})
		m.print(noticeCell{"info", fmt.Sprintf("The %s MCP server asked for input the TUI cannot show (declined): %s (%v)", req.ServerName, req.Message, err)})
		return
	}
	if len(m.forms) == 0 {
		f.openedAt = now
	}
	m.forms = append(m.forms, f)
}

// dropForms closes the forms of the turn that ended (the server
// withdrew them with it); forms from between turns stay.
func (m *model) dropForms(turnID string) {
	if turnID == "" {
		return
	}
	var kept []*elicitForm
	for _, f := range m.forms {
		if f.req.TurnID != turnID {
			kept = append(kept, f)
		}
	}
	if len(kept) > 0 && kept[0] != m.forms[0] {
		kept[0].openedAt = m.env.now() // shown from now
	}
	m.forms = kept
}

// formKey routes a key to the open form and answers it once done.
func (m *model) formKey(msg tea.KeyMsg, now, prevKey time.Time) {
	f := m.forms[0]
	if action := f.HandleKey(msg, now, prevKey); action != "" {
		m.answerForm(action)
	}
}

// answerForm answers the open form with action and opens the next one.
func (m *model) answerForm(action string) {
	f := m.forms[0]
	m.forms = m.forms[1:]
	if len(m.forms) > 0 {
		m.forms[0].openedAt = m.env.now()
	}
	op := protocol.ResolveElicitationOp{ServerName: f.req.ServerName, RequestID: f.req.ID, Decision: action}
	text := "You declined the " + f.req.ServerName + " MCP server's request"
	switch action {
	case "accept":
		op.Content = f.content()
		text = "You sent the " + f.req.ServerName + " MCP server " + string(op.Content)
	case "cancel":
		text = "You cancelled the " + f.req.ServerName + " MCP server's request"
	}
	m.submit(op)
	m.print(noticeCell{"info", text})
}
