package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/codexgo/codex-agent/patch"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
)

// applyPatch applies a patch through our engine, asking for approval when
// it writes outside the writable roots, and returns the model's output.
func (s *Registry) applyPatch(ctx context.Context, id string, cfg Turn, callID, text, cwd string) string {
	start := time.Now()
	p, err := patch.Parse(text)
	if err != nil {
		return err.Error()
	}
	changes, err := patch.Plan(p, cwd)
	if err != nil {
		return "apply_patch verification failed: " + err.Error()
	}
	pc := protoChanges(changes)
	o := s.approver.Patch(ctx, s.turn(id, cfg), callID, patchPaths(changes), writable(cfg, changes), pc)
	if o.Abort {
		s.abortTurn()
	}
	if !o.Run {
		return o.Refusal
	}
	auto := !o.Asked
	s.emit(id, protocol.PatchApplyBeginMsg{CallID: callID, AutoApproved: auto, Changes: pc})
	if err := patch.Commit(changes); err != nil {
		s.emit(id, protocol.PatchApplyEndMsg{CallID: callID, Stderr: err.Error(), Success: false})
		return "Exit code: 1\nWall time: " + secs(start) + " seconds\nOutput:\n" + err.Error() + "\n"
	}
	sum := patch.Summary(changes)
	s.emit(id, protocol.PatchApplyEndMsg{CallID: callID, Stdout: sum, Success: true})
	if d := s.turnDiff(cwd, changes); d != "" {
		s.emit(id, protocol.TurnDiffMsg{UnifiedDiff: d})
	}
	return "Exit code: 0\nWall time: " + secs(start) + " seconds\nOutput:\n" + sum
}

// secs renders a patch's wall time as the Codex CLI does ("0" below a
// second).
func secs(start time.Time) string {
	d := time.Since(start)
	if d < time.Second {
		return "0"
	}
	return fmt.Sprintf("%.1f", d.Seconds())
}

// protoChanges describes changes for events, keyed by absolute path.
func protoChanges(changes []patch.Change) map[string]protocol.FileChange {
	out := map[string]protocol.FileChange{}
	for _, c := range changes {
		fc := protocol.FileChange{Type: string(c.Kind)}
		switch c.Kind {
		case patch.Add:
			fc.Content = c.New
		case patch.Delete:
			fc.Content = c.Old
		case patch.Update:
			fc.UnifiedDiff = UnifiedDiff(c.Old, c.New, c.Path, c.Dest())
			fc.MovePath = c.MovePath
		}
		out[c.Path] = fc
	}
	return out
}

// writable reports whether the sandbox would let a command write every
// path the changes touch (sandboxpolicy decides: writable roots, .git,
// .codex, .agents and .aws read-only, symlinks resolved).
func writable(cfg Turn, changes []patch.Change) bool {
	plan, err := sandboxpolicy.NewPlan(cfg.Sandbox, cfg.Cwd, "", func(k string) string { return cfg.Env[k] })
	if err != nil {
		return false
	}
	for _, c := range changes {
		if !plan.CanWrite(c.Path) || (c.MovePath != "" && !plan.CanWrite(c.MovePath)) {
			return false
		}
	}
	return true
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
