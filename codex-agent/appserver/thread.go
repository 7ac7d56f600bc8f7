package appserver

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/version"
)

// thread is a loaded thread: a live session whose events the server
// turns into notifications.
type thread struct {
	s      *server
	id     string
	opened *Opened
	cancel context.CancelFunc
	// done closes when the session has ended and its events are read.
	done chan struct{}

	mu         sync.Mutex
	subscribed bool
	meta       threadMeta
	turnSeq    int
	cur        *turnState
	turns      map[string]*turnState // by submission (turn) id
	waiting    map[string]pendingApproval
	// declined are the calls the client declined or cancelled.
	declined map[string]bool
	// background are command items left running when their turn
	// completed (exec_command sessions), by call id; the event pump
	// alone touches it.
	background map[string]backgroundCommand
	status     string // idle, active
	steers     int    // steer items so far
	closed     bool
}

type pendingApproval struct {
	requestID int64
	turnID    string
	cancel    context.CancelFunc
}

// threadMeta is what the Thread object shows besides the live state.
type threadMeta struct {
	ID            string
	Path          string
	Cwd           string
	Preview       string
	Name          string
	ModelProvider string
	Model         string
	Effort        string
	Source        string
	CliVersion    string
	Originator    string
	ForkedFrom    string
	Ephemeral     bool
	CreatedAt     int64 // unix seconds
	UpdatedAt     int64
}

// threadTable holds the loaded threads.
type threadTable struct {
	mu sync.Mutex
	m  map[string]*thread
}

func newThreadTable() *threadTable { return &threadTable{m: map[string]*thread{}} }

func (t *threadTable) get(id string) *thread {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[id]
}

func (t *threadTable) put(th *thread) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[th.id] = th
}

func (t *threadTable) remove(id string) *thread {
	t.mu.Lock()
	defer t.mu.Unlock()
	th := t.m[id]
	delete(t.m, id)
	return th
}

func (t *threadTable) ids() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	ids := make([]string, 0, len(t.m))
	for id := range t.m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (t *threadTable) all() []*thread {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*thread, 0, len(t.m))
	for _, th := range t.m {
		out = append(out, th)
	}
	return out
}

// closeAll shuts every thread down and waits for their sessions.
func (t *threadTable) closeAll() {
	for _, th := range t.all() {
		th.shutdown()
	}
}

// load starts a session for a thread and its event pump.
func (s *server) load(o *Opened, meta threadMeta, turnSeq int) *thread {
	ctx, cancel := context.WithCancel(s.ctx)
	th := &thread{s: s, id: o.Session.ThreadID(), opened: o, cancel: cancel, done: make(chan struct{}),
		subscribed: true, meta: meta, turnSeq: turnSeq, turns: map[string]*turnState{},
		waiting: map[string]pendingApproval{}, declined: map[string]bool{}, status: "idle",
		background: map[string]backgroundCommand{}}
	th.meta.ID = th.id
	// Its skill folders are watched from now on (skills/changed).
	s.skills.Add(s.skillRoots(o.Cwd)...)
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		_ = o.Session.Run(ctx)
	}()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(th.done)
		for ev := range o.Session.Events() {
			th.event(ev)
		}
		<-runDone
		if o.Close != nil {
			if err := o.Close(); err != nil {
				fmt.Fprintf(s.o.Stderr, "codex app-server: thread %s: %v\n", th.id, err)
			}
		}
	}()
	s.threads.put(th)
	return th
}

// shutdown ends the thread's session (a running turn is interrupted,
// its commands killed) and waits for it.
func (th *thread) shutdown() {
	th.mu.Lock()
	if th.closed {
		th.mu.Unlock()
		<-th.done
		return
	}
	th.closed = true
	for _, p := range th.waiting {
		p.cancel()
	}
	th.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-th.done:
		case <-ctx.Done():
		}
	}()
	_ = th.opened.Session.Submit(th.s.ctx, protocol.Submission{ID: "shutdown", Op: protocol.ShutdownOp{}})
	th.cancel()
	<-th.done
	cancel()
}

// object renders the thread as the protocol's Thread.
func (th *thread) object(turns []any) map[string]any {
	th.mu.Lock()
	m := th.meta
	status := th.statusObject()
	th.mu.Unlock()
	return threadObject(m, status, turns)
}

func (th *thread) statusObject() map[string]any {
	if th.status == "active" {
		flags := []string{}
		if len(th.waiting) > 0 {
			flags = append(flags, "waitingOnApproval")
		}
		return map[string]any{"type": "active", "activeFlags": flags}
	}
	return map[string]any{"type": "idle"}
}

func threadObject(m threadMeta, status map[string]any, turns []any) map[string]any {
	if turns == nil {
		turns = []any{}
	}
	cliVersion := m.CliVersion
	if cliVersion == "" {
		cliVersion = version.Version
	}
	var path, name, model, forked, originator any
	if m.Path != "" {
		path = m.Path
	}
	if m.Name != "" {
		name = m.Name
	}
	if m.Model != "" {
		model = m.Model
	}
	if m.ForkedFrom != "" {
		forked = m.ForkedFrom
	}
	if m.Originator != "" {
		originator = m.Originator
	}
	provider := m.ModelProvider
	if provider == "" {
		provider = "openai"
	}
	return map[string]any{
		"id": m.ID, "sessionId": m.ID, "preview": m.Preview, "ephemeral": m.Ephemeral,
		"modelProvider": provider, "createdAt": m.CreatedAt, "updatedAt": m.UpdatedAt,
		"status": status, "path": path, "cwd": m.Cwd, "cliVersion": cliVersion,
		"source": sessionSource(m.Source), "name": name, "turns": turns, "projectId": nil,
		"model": model, "forkedFromId": forked, "originator": originator,
	}
}

// sessionSource maps a rollout's source onto the protocol's
// SessionSource.
func sessionSource(src string) any {
	switch src {
	case "app_server", "appServer", "app-server":
		return "appServer"
	case "cli", "tui", "proto":
		return "cli"
	case "exec":
		return "exec"
	case "vscode":
		return "vscode"
	case "mcp":
		return map[string]any{"custom": "mcp"}
	}
	return "unknown"
}

func sourceKind(src string) string {
	switch v := sessionSource(src).(type) {
	case string:
		return v
	}
	return "unknown"
}

// setStatus changes the thread's status and tells the client.
func (th *thread) setStatus(status string) {
	th.mu.Lock()
	th.status = status
	obj := th.statusObject()
	th.mu.Unlock()
	th.notify("thread/status/changed", map[string]any{"threadId": th.id, "status": obj})
}

// notify sends a notification about this thread while the client is
// subscribed to it.
func (th *thread) notify(method string, params any) {
	th.mu.Lock()
	sub := th.subscribed
	th.mu.Unlock()
	if sub {
		th.s.c.notify(method, params)
	}
}

func (th *thread) submit(id string, op protocol.Op) error {
	return th.opened.Session.Submit(th.s.ctx, protocol.Submission{ID: id, Op: op})
}
