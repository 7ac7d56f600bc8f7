package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/codexgo/common/protocol"
)

// Conn is the model's view of the agent: submissions out, events in.
// *appconn.Conn (the app-server client) implements it; Send must not
// block on the agent (it is called from Update).
type Conn interface {
	Send(protocol.Submission) error
	Events() <-chan protocol.Event
}

// env is what the model needs from the outside world, injected so tests
// control it. Only commands (never Update) touch the file system.
type env struct {
	now       func() time.Time
	cwd       string
	codexHome string // empty: no persistent history
	// noHistory keeps prompts out of history.jsonl
	// (history.persistence = "none" in config.toml).
	noHistory bool
	version   string
	// reconnect starts a fresh agent (for /new, /resume and /fork) on
	// the session s names.
	reconnect func(ctx context.Context, s sessionRef) (Conn, error)
	// logout forgets the stored credentials.
	logout func() error
	// editor is the command Ctrl+G runs on the draft; tty is the
	// terminal it reads (nil: the program's input).
	editor string
	tty    *os.File
	// mcpServers describes the MCP servers configured in config.toml,
	// one line each, for /mcp.
	mcpServers []string
	// notifications are the kinds of desktop notification turned on
	// (tui.notifications); term is where they are written.
	notifications map[string]bool
	term          io.Writer
	// sandbox builds the command that runs argv under a sandbox policy
	// (JSON) in cwd, for !commands; nil: none available.
	sandbox func(ctx context.Context, policy, cwd string, argv []string) (*exec.Cmd, error)
	// contextWindow is a model's context window when the agent has not
	// said (config's model_context_window, else the model catalogue).
	contextWindow func(model string) int64
	// sandboxPolicy is the policy a sandbox mode chosen in /permissions
	// means with this session's config ([sandbox_workspace_write],
	// --add-dir), decided by sandboxpolicy.FromConfig as on every other
	// path; nil: the mode alone.
	sandboxPolicy func(protocol.SandboxMode) (protocol.SandboxPolicy, error)
	// askedApproval is the approval policy the user asked for (flag,
	// -c, profile or config.toml), to show when the server reports a
	// policy the v2 protocol lacks (on-failure) as another.
	askedApproval protocol.AskForApproval
	// skills and hooks list what the agent of this session finds, for
	// /skills and /hooks (read when asked: they change on disk).
	skills, hooks func() string
}

// model is the root model: one state, plain sub-components, an overlay
// stack; all I/O happens in commands.
type model struct {
	env  env
	conn Conn
	p    *painter

	width, height int

	comp    *composer
	hist    *promptHistory
	popup   *popup
	files   []string
	filesOK bool // index loaded (or loading failed)
	appr    approvals
	picker  *picker

	// Agent state.
	session    protocol.SessionConfiguredMsg
	configured bool
	running    bool
	turnStart  time.Time
	stream     mdStream
	live       liveRender // the streaming block as last drawn
	lastAnswer string     // the last agent message, for /copy
	// reviewEcho is the review a review's end printed: the agent message
	// the server repeats it in next (0.169's does) is not printed again.
	reviewEcho string
	altLeaving bool           // the alternate screen is being left: printing waits
	shells     int            // !commands running
	search     *historySearch // Ctrl+R, while it is open
	// queue holds messages queued during a turn (Tab, or a steer the
	// agent refused), sent one per turn end.
	queue []queuedInput
	// steers are messages sent into the running turn (Enter), waiting
	// for the agent to take them.
	steers []pendingSteer
	// reviewing: the running turn is a review (/review), which cannot be
	// steered.
	reviewing bool
	// forms are MCP elicitation forms waiting to be filled in; the first
	// is shown.
	forms       []*elicitForm
	streamFirst bool // the next finished block starts a message
	reasoning   strings.Builder
	// reasoningShown are the summaries printed this turn (normSpace).
	reasoningShown map[string]bool
	execs          []*execRun
	// background are commands still running after their turn ended
	// (exec_command sessions the model polls with write_stdin); their
	// cell is printed when they end.
	background []*execRun
	patches    map[string]map[string]protocol.FileChange
	tokens     protocol.TokenCountMsg
	window     int64
	nextSub    int

	// UI state.
	overlays      []overlay // full-screen views on the alternate screen
	queued        []toPrint // cells finished while an overlay was open
	transcript    []cell    // every finished cell, for the transcript pager
	lastKey       time.Time
	ctrlCPrimed   bool
	hint          string // transient footer message
	showHelp      bool
	spin          int
	ticking       bool
	quitting      bool // shutting down; tea.Quit follows the last print
	agentGone     bool
	shutdownSeen  bool
	initialPrompt string   // sent once the session is configured
	images        []string // -i: absolute paths attached to the next message
	// focused is whether the terminal has the focus (as it reports when
	// notifications are on); notes are notifications to send.
	focused bool
	notes   []string
	replay  []replayEntry // a resumed conversation, printed once the session is configured
	outbox  []toPrint     // finished cells not yet handed to the terminal
	// surface asks to leave full-screen views: an approval request is
	// waiting and must be seen (the grace period guards the keys).
	surface bool
	// printer renders cells for the scrollback inside the print command,
	// off the event loop; only one print runs at a time, so its caches
	// are never shared.
	printer  *painter
	printing bool // a print command is in flight
}

