package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/protocol"
)

// initPrompt asks the agent to write AGENTS.md, as /init does.
const initPrompt = `Generate a file named AGENTS.md that serves as a contributor guide for this repository.
Look at the repository's layout, build and test commands, coding style and commit conventions,
and write concise, specific instructions (200-400 words) in Markdown with short sections:
project structure, build/test/dev commands, coding style, testing guidelines, commit and PR guidelines.`

// runSlash runs a slash command; arg is the text after its name.
func (m *model) runSlash(name, arg string) tea.Cmd {
	c, ok := findSlash(name)
	if !ok {
		m.print(noticeCell{"error", "unknown command /" + name})
		return nil
	}
	if m.running && !c.midTurn {
		m.print(noticeCell{"error", fmt.Sprintf("'/%s' is disabled while a task is in progress.", name)})
		return nil
	}
	switch c.name {
	case "model":
		if arg != "" {
			m.setModel(arg, "")
			return nil
		}
		m.picker = modelPicker(m.session.Model)
	case "permissions":
		m.picker = approvalsPicker()
	case "fork":
		return m.fork()
	case "copy":
		return m.copyLastAnswer()
	case "ps":
		m.print(noticeCell{"info", m.backgroundList()})
	case "new":
		return m.reconnect("")
	case "resume":
		return m.openResumePicker()
	case "init":
		if _, err := os.Stat(filepath.Join(m.env.cwd, "AGENTS.md")); err == nil {
			m.print(noticeCell{"info", "AGENTS.md already exists here. Skipping /init to avoid overwriting it."})
			return nil
		}
		m.print(userCell{text: "/init"})
		m.submit(protocol.UserInputOp{Items: protocol.TextInput(initPrompt)})
	case "compact":
		m.submit(protocol.CompactOp{})
	case "review":
		if arg != "" {
			m.startReview(arg, customReview(arg))
			return nil
		}
		m.picker = reviewPicker()
	case "diff":
		cwd := m.env.cwd
		return func() tea.Msg {
			text, err := gitDiff(context.Background(), cwd)
			return diffMsg{text: text, err: err}
		}
	case "mention":
		m.comp.Insert("@")
		return m.refreshPopup()
	case "status":
		m.print(m.statusCard())
	case "skills":
		return listing(m.env.skills)
	case "hooks":
		return listing(m.env.hooks)
	case "mcp":
		if len(m.env.mcpServers) == 0 {
			m.print(noticeCell{"info", "No MCP servers configured. Add them under [mcp_servers] in config.toml."})
			break
		}
		// The agent knows what the servers offer: the answer is printed
		// when it comes (mcp_list_tools_response).
		m.submit(protocol.ListMcpToolsOp{})
	case "logout":
		if m.env.logout == nil {
			m.print(noticeCell{"error", "logout is not available"})
			return nil
		}
		logout := m.env.logout
		return func() tea.Msg { return loggedOutMsg{err: logout()} }
	case "quit", "exit":
		m.quit()
	}
	return nil
}

// setModel overrides the model (and effort) for the next turns.
func (m *model) setModel(name, effort string) {
	m.submit(protocol.OverrideTurnContextOp{Model: name, Effort: effort})
	m.session.Model = name
	label := name
	if effort != "" {
		label += " (" + effort + ")"
	}
	m.print(noticeCell{"info", "Model changed to " + label})
}

// sessionRef names the session a connection opens: a new one (zero), the
// rollout to resume, or (fork set: the source's thread id) a fork of the
// session recorded in resume.
type sessionRef struct {
	resume string
	fork   string
}

// reconnect replaces the agent with a fresh one (a new or resumed session).
func (m *model) reconnect(resume string) tea.Cmd {
	return m.reconnectTo(sessionRef{resume: resume})
}

// reconnectTo replaces the agent with a fresh one on the session s names;
// a resumed or forked conversation is printed from the rollout.
func (m *model) reconnectTo(s sessionRef) tea.Cmd {
	resume := s.resume
	if m.env.reconnect == nil {
		m.print(noticeCell{"error", "this front end cannot start a new session"})
		return nil
	}
	re := m.env.reconnect
	// The old agent is shut down on the way: its last events and the end
	// of its stream belong to no session any more (nil matches no
	// connection), so they neither print nor end the program.
	m.conn = nil
	return func() tea.Msg {
		var replay []replayEntry
		if resume != "" {
			// Unreadable: the agent reports the failure to resume.
			replay, _ = loadReplay(resume)
		}
		c, err := re(context.Background(), s)
		return reconnectedMsg{conn: c, err: err, replay: replay}
	}
}

func (m *model) handleReconnected(msg reconnectedMsg) tea.Cmd {
	if msg.err != nil {
		m.print(noticeCell{"error", "start session: " + msg.err.Error() + " (/new to try again)"})
		return nil
	}
	m.conn = msg.conn
	m.replay = msg.replay
	m.configured, m.running = false, false
	m.stream = mdStream{}
	m.streamFirst = true
	m.execs, m.background, m.appr.queue = nil, nil, nil
	m.steers, m.reviewing, m.forms = nil, false, nil
	m.tokens, m.window = protocol.TokenCountMsg{}, 0
	m.reasoning.Reset()
	m.patches = map[string]map[string]protocol.FileChange{}
	return listen(m.conn)
}

