package appserver

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"

	"github.com/codexgo/common/protocol"
)

type threadParams struct {
	ThreadID              string          `json:"threadId"`
	Cwd                   *string         `json:"cwd"`
	Model                 *string         `json:"model"`
	ModelProvider         *string         `json:"modelProvider"`
	ApprovalPolicy        json.RawMessage `json:"approvalPolicy"`
	Sandbox               *string         `json:"sandbox"`
	Config                map[string]any  `json:"config"`
	BaseInstructions      *string         `json:"baseInstructions"`
	DeveloperInstructions *string         `json:"developerInstructions"`
	Ephemeral             *bool           `json:"ephemeral"`
	ExcludeTurns          bool            `json:"excludeTurns"`
	// Path is thread/resume's rollout file (our TUI resumes by the file
	// its picker chose); it wins over threadId for a thread not loaded.
	Path *string `json:"path"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// approvalParam reads an AskForApproval: one of the named policies, or
// the granular object (which kinds of prompt may reach the client: its
// meaning is package approval's), which, as in the Codex CLI 0.169, only
// a client that asked for the experimental API may send (-32600).
func (s *server) approvalParam(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var name string
	if json.Unmarshal(raw, &name) != nil {
		g, err := protocol.ParseGranularJSON(raw)
		if err != nil {
			return "", invalidParams("approvalPolicy: %v", err)
		}
		s.mu.Lock()
		experimental := s.experimental
		s.mu.Unlock()
		if !experimental {
			return "", invalidRequest("askForApproval.granular requires experimentalApi capability")
		}
		return string(protocol.GranularApproval(g)), nil
	}
	switch name {
	case "untrusted", "on-request", "on-failure", "never":
		return name, nil
	}
	return "", invalidParams("approvalPolicy: unknown policy %q", name)
}

func (s *server) threadConfig(p threadParams) (ThreadConfig, error) {
	ap, err := s.approvalParam(p.ApprovalPolicy)
	if err != nil {
		return ThreadConfig{}, err
	}
	sb := deref(p.Sandbox)
	if sb != "" && sb != "read-only" && sb != "workspace-write" && sb != "danger-full-access" {
		return ThreadConfig{}, invalidParams("sandbox: unknown mode %q", sb)
	}
	ov := append([]string(nil), s.o.Overrides...)
	keys := make([]string, 0, len(p.Config))
	for k := range p.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := tomlValue(p.Config[k])
		if err != nil {
			return ThreadConfig{}, invalidParams("config.%s: %v", k, err)
		}
		ov = append(ov, k+"="+v)
	}
	cfg := ThreadConfig{Cwd: deref(p.Cwd), Model: deref(p.Model), ModelProvider: deref(p.ModelProvider),
		ApprovalPolicy: ap, Sandbox: sb, Overrides: ov, BaseInstructions: deref(p.BaseInstructions),
		DeveloperInstructions: deref(p.DeveloperInstructions), Client: s.clientName()}
	if p.Ephemeral != nil {
		cfg.Ephemeral = *p.Ephemeral
	}
	if cfg.Cwd != "" && !filepath.IsAbs(cfg.Cwd) {
		return ThreadConfig{}, invalidParams("cwd must be an absolute path")
	}
	return cfg, nil
}

func (s *server) open(ctx context.Context, cfg ThreadConfig) (*Opened, error) {
	if s.o.Backend == nil {
		return nil, invalidRequest("threads are not available in this build")
	}
	o, err := s.o.Backend.Open(ctx, cfg)
	if err != nil {
		return nil, invalidRequest("%v", err)
	}
	return o, nil
}

// threadResponse is the common shape of thread/start, resume and fork.
func (th *thread) response(turns []any) map[string]any {
	o := th.opened
	return map[string]any{
		"thread": th.object(turns), "model": o.Model, "modelProvider": providerOr(o.ModelProvider),
		"cwd": o.Cwd, "approvalPolicy": approvalOut(o.ApprovalPolicy), "approvalsReviewer": "user",
		"sandbox": sandboxOut(o.Sandbox), "reasoningEffort": nilIfEmpty(o.Effort),
	}
}

func providerOr(p string) string {
	if p == "" {
		return "openai"
	}
	return p
}

func approvalOut(a protocol.AskForApproval) any {
	if g, ok := a.Granular(); ok {
		return map[string]any{"granular": g}
	}
	switch a {
	case protocol.ApprovalUntrusted, protocol.ApprovalNever:
		return string(a)
	}
	return "on-request"
}

func sandboxOut(p protocol.SandboxPolicy) map[string]any {
	switch p.Mode {
	case protocol.SandboxDangerFullAccess:
		return map[string]any{"type": "dangerFullAccess"}
	case protocol.SandboxWorkspaceWrite:
		roots := p.WritableRoots
		if roots == nil {
			roots = []string{}
		}
		return map[string]any{"type": "workspaceWrite", "writableRoots": roots, "networkAccess": p.NetworkAccess,
			"excludeTmpdirEnvVar": p.ExcludeTmpdirEnvVar, "excludeSlashTmp": p.ExcludeSlashTmp}
	}
	return map[string]any{"type": "readOnly", "networkAccess": p.NetworkAccess}
}

// sandboxIn reads a protocol SandboxPolicy object.
func sandboxIn(raw json.RawMessage) (*protocol.SandboxPolicy, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var p struct {
		Type                string   `json:"type"`
		WritableRoots       []string `json:"writableRoots"`
		NetworkAccess       any      `json:"networkAccess"`
		ExcludeTmpdirEnvVar bool     `json:"excludeTmpdirEnvVar"`
		ExcludeSlashTmp     bool     `json:"excludeSlashTmp"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, invalidParams("sandboxPolicy: %v", err)
	}
	net, _ := p.NetworkAccess.(bool)
	switch p.Type {
	case "readOnly":
		return &protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly, NetworkAccess: net}, nil
	case "workspaceWrite":
		return &protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: p.WritableRoots, NetworkAccess: net,
			ExcludeTmpdirEnvVar: p.ExcludeTmpdirEnvVar, ExcludeSlashTmp: p.ExcludeSlashTmp}, nil
	case "dangerFullAccess":
		return &protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, nil
	}
	return nil, invalidParams("sandboxPolicy: unsupported type %q", p.Type)
}