// execRun is a command that is still running.
type execRun struct {
	callID string
	cell   execCell
	start  time.Time
	out    strings.Builder
	// awaiting: begun, but waiting for the user's approval (the
	// app-server announces a command before asking about it); it runs
	// once approved.
	awaiting bool
}

func newModel(e env, conn Conn, th *theme) *model {
	h := &promptHistory{}
	return &model{
		env:         e,
		conn:        conn,
		focused:     true, // until the terminal says otherwise
		p:           &painter{th: th, md: newMarkdown(th)},
		printer:     &painter{th: th, md: newMarkdown(th)},
		width:       80,
		height:      24,
		comp:        newComposer(th, h),
		hist:        h,
		patches:     map[string]map[string]protocol.FileChange{},
		streamFirst: true,
	}
}

// Messages produced by commands.
type (
	// eventsMsg is a batch from the pump, in order, from conn.
	eventsMsg struct {
		conn Conn
		evs  []protocol.Event
	}
	connClosedMsg  struct{ conn Conn }
	historyMsg     []string
	filesMsg       []string
	tickMsg        time.Time
	reconnectedMsg struct {
		conn   Conn
		err    error
		replay []replayEntry
	}
	diffMsg struct {
		text string
		err  error
	}
	loggedOutMsg struct{ err error }
)

// maxBatch bounds one batch of events so a flood still lets the UI draw.
const maxBatch = 512

// listen waits for the next events of conn and returns them as one batch:
// everything already queued, with consecutive deltas of the same kind
// merged (coalescing per frame). Control events are never merged away.
func listen(conn Conn) tea.Cmd {
	return func() tea.Msg {
		ch := conn.Events()
		ev, ok := <-ch
		if !ok {
			return connClosedMsg{conn}
		}
		batch := []protocol.Event{ev}
		for len(batch) < maxBatch {
			select {
			case ev, ok := <-ch:
				if !ok {
					return eventsMsg{conn, batch} // the next listen sees the close
				}
				batch = appendCoalesced(batch, ev)
				continue
			default:
			}
			break
		}
		return eventsMsg{conn, batch}
	}
}

// appendCoalesced appends ev, merging it into the previous event when
// both are text deltas of the same stream.
func appendCoalesced(batch []protocol.Event, ev protocol.Event) []protocol.Event {
	last := &batch[len(batch)-1]
	if last.ID == ev.ID {
		switch d := ev.Msg.(type) {
		case protocol.AgentMessageDeltaMsg:
			if p, ok := last.Msg.(protocol.AgentMessageDeltaMsg); ok {
				last.Msg = protocol.AgentMessageDeltaMsg{Delta: p.Delta + d.Delta}
				return batch
			}
		case protocol.AgentReasoningDeltaMsg:
			if p, ok := last.Msg.(protocol.AgentReasoningDeltaMsg); ok {
				last.Msg = protocol.AgentReasoningDeltaMsg{Delta: p.Delta + d.Delta}
				return batch
			}
		}
	}
	return append(batch, ev)
}

