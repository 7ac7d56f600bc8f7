package exec

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/common/elapsed"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/style"
	"github.com/codexgo/common/version"
)

// bannerInfo is what the human banner shows.
type bannerInfo struct {
	Workdir, Model, Provider, Approval, Sandbox, Effort, Summary, SessionID string
	Prompt                                                                  string
}

// humanRenderer writes `codex exec` progress to stderr as the Codex CLI
// does; only the final message goes to stdout.
type humanRenderer struct {
	w        io.Writer
	st       *style.Styler
	commands map[string]protocol.ExecCommandBeginMsg
	mcpCalls map[string]string // call id → server.tool(arguments)
	usage    protocol.TokenUsage
	failed   bool
}

func newHumanRenderer(w io.Writer, st *style.Styler) *humanRenderer {
	return &humanRenderer{w: w, st: st, commands: map[string]protocol.ExecCommandBeginMsg{}, mcpCalls: map[string]string{}}
}

func (h *humanRenderer) banner(b bannerInfo) {
	fmt.Fprintf(h.w, "OpenAI Codex v%s (codex-go)\n--------\n", strings.TrimPrefix(version.Version, "v"))
	rows := [][2]string{{"workdir", b.Workdir}, {"model", b.Model}, {"provider", b.Provider}, {"approval", b.Approval},
		{"sandbox", b.Sandbox}, {"reasoning effort", b.Effort}, {"reasoning summaries", b.Summary}, {"session id", b.SessionID}}
	for _, r := range rows {
		if r[1] != "" {
			fmt.Fprintf(h.w, "%s %s\n", h.st.Bold(r[0]+":"), r[1])
		}
	}
	fmt.Fprintf(h.w, "--------\n%s\n%s\n", h.st.Cyan("user"), b.Prompt)
}

