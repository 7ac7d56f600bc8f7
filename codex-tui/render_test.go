package tui

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/codexgo/common/protocol"
	"github.com/muesli/termenv"
)

var goldenWidths = []int{40, 60, 80, 120}

const sampleMarkdown = "## Plan\n\nI will **fix** the bug in `parse.go` and add a [test](https://example.com).\n\n" +
	"1. read the code\n2. write the fix\n   - keep it small\n\n> Note: quoted text wraps too, even when it is a rather long sentence.\n\n" +
	"```go\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n```\n"

var sampleChanges = map[string]protocol.FileChange{
	"src/parse.go":   {Type: "update", UnifiedDiff: "@@ -1,3 +1,3 @@\n package parse\n-var x = 1\n+var x = 2\n"},
	"docs/new.md":    {Type: "add", Content: "# New\n\ntext\n"},
	"old/gone.txt":   {Type: "delete", Content: "a\nb\n"},
	"a/moved_it.txt": {Type: "update", MovePath: "b/moved_it.txt", UnifiedDiff: "@@ -1 +1 @@\n-x\n+y\n"},
}

// renderers lists every cell and view with sample data; each renders the
// same way for a given palette and width.
func renderers() map[string]func(p *painter, width int) string {
	cell := func(c cell) func(p *painter, width int) string {
		return func(p *painter, width int) string { return c.Render(p, width) }
	}
	longOut := ""
	for i := 1; i <= 20; i++ {
		longOut += fmt.Sprintf("line %d of output that is fairly long to force truncation at narrow widths\n", i)
	}
	return map[string]func(p *painter, width int) string{
		"elicitation_form": func(p *painter, width int) string {
			f, err := newElicitForm(formReq("e", formSchema), time.Time{})
			if err != nil {
				panic(err)
			}
			f.text[0] = "a name long enough to be cut at the narrow widths, from its start"
			f.err = "an error message that is long enough to wrap at forty columns"
			text := f.View(p.th, width)
			f.next()
			f.text[1] = "42"
			f.next()
			f.next()
			return text + "\n" + f.View(p.th, width)
		},
		"elicitation_form_last": func(p *painter, width int) string {
			f, err := newElicitForm(formReq("e", `{"type":"object","properties":{"ok":{"type":"boolean","default":true}}}`), time.Time{})
			if err != nil {
				panic(err)
			}
			f.next()
			return f.View(p.th, width)
		},
		"review_banner":  cell(bannerCell{">> Code review started: changes against 'main' <<"}),
		"user":           cell(userCell{text: "Please fix the failing test in parse.go and explain what went wrong.\nThanks!"}),
		"agent_markdown": cell(agentCell{src: sampleMarkdown, first: true}),
		"code_lines": func(p *painter, width int) string {
			var out []string
			for i, l := range strings.Split("func main() {\n\tfmt.Println(\"a string that is long enough to wrap at narrow widths\")\n}", "\n") {
				out = append(out, codeCell{line: l, lang: "go", first: i == 0}.Render(p, width))
			}
			return strings.Join(out, "\n")
		},
		"agent_followup":  cell(agentCell{src: "A later paragraph of the same message.", first: false}),
		"reasoning":       cell(reasoningCell{text: "**Inspecting files** I looked at the parser and the tests."}),
		"exec_ok":         cell(execCell{command: []string{"bash", "-lc", "go test ./..."}, output: "ok  \tparse\t0.01s\n", duration: 1234 * time.Millisecond, done: true}),
		"exec_long":       cell(execCell{command: []string{"cat", "big file.txt"}, output: longOut, duration: 20 * time.Millisecond, done: true}),
		"exec_failed":     cell(execCell{command: []string{"false"}, exitCode: 1, duration: 3 * time.Millisecond, done: true}),
		"exec_running":    cell(execCell{command: []string{"sleep", "10"}}),
		"patch_applied":   cell(patchCell{changes: sampleChanges}),
		"patch_failed":    cell(patchCell{changes: sampleChanges, failed: true, stderr: "patch does not apply to src/parse.go"}),
		"plan":            cell(planCell{explanation: "Small steps.", items: []protocol.PlanItem{{Step: "Read the parser", Status: "completed"}, {Step: "Fix the off-by-one error in the tokenizer loop", Status: "in_progress"}, {Step: "Run tests", Status: "pending"}}}),
		"notice_error":    cell(noticeCell{"error", "stream disconnected before completion: connection reset by peer"}),
		"notice_warn":     cell(noticeCell{"warn", "Re-connecting... 2/5"}),
		"notice_info":     cell(noticeCell{"info", "Model changed to gpt-5-codex (high)"}),
		"decision_yes":    cell(decisionCell{subject: "go test ./...", decision: protocol.DecisionApproved}),
		"decision_always": cell(decisionCell{subject: "go test ./...", decision: protocol.DecisionApprovedForSession}),
		"decision_no":     cell(decisionCell{subject: "rm -rf /", decision: protocol.DecisionAbort}),
		"session":         cell(sessionCell{session: protocol.SessionConfiguredMsg{Model: "gpt-5-codex", Cwd: "/home/user/src/project", ApprovalPolicy: protocol.ApprovalOnRequest, SandboxPolicy: &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}, version: "0.1.0"}),
		"approval_exec": func(p *painter, width int) string {
			a := &approvals{}
			a.Push(approvalRequest{exec: &protocol.ExecApprovalRequestMsg{CallID: "1", Command: []string{"bash", "-lc", "rm -rf build && make"}, Reason: "Rebuild from scratch to pick up the new flags"}}, time.Time{})
			a.Push(approvalRequest{exec: &protocol.ExecApprovalRequestMsg{CallID: "2", Command: []string{"ls"}}}, time.Time{})
			return a.View(p.th, width)
		},
		"approval_patch": func(p *painter, width int) string {
			a := &approvals{}
			a.Push(approvalRequest{patch: &protocol.ApplyPatchApprovalRequestMsg{CallID: "1", Changes: sampleChanges, Reason: "Fix the bug"}}, time.Time{})
			return a.View(p.th, width)
		},
		"footer": func(p *painter, width int) string {
			m := &model{p: p, env: env{now: time.Now}}
			m.session = protocol.SessionConfiguredMsg{Model: "gpt-5-codex", ApprovalPolicy: protocol.ApprovalOnRequest, SandboxPolicy: &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}
			m.window = 272000
			m.tokens.LastTokenUsage.TotalTokens = 52000
			m.tokens.TotalTokenUsage.TotalTokens = 123456
			return m.footer(width)
		},
		"footer_running": func(p *painter, width int) string {
			clk := newClock()
			m := &model{p: p, env: env{now: clk.now}, running: true, turnStart: clk.t.Add(-75 * time.Second)}
			m.session = protocol.SessionConfiguredMsg{Model: "gpt-5-codex", ApprovalPolicy: protocol.ApprovalOnRequest, SandboxPolicy: &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}
			m.window = 272000
			m.tokens.LastTokenUsage.TotalTokens = 52000
			m.tokens.TotalTokenUsage.TotalTokens = 123456
			return m.footer(width)
		},
		"composer": func(p *painter, width int) string {
			c := newComposer(p.th, &promptHistory{})
			c.SetValue("first line of a prompt that is long enough to wrap at forty columns\nsecond line")
			return c.View(width)
		},
		"composer_empty": func(p *painter, width int) string { return newComposer(p.th, &promptHistory{}).View(width) },
		"popup_slash": func(p *painter, width int) string {
			pp := &popup{kind: "slash", items: filterSlash("")}
			pp.Move(1)
			return pp.View(p.th, width)
		},
		"picker_approvals": func(p *painter, width int) string { return approvalsPicker().View(p.th, width) },
		"working": func(p *painter, width int) string {
			clk := newClock()
			m := &model{p: p, env: env{now: clk.now}, turnStart: clk.t.Add(-75 * time.Second), spin: 3}
			m.reasoning.WriteString("**Reading the tests**")
			return m.workingLine(width)
		},
		"shortcuts": func(p *painter, width int) string { return shortcutsView(p.th, width) },
		"trust_prompt": func(p *painter, width int) string {
			t := newTrustPrompt(p.th, "/home/user/src/project", true)
			t.width = width
			return t.View()
		},
		"resume_picker": func(p *painter, width int) string {
			clk := newClock()
			r := newResumePicker(p.th, clk.now, []sessionInfo{
				{path: "a", time: clk.t.Add(-3 * time.Minute), prompt: "fix the parser bug\nwith details"},
				{path: "b", time: clk.t.Add(-5 * time.Hour), prompt: "write docs"},
				{path: "c", time: clk.t.Add(-50 * time.Hour)},
			})
			return r.View(p, width, 10)
		},
		"pager": func(p *painter, width int) string {
			pg := newPager("/diff", renderDiff(p.th, sampleChanges["src/parse.go"].UnifiedDiff, width))
			return pg.View(p, width, 8)
		},
	}
}