func (s *server) threadStart(ctx context.Context, params json.RawMessage) (any, error) {
	var p threadParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	cfg, err := s.threadConfig(p)
	if err != nil {
		return nil, err
	}
	o, err := s.open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	now := s.o.Now()
	th := s.load(o, threadMeta{Path: o.Path, Cwd: o.Cwd, ModelProvider: o.ModelProvider, Model: o.Model, Effort: o.Effort,
		Source: "appServer", Ephemeral: cfg.Ephemeral, CreatedAt: now.Unix(), UpdatedAt: now.Unix()}, 0)
	return then{th.response(nil), func() { th.notify("thread/started", map[string]any{"thread": th.object(nil)}) }}, nil
}

func (s *server) threadResume(ctx context.Context, params json.RawMessage) (any, error) {
	var p threadParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	path := deref(p.Path)
	if p.ThreadID == "" && path == "" {
		return nil, invalidParams("threadId is required")
	}
	if path != "" && !filepath.IsAbs(path) {
		return nil, invalidParams("path must be an absolute path")
	}
	if th := s.threads.get(p.ThreadID); th != nil {
		return s.rejoin(th), nil
	}
	if path == "" {
		var err error
		if path, err = findRollout(s.o.CodexHome, p.ThreadID, false); err != nil {
			return nil, err
		}
	}
	rec, err := readRollout(path, false)
	if err != nil {
		return nil, invalidRequest("%v", err)
	}
	if th := s.threads.get(rec.meta.ID); th != nil {
		return s.rejoin(th), nil
	}
	cfg, err := s.threadConfig(p)
	if err != nil {
		return nil, err
	}
	if cfg.Cwd == "" {
		cfg.Cwd = rec.meta.Cwd
		if st, err := os.Stat(cfg.Cwd); err != nil || !st.IsDir() {
			cfg.Cwd = ""
		}
	}
	cfg.Resume = path
	o, err := s.open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	meta := rec.meta
	meta.Name = s.threadName(meta.ID)
	meta.Model, meta.Effort = o.Model, o.Effort
	th := s.load(o, meta, len(rec.turns))
	var turns []any
	if !p.ExcludeTurns {
		turns = recordedObjects(rec, true)
	}
	return th.response(turns), nil
}

// rejoin subscribes the client again to a loaded thread.
func (s *server) rejoin(th *thread) map[string]any {
	th.mu.Lock()
	th.subscribed = true
	th.mu.Unlock()
	rec, _ := s.recordedTurns(th)
	return th.response(rec)
}

func recordedObjects(rec *recorded, items bool) []any {
	out := make([]any, 0, len(rec.turns))
	for _, t := range rec.turns {
		out = append(out, t.object(items))
	}
	return out
}