// Init starts the event pump and loads the prompt history.
func (m *model) Init() tea.Cmd {
	cmds := []tea.Cmd{listen(m.conn)}
	if m.env.codexHome != "" {
		path := m.historyPath()
		cmds = append(cmds, func() tea.Msg {
			h, _ := loadHistory(path) // a broken history file only costs the history
			return historyMsg(h)
		})
	}
	return batch(cmds...)
}

func (m *model) historyPath() string { return m.env.codexHome + "/history.jsonl" }

// submit sends op under a fresh id.
func (m *model) submit(op protocol.Op) string {
	m.nextSub++
	id := "tui-" + strconv.Itoa(m.nextSub)
	if m.conn == nil {
		m.print(noticeCell{"error", "no session is running (/new starts one)"})
		return id
	}
	if err := m.conn.Send(protocol.Submission{ID: id, Op: op}); err != nil {
		m.print(noticeCell{"error", "cannot reach the agent: " + err.Error()})
	}
	return id
}

// toPrint is a finished cell and the width to print it at.
type toPrint struct {
	c     cell
	width int
}

// print queues a finished cell for the scrollback (held back while an
// overlay holds the alternate screen). It is rendered once, by flush.
func (m *model) print(c cell) {
	m.transcript = append(m.transcript, c)
	p := toPrint{c, m.width}
	if len(m.overlays) > 0 {
		m.queued = append(m.queued, p)
		return
	}
	m.outbox = append(m.outbox, p)
}