// TestRenderGolden renders every renderer at several widths in the dark,
// light and plain (NO_COLOR) palettes against golden files.
func TestRenderGolden(t *testing.T) {
	themes := map[string]*theme{
		"dark":  newTheme(termenv.ANSI256, true),
		"light": newTheme(termenv.ANSI256, false),
		"plain": newTheme(termenv.Ascii, true),
	}
	rs := renderers()
	names := make([]string, 0, len(rs))
	for n := range rs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for pal, th := range themes {
			t.Run(name+"/"+pal, func(t *testing.T) {
				p := testPainter(th)
				var b strings.Builder
				for _, w := range goldenWidths {
					out := rs[name](p, w)
					fmt.Fprintf(&b, "=== width %d ===\n%s\n", w, out)
					for i, l := range strings.Split(out, "\n") {
						if lw := ansi.StringWidth(l); lw > w {
							t.Errorf("width %d: line %d is %d columns wide: %q", w, i+1, lw, ansi.Strip(l))
						}
					}
					if pal == "plain" && strings.Contains(out, "\x1b[") {
						t.Errorf("width %d: plain palette emitted escape sequences", w)
					}
				}
				golden(t, name+"."+pal, b.String())
			})
		}
	}
}

// TestPalettesDiffer guards against a palette silently falling back to
// the other (or to no colour).
func TestPalettesDiffer(t *testing.T) {
	dark, light := testPainter(newTheme(termenv.ANSI256, true)), testPainter(newTheme(termenv.ANSI256, false))
	c := patchCell{changes: sampleChanges}
	if c.Render(dark, 80) == c.Render(light, 80) {
		t.Error("dark and light palettes render a patch identically")
	}
	if !strings.Contains(c.Render(dark, 80), "\x1b[") {
		t.Error("dark palette emitted no colour")
	}
}