// recordedTurns reads a loaded thread's turns back from its rollout.
func (s *server) recordedTurns(th *thread) ([]any, error) {
	if th.opened.Path == "" {
		return nil, nil
	}
	rec, err := readRollout(th.opened.Path, false)
	if err != nil {
		return nil, err
	}
	return recordedObjects(rec, true), nil
}

func (s *server) threadFork(ctx context.Context, params json.RawMessage) (any, error) {
	var p threadParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.ThreadID == "" {
		return nil, invalidParams("threadId is required")
	}
	path := ""
	if th := s.threads.get(p.ThreadID); th != nil {
		path = th.opened.Path
	}
	if path == "" {
		var err error
		if path, err = findRollout(s.o.CodexHome, p.ThreadID, false); err != nil {
			return nil, err
		}
	}
	src, err := readRollout(path, false)
	if err != nil {
		return nil, invalidRequest("%v", err)
	}
	cfg, err := s.threadConfig(p)
	if err != nil {
		return nil, err
	}
	if cfg.Cwd == "" {
		cfg.Cwd = src.meta.Cwd
	}
	cfg.Fork = path
	o, err := s.open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	now := s.o.Now()
	meta := threadMeta{Path: o.Path, Cwd: o.Cwd, ModelProvider: o.ModelProvider, Model: o.Model, Effort: o.Effort,
		Source: "appServer", Ephemeral: cfg.Ephemeral, CreatedAt: now.Unix(), UpdatedAt: now.Unix(),
		ForkedFrom: p.ThreadID, Preview: src.meta.Preview}
	th := s.load(o, meta, len(src.turns))
	var turns []any
	if !p.ExcludeTurns {
		turns = recordedObjects(src, true)
	}
	return then{th.response(turns), func() { th.notify("thread/started", map[string]any{"thread": th.object(nil)}) }}, nil
}

type userInput struct {
	Type   string `json:"type"`
	Text   string `json:"text"`
	URL    string `json:"url"`
	FileID string `json:"fileId"`
	Path   string `json:"path"`
	Name   string `json:"name"`
}

// inputItems converts the protocol's UserInput to the agent's input.
func inputItems(raw []json.RawMessage) ([]protocol.InputItem, error) {
	var items []protocol.InputItem
	for i, r := range raw {
		var in userInput
		if err := json.Unmarshal(r, &in); err != nil {
			return nil, invalidParams("input[%d]: %v", i, err)
		}
		switch in.Type {
		case "text":
			items = append(items, protocol.InputItem{Type: "text", Text: in.Text})
		case "image":
			if in.URL == "" {
				return nil, invalidParams("input[%d]: image needs a url (fileId is not supported)", i)
			}
			items = append(items, protocol.InputItem{Type: "image", ImageURL: in.URL})
		case "localImage":
			if !filepath.IsAbs(in.Path) {
				return nil, invalidParams("input[%d]: localImage path must be absolute", i)
			}
			items = append(items, protocol.InputItem{Type: "local_image", Path: in.Path})
		case "mention", "skill":
			items = append(items, protocol.InputItem{Type: "text", Text: "@" + in.Name + " (" + in.Path + ")"})
		default:
			return nil, invalidParams("input[%d]: unsupported input type %q", i, in.Type)
		}
	}
	if len(items) == 0 {
		return nil, invalidParams("input must hold at least one item")
	}
	return items, nil
}

func (s *server) loaded(id string) (*thread, error) {
	if id == "" {
		return nil, invalidParams("threadId is required")
	}
	th := s.threads.get(id)
	if th == nil {
		return nil, invalidRequest("thread not loaded: %s", id)
	}
	return th, nil
}

// beginTurn registers a turn with input (its user message) by submitting
// op; review, when not empty,, makes it a review turn with that hint.
func (th *thread) beginTurn(input []json.RawMessage, op func() protocol.Op, compact bool, review string) (*turnState, error) {
	th.mu.Lock()
	th.turnSeq++
	t := newTurn(turnID(th.turnSeq), input)
	t.compact = compact
	t.review = review
	th.turns[t.id] = t
	if th.meta.Preview == "" && len(input) > 0 {
		var in userInput
		if json.Unmarshal(input[0], &in) == nil {
			th.meta.Preview = firstLine(in.Text)
		}
	}
	th.mu.Unlock()
	if err := th.submit(t.id, op()); err != nil {
		th.mu.Lock()
		delete(th.turns, t.id)
		th.mu.Unlock()
		return nil, err
	}
	return t, nil
}

