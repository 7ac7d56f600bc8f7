package execpolicy

import (
	"strings"

	"github.com/codexgo/common/protocol"
)

// dangerID reports whether id is a built-in heuristic whose prompt or
// forbid is a real warning (the command destroys, publishes or runs
// unseen code), not a lack of knowledge. These tables are switches, not
// maps, so the package has no initialiser to run at every start.
func dangerID(id string) bool {
	switch id {
	case "crontab-remove", "dd", "destroy-data", "disk-write", "download-exec", "find-delete", "find-delete-critical", "git-force-push", "git-push", "move-critical", "perm-critical", "risky-env", "rm-critical", "rm-force", "rm-no-preserve-root", "rm-unverifiable", "fork-bomb", "pipe-to-shell":
		return true
	}
	return false
}

// writeID reports whether id is a built-in finding about a command that
// writes or deletes files.
func writeID(id string) bool {
	switch id {
	case "rm", "perm", "write", "write-outside-roots":
		return true
	}
	return false
}

// neutralID reports whether id is an entry that decides nothing by
// itself: a wrapper or a shell whose inner commands are judged one by
// one, a lookup, a literal eval, a line of assignments or redirections.
func neutralID(id string) bool {
	switch id {
	case "shell", "wrapper", "command-lookup", "eval", "no-command":
		return true
	}
	return false
}

// kindOf classifies a judged command (protocol.CommandKind): the one
// place that reads meaning into the policy's rule names, so that callers
// never have to.
func kindOf(pc protocol.ParsedCommand) protocol.CommandKind {
	r := pc.Rule
	var k protocol.CommandKind
	switch {
	case strings.HasPrefix(r, "builtin:"):
		id := strings.TrimPrefix(r, "builtin:")
		switch {
		case dangerID(id):
			return protocol.KindDanger
		case writeID(id):
			return protocol.KindWrite
		case neutralID(id) && pc.Decision == protocol.DecisionAllow:
			k = protocol.KindSafe
		default:
			return protocol.KindUnverified
		}
	case r == "" || r == "default" || strings.HasPrefix(r, "default:") || strings.HasPrefix(r, "default.policy:"):
		switch pc.Decision {
		case protocol.DecisionAllow:
			k = protocol.KindSafe
		case protocol.DecisionForbidden:
			return protocol.KindDanger
		default:
			return protocol.KindUnverified
		}
	default:
		// A rule of the user's or the project's files (or one that
		// covered the wrapper this command runs in). Its allow covers the
		// command, not a redirection added to it.
		if pc.Decision == protocol.DecisionAllow && redirectWrites(pc) {
			return protocol.KindWrite
		}
		return protocol.KindRule
	}
	if redirectWrites(pc) {
		return protocol.KindWrite
	}
	for _, w := range pc.WriteFiles {
		if !harmlessDevice(w) {
			return protocol.KindWrite
		}
	}
	return k
}

// redirectWrites reports a redirection that writes a file (not a
// descriptor duplication, not a harmless device).
func redirectWrites(pc protocol.ParsedCommand) bool {
	for _, r := range pc.Redirects {
		if !strings.Contains(r.Op, ">") || r.Target == "" || fdTarget(r.Target) || harmlessDevice(r.Target) {
			continue
		}
		return true
	}
	return false
}
