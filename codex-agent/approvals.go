package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/codexgo/codex-agent/patch"
	"github.com/codexgo/common/protocol"
)

// approvalPrefixes returns the argv prefixes an "approved for the
// session" answer remembers. They are the simple commands the policy
// found (so `bash -lc 'git status'` and `git status` are the same
// command), or the model's proposed prefix_rule when it gave one and
// that prefix covers every simple command. Matching later commands
// against these prefixes is how the execpolicy matches its rules: an
// exact positional prefix of the argv.
func approvalPrefixes(argv []string, parsed []protocol.ParsedCommand, proposed []string) [][]string {
	var cmds [][]string
	for _, p := range parsed {
		if len(p.Argv) > 0 {
			cmds = append(cmds, plainScript(p.Argv))
		}
	}
	if len(cmds) == 0 {
		cmds = [][]string{plainScript(argv)}
	}
	if len(proposed) > 0 {
		all := true
		for _, c := range cmds {
			all = all && hasPrefix(c, proposed)
		}
		if all {
			return [][]string{append([]string(nil), proposed...)}
		}
	}
	out := make([][]string, len(cmds))
	for i, c := range cmds {
		out[i] = append([]string(nil), c...)
	}
	return out
}

// plainScript unwraps `bash -lc 'git status'` into [git status] when the
// script is plain words, with nothing the shell would interpret; any
// other script stays whole, so it only ever matches itself. (A real
// execpolicy splits scripts itself and hands us simple commands.)
func plainScript(argv []string) []string {
	if len(argv) != 3 || !isShell(argv[0]) || (argv[1] != "-c" && argv[1] != "-lc") {
		return argv
	}
	if strings.ContainsAny(argv[2], "\"'`$;&|<>(){}[]*?~#!=\n\\") {
		return argv
	}
	words := strings.Fields(argv[2])
	if len(words) == 0 {
		return argv
	}
	return words
}

// hasPrefix reports whether prefix is an exact positional prefix of argv.
func hasPrefix(argv, prefix []string) bool {
	if len(prefix) == 0 || len(argv) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if argv[i] != p {
			return false
		}
	}
	return true
}

// sessionApproved reports whether every simple command of a proposed
// command matches a prefix approved earlier in the session.
func (s *Session) sessionApproved(argv []string, parsed []protocol.ParsedCommand) bool {
	cmds := approvalPrefixes(argv, parsed, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.approved[strings.Join(argv, "\x00")] {
		return true
	}
	for _, c := range cmds {
		ok := false
		for _, r := range s.sessionRules {
			if hasPrefix(c, r) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return len(cmds) > 0
}

// rememberApproval records an approved_for_session answer, and appends
// the allow rules to the rules file when the answer asked for it.
func (s *Session) rememberApproval(callID string, argv []string, parsed []protocol.ParsedCommand, proposed []string) error {
	prefixes := approvalPrefixes(argv, parsed, proposed)
	s.mu.Lock()
	s.approved[strings.Join(argv, "\x00")] = true
	s.sessionRules = append(s.sessionRules, prefixes...)
	persist := s.remember[callID]
	delete(s.remember, callID)
	file := s.cfg.RulesFile
	s.mu.Unlock()
	if !persist || file == "" {
		return nil
	}
	for _, p := range prefixes {
		if err := AppendPrefixRule(file, p); err != nil {
			return err
		}
	}
	return nil
}

// askTool asks about an external tool call (ToolEnv.Ask): approved
// without asking when key was approved for the session, remembered when
// the answer is approved_for_session, the turn aborted on abort. A
// remember flag on the answer writes no rule: .rules files judge
// commands, not tools.
func (s *Session) askTool(ctx context.Context, id, key string, req protocol.ExecApprovalRequestMsg) protocol.ReviewDecision {
	s.mu.Lock()
	known := s.approvedTools[key]
	s.mu.Unlock()
	if known {
		return protocol.DecisionApprovedForSession
	}
	d := s.ask(ctx, id, req.CallID, req)
	s.forgetRemember(req.CallID)
	switch d {
	case protocol.DecisionApprovedForSession:
		s.mu.Lock()
		s.approvedTools[key] = true
		s.mu.Unlock()
	case protocol.DecisionAbort:
		s.abortTurn()
	}
	return d
}

// forgetRemember drops a remember flag whose approval was not for the
// session.
func (s *Session) forgetRemember(callID string) {
	s.mu.Lock()
	delete(s.remember, callID)
	s.mu.Unlock()
}

// PrefixRuleLine is the .rules line allowing commands that start with
// pattern: prefix_rule(pattern=["tok", …], decision="allow"), each token
// JSON-quoted (which Starlark reads as the same string).
func PrefixRuleLine(pattern []string) (string, error) {
	if len(pattern) == 0 {
		return "", fmt.Errorf("empty rule pattern")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pattern); err != nil {
		return "", err
	}
	// json.Encoder writes ["a","b"]; Starlark wants the same with ", "
	// separators only for looks, so keep it compact and valid.
	return fmt.Sprintf("prefix_rule(pattern=%s, decision=\"allow\")", strings.TrimSpace(b.String())), nil
}

// AppendPrefixRule appends an allow rule for pattern to a .rules file
// (creating it and its directory), under an advisory lock, skipping a
// line that is already there.
func AppendPrefixRule(path string, pattern []string) error {
	line, err := PrefixRuleLine(pattern)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create rules dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open rules file: %w", err)
	}
	defer func() { _ = f.Close() }()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock rules file: %w", err)
	}
	defer func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }()
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read rules file: %w", err)
	}
	for _, l := range strings.Split(string(old), "\n") {
		if strings.TrimSpace(l) == line {
			return nil
		}
	}
	text := line + "\n"
	if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
		text = "\n" + text
	}
	if _, err := f.WriteString(text); err != nil {
		return fmt.Errorf("append rule: %w", err)
	}
	return f.Close()
}

// patchPaths lists the files a patch writes (renames write both ends).
func patchPaths(changes []patch.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Path)
		if c.MovePath != "" {
			out = append(out, c.MovePath)
		}
	}
	return out
}

// approvePatchPaths remembers an approved_for_session patch: later
// patches that write only these files are not asked about again.
func (s *Session) approvePatchPaths(changes []patch.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.approvedPaths == nil {
		s.approvedPaths = map[string]bool{}
	}
	for _, p := range patchPaths(changes) {
		s.approvedPaths[p] = true
	}
}

// patchPathsApproved reports whether every file a patch writes was
// approved for the session.
func (s *Session) patchPathsApproved(changes []patch.Change) bool {
	paths := patchPaths(changes)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range paths {
		if !s.approvedPaths[p] {
			return false
		}
	}
	return len(paths) > 0
}