func (h *humanRenderer) handle(ev protocol.Event) {
	switch e := ev.Msg.(type) {
	case protocol.AgentReasoningMsg:
		// The summary alone, with no heading, as 0.169 prints it.
		fmt.Fprintf(h.w, "%s\n", h.st.Dim(e.Text))
	case protocol.AgentMessageMsg:
		fmt.Fprintf(h.w, "%s\n%s\n", h.st.Magenta("codex"), e.Message)
	case protocol.ExecCommandBeginMsg:
		h.commands[e.CallID] = e
		fmt.Fprintf(h.w, "%s\n%s in %s\n", h.st.Magenta("exec"), h.st.Bold(ShellJoin(e.Command)), e.Cwd)
	case protocol.ExecCommandEndMsg:
		dur := elapsed.Format(msDuration(e.DurationMS))
		// As 0.169 prints it: the whole output (no line limit), then a
		// line end, so output that ends with one is followed by an empty
		// line; no output, nothing.
		out := e.AggregatedOutput
		switch {
		case tools.EndStatus(e) == protocol.ExecDeclined:
			fmt.Fprintf(h.w, "%s\n", h.st.Red(" declined: "+e.Stderr))
			out = ""
		case e.ExitCode == 0:
			fmt.Fprintf(h.w, "%s\n", h.st.Green(fmt.Sprintf(" succeeded in %s:", dur)))
		default:
			fmt.Fprintf(h.w, "%s\n", h.st.Red(fmt.Sprintf(" exited %d in %s:", e.ExitCode, dur)))
		}
		if out != "" {
			fmt.Fprintf(h.w, "%s\n", h.st.Dim(out))
		}
	case protocol.McpToolCallBeginMsg:
		inv := mcpInvocation(e.Server, e.Tool, e.Arguments)
		h.mcpCalls[e.CallID] = inv
		fmt.Fprintf(h.w, "%s %s\n", h.st.Magenta("tool"), h.st.Bold(inv))
	case protocol.McpToolCallEndMsg:
		dur := elapsed.Format(msDuration(e.DurationMS))
		inv, ok := h.mcpCalls[e.CallID]
		if !ok {
			inv = mcpInvocation(e.Server, e.Tool, nil)
		}
		delete(h.mcpCalls, e.CallID)
		var res struct {
			IsError bool `json:"isError"`
		}
		_ = json.Unmarshal(e.Result, &res)
		switch {
		case e.Error != "":
			fmt.Fprintf(h.w, "%s\n%s\n", h.st.Red(fmt.Sprintf("%s failed in %s:", inv, dur)), h.st.Dim(e.Error))
		case res.IsError:
			fmt.Fprintf(h.w, "%s\n%s\n", h.st.Red(fmt.Sprintf("%s failed in %s:", inv, dur)), h.st.Dim(truncateLines(string(e.Result), 20)))
		default:
			fmt.Fprintf(h.w, "%s\n%s\n", h.st.Green(fmt.Sprintf("%s success in %s:", inv, dur)), h.st.Dim(truncateLines(string(e.Result), 20)))
		}
	case protocol.TerminalInteractionMsg:
		cmd := e.ProcessID
		if b, ok := h.commands[e.CallID]; ok {
			cmd = ShellJoin(b.Command)
		}
		fmt.Fprintf(h.w, "%s %s %s\n", h.st.Magenta("stdin"), h.st.Bold(cmd), h.st.Dim(strconv.Quote(e.Stdin)))
	case protocol.WebSearchEndMsg:
		fmt.Fprintf(h.w, "%s %s\n", h.st.Magenta("web search"), h.st.Bold(e.Query))
	case protocol.PatchApplyBeginMsg:
		fmt.Fprintf(h.w, "%s\n", h.st.Magenta(fmt.Sprintf("apply_patch auto_approved=%v:", e.AutoApproved)))
		for _, p := range slices.Sorted(maps.Keys(e.Changes)) {
			c := e.Changes[p]
			letter := map[string]string{"add": "A", "delete": "D", "update": "M"}[c.Type]
			fmt.Fprintf(h.w, "%s %s\n", letter, p)
		}
	case protocol.PatchApplyEndMsg:
		if e.Success {
			fmt.Fprintf(h.w, "%s\n", h.st.Green("apply_patch succeeded"))
		} else {
			fmt.Fprintf(h.w, "%s\n%s\n", h.st.Red("apply_patch failed"), e.Stderr)
		}
	case protocol.PlanUpdateMsg:
		fmt.Fprintf(h.w, "%s\n", h.st.Magenta("Plan update"))
		for _, p := range e.Plan {
			mark := "[ ]"
			switch p.Status {
			case "completed":
				mark = "[x]"
			case "in_progress":
				mark = "[~]"
			}
			fmt.Fprintf(h.w, "  %s %s\n", mark, p.Step)
		}
	case protocol.StreamErrorMsg:
		fmt.Fprintf(h.w, "%s\n", h.st.Yellow(e.Message))
	case protocol.ErrorMsg:
		h.failed = true
		fmt.Fprintf(h.w, "%s %s\n", h.st.Red("ERROR:"), e.Message)
	case protocol.BackgroundEventMsg:
		fmt.Fprintf(h.w, "%s\n", h.st.Dim(e.Message))
	case protocol.TokenCountMsg:
		h.usage = e.TotalTokenUsage
	case protocol.TurnAbortedMsg:
		h.failed = true
		fmt.Fprintf(h.w, "%s\n", h.st.Red("turn aborted: "+e.Reason))
	case protocol.TaskCompleteMsg:
		// 0.169 counts the tokens that cost: input not served from the
		// cache, plus output (its blended total), not total_tokens.
		if used := h.usage.InputTokens - h.usage.CachedInputTokens + h.usage.OutputTokens; used > 0 {
			fmt.Fprintf(h.w, "%s\n%d\n", h.st.Magenta("tokens used"), used)
		}
	}
}

// mcpInvocation renders an MCP call as server.tool(arguments).
func mcpInvocation(server, tool string, args json.RawMessage) string {
	return fmt.Sprintf("%s.%s(%s)", server, tool, args)
}

func truncateLines(s string, max int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) <= max {
		return s
	}
	return strings.Join(lines[:max], "") + fmt.Sprintf("… +%d lines\n", len(lines)-max)
}

func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
