package execpolicy

import (
	"strings"

	"github.com/codexgo/common/protocol"
)

// dangerIDs are the built-in heuristics whose prompt or forbid is a real
// warning (the command destroys, publishes or runs unseen code), not a
// lack of knowledge.
var dangerIDs = map[string]bool{
	"crontab-remove": true, "dd": true, "destroy-data": true, "disk-write": true, "download-exec": true,
	"find-delete": true, "find-delete-critical": true, "git-force-push": true, "git-push": true,
	"move-critical": true, "perm-critical": true, "risky-env": true, "rm-critical": true, "rm-force": true,
	"rm-no-preserve-root": true, "rm-unverifiable": true, "fork-bomb": true, "pipe-to-shell": true,
}

// writeIDs are the built-in findings about a command that writes or
// deletes files.
var writeIDs = map[string]bool{"rm": true, "perm": true, "write": true, "write-outside-roots": true}

// neutralIDs are entries that decide nothing by themselves: a wrapper or
// a shell whose inner commands are judged one by one, a lookup, a literal
// eval, a line of assignments or redirections.
var neutralIDs = map[string]bool{"shell": true, "wrapper": true, "command-lookup": true, "eval": true, "no-command": true}

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
		case dangerIDs[id]:
			return protocol.KindDanger
		case writeIDs[id]:
			return protocol.KindWrite
		case neutralIDs[id] && pc.Decision == protocol.DecisionAllow:
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
