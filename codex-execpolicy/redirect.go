package execpolicy

import (
	"strings"

	"github.com/codexgo/common/protocol"
	"mvdan.cc/sh/v3/syntax"
)

// redirect is one shell redirection after word expansion.
type redirect struct {
	op     string
	target word
	kind   redirKind
}

type redirKind int

const (
	rdWrite redirKind = iota
	rdRead
	rdReadWrite
	rdDup
	rdHeredoc
)

func (e *evaluator) redirects(rs []*syntax.Redirect, via []string) []redirect {
	var out []redirect
	for _, r := range rs {
		op := r.Op.String()
		if r.N != nil {
			op = r.N.Value + op
		}
		rd := redirect{op: op}
		if r.Word != nil {
			rd.target = e.words(r.Word, via)
		}
		switch r.Op {
		case syntax.RdrOut, syntax.AppOut, syntax.ClbOut, syntax.RdrAll, syntax.AppAll:
			rd.kind = rdWrite
		case syntax.RdrIn:
			rd.kind = rdRead
		case syntax.RdrInOut:
			rd.kind = rdReadWrite
		case syntax.DplIn, syntax.DplOut:
			rd.kind = rdDup
			if t := rd.target.s; r.Op == syntax.DplOut && !fdTarget(t) {
				rd.kind = rdWrite
			}
		case syntax.Hdoc, syntax.DashHdoc, syntax.WordHdoc:
			rd.kind = rdHeredoc
			if r.Hdoc != nil {
				e.walkSubst(r.Hdoc, via)
			}
			if r.Op == syntax.WordHdoc {
				rd.target = word{s: "", lit: true}
				e.walkSubst(r.Word, via)
			} else {
				rd.target = word{s: "", lit: true}
			}
		}
		out = append(out, rd)
	}
	return out
}

// fdTarget reports a >& target that names a file descriptor (2, 3-, -)
// rather than a file.
func fdTarget(t string) bool {
	return t == "-" || allDigits(t) || allDigits(strings.TrimSuffix(t, "-"))
}

// redirNote judges redirections attached to a compound command.
func (e *evaluator) redirNote(rs []redirect, via []string) {
	if len(rs) > 0 {
		e.call(nil, nil, rs, via, nil)
	}
}

func (e *evaluator) judgeRedirect(r redirect, pc *protocol.ParsedCommand) []finding {
	if r.kind == rdDup || r.kind == rdHeredoc {
		return nil
	}
	if !r.target.lit {
		return []finding{{protocol.DecisionPrompt, "redirection target " + r.target.s + " is not a literal", "builtin:expansion"}}
	}
	p := e.resolve(r.target.s, r.target.tilde)
	var fs []finding
	if r.kind == rdRead || r.kind == rdReadWrite {
		pc.ReadFiles = append(pc.ReadFiles, p)
		if len(e.rroots) > 0 && !harmlessDevice(p) && !within(p, e.rroots) {
			fs = append(fs, finding{protocol.DecisionPrompt, "reads " + p + " outside the readable roots", "builtin:read-outside-roots"})
		}
	}
	if r.kind == rdWrite || r.kind == rdReadWrite {
		pc.WriteFiles = append(pc.WriteFiles, p)
		if blockDevice(p) {
			return append(fs, finding{protocol.DecisionForbidden, "writes directly to disk device " + p, "builtin:disk-write"})
		}
		if f, ok := e.checkWrite(p); !ok {
			fs = append(fs, f)
		}
	}
	return fs
}