func (s *server) turnStart(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID       string            `json:"threadId"`
		Input          []json.RawMessage `json:"input"`
		Cwd            *string           `json:"cwd"`
		ApprovalPolicy json.RawMessage   `json:"approvalPolicy"`
		SandboxPolicy  json.RawMessage   `json:"sandboxPolicy"`
		Model          *string           `json:"model"`
		Effort         *string           `json:"effort"`
		Summary        *string           `json:"summary"`
		OutputSchema   json.RawMessage   `json:"outputSchema"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	th, err := s.loaded(p.ThreadID)
	if err != nil {
		return nil, err
	}
	items, err := inputItems(p.Input)
	if err != nil {
		return nil, err
	}
	ap, err := s.approvalParam(p.ApprovalPolicy)
	if err != nil {
		return nil, err
	}
	sp, err := sandboxIn(p.SandboxPolicy)
	if err != nil {
		return nil, err
	}
	if p.Cwd != nil && *p.Cwd != "" && !filepath.IsAbs(*p.Cwd) {
		return nil, invalidParams("cwd must be an absolute path")
	}
	if len(p.OutputSchema) > 0 && string(p.OutputSchema) != "null" {
		var obj map[string]any
		if json.Unmarshal(p.OutputSchema, &obj) != nil {
			return nil, invalidParams("outputSchema must be a JSON Schema object")
		}
	}
	op := protocol.UserTurnOp{Items: items, Cwd: deref(p.Cwd), ApprovalPolicy: protocol.AskForApproval(ap), SandboxPolicy: sp,
		Model: deref(p.Model), Effort: deref(p.Effort), Summary: deref(p.Summary)}
	if len(p.OutputSchema) > 0 && string(p.OutputSchema) != "null" {
		op.OutputSchema = p.OutputSchema
	}
	th.applySettings(&op)
	t, err := th.beginTurn(p.Input, func() protocol.Op { return op }, false, "")
	if err != nil {
		return nil, err
	}
	return then{map[string]any{"turn": map[string]any{"id": t.id, "items": []any{}, "status": "inProgress", "error": nil}}, t.release}, nil
}

// applySettings keeps the thread's reported settings in step with a
// turn's overrides (they apply to the following turns too).
func (th *thread) applySettings(op *protocol.UserTurnOp) {
	th.mu.Lock()
	defer th.mu.Unlock()
	o := th.opened
	if op.Cwd != "" {
		o.Cwd, th.meta.Cwd = op.Cwd, op.Cwd
	}
	if op.ApprovalPolicy != "" {
		o.ApprovalPolicy = op.ApprovalPolicy
	}
	if op.SandboxPolicy != nil {
		o.Sandbox = *op.SandboxPolicy
	}
	if op.Model != "" {
		o.Model, th.meta.Model = op.Model, op.Model
	}
	if op.Effort != "" {
		o.Effort, th.meta.Effort = op.Effort, op.Effort
	}
}

func (s *server) turnInterrupt(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID string `json:"threadId"`
		TurnID   string `json:"turnId"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	th, err := s.loaded(p.ThreadID)
	if err != nil {
		return nil, err
	}
	th.mu.Lock()
	_, ok := th.turns[p.TurnID]
	th.mu.Unlock()
	if !ok {
		return nil, invalidRequest("turn %s is not running", p.TurnID)
	}
	if err := th.submit("interrupt", protocol.InterruptOp{}); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func (s *server) turnSteer(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID       string            `json:"threadId"`
		ExpectedTurnID string            `json:"expectedTurnId"`
		Input          []json.RawMessage `json:"input"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	th, err := s.loaded(p.ThreadID)
	if err != nil {
		return nil, err
	}
	items, err := inputItems(p.Input)
	if err != nil {
		return nil, err
	}
	th.mu.Lock()
	cur := th.cur
	th.mu.Unlock()
	if cur == nil || cur.id != p.ExpectedTurnID {
		return nil, invalidRequest("turn %s is not the running turn", p.ExpectedTurnID)
	}
	if err := th.submit(cur.id, protocol.SteerOp{Items: items}); err != nil {
		return nil, err
	}
	// The steered input is a user message of the running turn.
	return then{map[string]any{"turnId": cur.id}, func() { th.steered(cur, p.Input) }}, nil
}

func (s *server) threadCompact(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		ThreadID string `json:"threadId"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	th, err := s.loaded(p.ThreadID)
	if err != nil {
		return nil, err
	}
	t, err := th.beginTurn(nil, func() protocol.Op { return protocol.CompactOp{} }, true, "")
	if err != nil {
		return nil, err
	}
	return then{map[string]any{}, t.release}, nil
}