// gitDiff is `git diff` of the work tree plus untracked files as
// additions, which is what /diff shows.
func gitDiff(ctx context.Context, dir string) (string, error) {
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			// `git diff --no-index` exits 1 when files differ.
			if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && errb.Len() == 0 {
				return out.String(), nil
			}
			return "", fmt.Errorf("git %s: %s", args[0], strings.TrimSpace(errb.String()))
		}
		return out.String(), nil
	}
	if _, err := run("rev-parse", "--is-inside-work-tree"); err != nil {
		return "", fmt.Errorf("/diff needs a git repository")
	}
	diff, err := run("diff", "--no-color", "HEAD")
	if err != nil {
		// A repository without commits has no HEAD: diff the index.
		if diff, err = run("diff", "--no-color"); err != nil {
			return "", err
		}
	}
	untracked, err := run("ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(diff)
	for _, f := range strings.Split(untracked, "\x00") {
		if f == "" {
			continue
		}
		d, err := run("diff", "--no-color", "--no-index", "--", "/dev/null", f)
		if err != nil {
			return "", err
		}
		b.WriteString(d)
	}
	return b.String(), nil
}

func (m *model) handleDiff(msg diffMsg) tea.Cmd {
	if msg.err != nil {
		m.print(noticeCell{"error", msg.err.Error()})
		return nil
	}
	if strings.TrimSpace(msg.text) == "" {
		m.print(noticeCell{"info", "No changes."})
		return nil
	}
	return m.openOverlay(newPager("/diff", renderDiff(m.p.th, msg.text, max(m.width, 20))))
}

// picker is a list to choose from in the bottom pane (/model, /approvals).
type picker struct {
	title string
	items []popupItem
	sel   int
	apply func(m *model, i int)
}

func modelPicker(current string) *picker {
	type choice struct{ model, effort, desc string }
	choices := []choice{
		{"gpt-5-codex", "medium", "balanced for coding"},
		{"gpt-5-codex", "high", "deeper reasoning on hard tasks"},
		{"gpt-5", "medium", "general purpose"},
		{"gpt-5", "high", "general purpose, more reasoning"},
		{"gpt-5", "minimal", "fastest answers"},
	}
	p := &picker{title: "Select model and reasoning effort (current: " + current + ")"}
	for _, c := range choices {
		p.items = append(p.items, popupItem{c.model + " " + c.effort, c.desc})
	}
	p.apply = func(m *model, i int) { m.setModel(choices[i].model, choices[i].effort) }
	return p
}

func approvalsPicker() *picker {
	type preset struct {
		name, desc string
		approval   protocol.AskForApproval
		sandbox    protocol.SandboxMode
	}
	presets := []preset{
		{"Read Only", "read files; ask before editing or running anything else", protocol.ApprovalOnRequest, protocol.SandboxReadOnly},
		{"Auto", "read, edit and run in the workspace; ask for network or outside it", protocol.ApprovalOnRequest, protocol.SandboxWorkspaceWrite},
		{"Full Access", "edit and run anything without asking (use with care)", protocol.ApprovalNever, protocol.SandboxDangerFullAccess},
	}
	p := &picker{title: "Select approval mode"}
	for _, pr := range presets {
		p.items = append(p.items, popupItem{pr.name, pr.desc})
	}
	p.apply = func(m *model, i int) {
		pr := presets[i]
		policy := protocol.SandboxPolicy{Mode: pr.sandbox}
		if m.env.sandboxPolicy != nil {
			p, err := m.env.sandboxPolicy(pr.sandbox)
			if err != nil {
				m.print(noticeCell{"error", "permissions: " + err.Error()})
				return
			}
			policy = p
		}
		m.submit(protocol.OverrideTurnContextOp{ApprovalPolicy: pr.approval, SandboxPolicy: &policy})
		m.session.ApprovalPolicy = pr.approval
		m.session.SandboxPolicy = &policy
		m.print(noticeCell{"info", "Approval mode set to " + pr.name})
	}
	return p
}

// HandleKey moves or picks; done reports that the picker closed.
func (p *picker) HandleKey(m *model, msg tea.KeyMsg) (done bool) {
	switch keyName(msg) {
	case "up", "k":
		p.sel = (p.sel + len(p.items) - 1) % len(p.items)
	case "down", "j", "tab":
		p.sel = (p.sel + 1) % len(p.items)
	case "esc", "q":
		return true
	case "enter":
		p.apply(m, p.sel)
		return true
	default:
		if r := msg.Runes; len(r) == 1 && r[0] >= '1' && int(r[0]-'1') < len(p.items) {
			p.apply(m, int(r[0]-'1'))
			return true
		}
	}
	return false
}

// View renders the picker.
func (p *picker) View(th *theme, width int) string {
	lines := []string{"  " + th.bold.Render(truncate(p.title, width-2)), ""}
	for i, it := range p.items {
		label := fmt.Sprintf("%d. %s", i+1, it.name)
		line := truncate(label+"  "+th.dim.Render(it.desc), width-4)
		if i == p.sel {
			lines = append(lines, th.selected.Render("  › ")+line)
		} else {
			lines = append(lines, "    "+line)
		}
	}
	lines = append(lines, "", th.dim.Render("  enter select · esc cancel"))
	return strings.Join(lines, "\n")
}