// renderPrints renders cells as printed text: a blank line between
// cells, none before a cell that continues the previous one.
func renderPrints(p *painter, cells []toPrint) string {
	var b strings.Builder
	for i, tp := range cells {
		if k, ok := tp.c.(interface{ continues() bool }); !ok || !k.continues() {
			b.WriteString("\n")
		}
		b.WriteString(tp.c.Render(p, tp.width))
		if i < len(cells)-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// printedMsg says the previous print reached the program.
type printedMsg struct{}

// flush hands the outbox to the terminal. Rendering happens in the
// command, so a huge message (thousands of highlighted code lines) never
// stalls a frame. One print is in flight at a time, so cells from
// different updates can never overtake each other (commands run
// concurrently otherwise).
func (m *model) flush() tea.Cmd {
	if m.printing || m.altLeaving || len(m.outbox) == 0 {
		return nil
	}
	m.printing = true
	cells, pr := m.outbox, m.printer
	m.outbox = nil
	// At the terminal's width now, not when the cell finished: a cell
	// rendered for a width the window was just resized from would wrap
	// (a code line split in two).
	for i := range cells {
		cells[i].width = m.width
	}
	return tea.Sequence(
		guard(func() tea.Msg { return tea.Println(wrapPrinted(renderPrints(pr, cells)))() }),
		func() tea.Msg { return printedMsg{} },
	)
}

// Update is the single entry point of the model: it changes state and
// returns commands; it never does I/O itself.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 5)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	case tea.MouseMsg:
		if len(m.overlays) > 0 {
			cmd = m.overlays[len(m.overlays)-1].HandleMouse(msg)
		}
	case tea.FocusMsg:
		m.focused = true
	case tea.BlurMsg:
		m.focused = false
	case eventsMsg:
		if msg.conn != m.conn {
			break // a replaced session's last words
		}
		for _, ev := range msg.evs {
			m.handleEvent(ev)
		}
		cmd = batch(listen(m.conn), m.sendNotes())
		if m.surface {
			m.surface = false
			var leave tea.Cmd
			for len(m.overlays) > 0 {
				leave = m.closeOverlay()
			}
			cmd = batch(cmd, leave)
		}
	case connClosedMsg:
		if msg.conn != m.conn {
			break
		}
		m.agentGone = true
		if !m.quitting {
			m.print(noticeCell{"error", "the agent exited"})
		}
		m.quitting = true
	case infoMsg:
		m.print(noticeCell{"info", string(msg)})
	case errNoticeMsg:
		m.print(noticeCell{"error", msg.err.Error()})
	case historyMsg:
		m.hist.Load(msg)
	case filesMsg:
		m.files, m.filesOK = msg, true
		m.refreshPopup()
	case printedMsg:
		m.printing = false
	case altLeftMsg:
		m.altLeaving = false
	case tickMsg:
		m.ticking = false
		m.spin++
	case reconnectedMsg:
		cmd = m.handleReconnected(msg)
	case diffMsg:
		cmd = m.handleDiff(msg)
	case editorReadyMsg:
		if msg.err != nil {
			m.print(noticeCell{"error", "editor: " + msg.err.Error()})
			break
		}
		cmd = m.runEditor(msg.path)
	case editorDoneMsg:
		if msg.err != nil {
			m.print(noticeCell{"error", "editor: " + msg.err.Error()})
			break
		}
		m.comp.SetValue(msg.text)
	case shellDoneMsg:
		m.shellDone(msg)
	case transcriptMsg:
		// At the latest output, as it is what the user was reading.
		pg := newPager("Transcript", string(msg))
		pg.off = len(pg.lines)
		cmd = m.openOverlay(pg)
	case sessionsMsg:
		if msg.err != nil {
			m.print(noticeCell{"error", msg.err.Error()})
			break
		}
		cmd = m.openOverlay(newResumePicker(m.p.th, m.env.now, msg.sessions))
	case loggedOutMsg:
		if msg.err != nil {
			m.print(noticeCell{"error", "logout: " + msg.err.Error()})
		} else {
			m.print(noticeCell{"info", "Logged out."})
			m.quit()
		}
	}
	cmds := []tea.Cmd{cmd, m.flush()}
	if m.running && !m.ticking && !m.quitting {
		m.ticking = true
		cmds = append(cmds, tea.Tick(100*time.Millisecond, func(t time.Time) tea.Msg { return tickMsg(t) }))
	}
	// Quit only once every cell is printed.
	if m.quitting && !m.printing && len(m.outbox) == 0 {
		cmds = append(cmds, tea.Quit)
	}
	return m, batch(cmds...)
}

// quit asks the agent to shut down and ends the program once the last
// cells are printed.
func (m *model) quit() {
	if !m.quitting && !m.agentGone && m.conn != nil {
		m.submit(protocol.ShutdownOp{})
	}
	m.quitting = true
}

func (m *model) interrupt() {
	m.submit(protocol.InterruptOp{})
	m.hint = "Interrupting…"
}

// batch runs cmds concurrently, like tea.Batch. bubbletea v1.3.7 calls the
// commands of a batch on its event loop when the batch arrives as a
// message, so one blocking command (the event pump, a timer) would freeze
// the UI; a sequence runs in its own goroutine and spreads a batch inside
// it over goroutines. nop keeps the sequence from collapsing to the bare
// batch.
func batch(cmds ...tea.Cmd) tea.Cmd {
	var live []tea.Cmd
	for _, c := range cmds {
		if c != nil {
			live = append(live, guard(c))
		}
	}
	switch len(live) {
	case 0:
		return nil
	case 1:
		return live[0]
	}
	return tea.Sequence(tea.Batch(live...), nop)
}

func nop() tea.Msg { return nil }

// guard turns a panic inside a command into an error cell: bubbletea
// v1.3.7 recovers panics in plain commands but not in the goroutines it
// starts for sequences and batches, where one would kill the process
// without restoring the terminal.
func guard(cmd tea.Cmd) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = errNoticeMsg{fmt.Errorf("internal error: %v", r)}
			}
		}()
		return cmd()
	}
}
