package execpolicy

import (
	"strconv"
	"strings"

	"github.com/codexgo/common/protocol"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// hasBrace reports whether an unquoted part of w holds a '{' (a word
// without one needs no brace expansion).
func hasBrace(w *syntax.Word) bool {
	for _, p := range w.Parts {
		if l, ok := p.(*syntax.Lit); ok && strings.ContainsRune(l.Value, '{') {
			return true
		}
	}
	return false
}

func braceExpand(w *syntax.Word) []*syntax.Word {
	if !hasBrace(w) {
		return []*syntax.Word{w}
	}
	cp := &syntax.Word{Parts: append([]syntax.WordPart(nil), w.Parts...)}
	if !syntax.SplitBraces(cp) {
		return []*syntax.Word{w}
	}
	out := expand.Braces(cp)
	if len(out) > 64 {
		return out[:64]
	}
	return out
}

// words renders a shell word after quote removal, judging any command or
// process substitution inside it.
func (e *evaluator) words(w *syntax.Word, via []string) word {
	if len(w.Parts) == 1 {
		// The common word, one literal or one single-quoted string: its
		// text as it is, without a builder's copy.
		switch p := w.Parts[0].(type) {
		case *syntax.Lit:
			s, glob := unescapeUnquoted(p.Value)
			return word{s: s, lit: true, glob: glob, tilde: strings.HasPrefix(p.Value, "~")}
		case *syntax.SglQuoted:
			if !p.Dollar {
				return word{s: p.Value, lit: true}
			}
		}
	}
	return e.wordParts(w, via)
}

// wordParts is words for any word, part by part (FuzzWordsFastPath holds
// words' shortcut to it).
func (e *evaluator) wordParts(w *syntax.Word, via []string) word {
	out := word{lit: true}
	var sb strings.Builder
	for i, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			v := p.Value
			if i == 0 && strings.HasPrefix(v, "~") {
				out.tilde = true
			}
			s, glob := unescapeUnquoted(v)
			out.glob = out.glob || glob
			sb.WriteString(s)
		case *syntax.SglQuoted:
			if p.Dollar {
				s, ok := ansiC(p.Value)
				if !ok {
					out.lit = false
				}
				sb.WriteString(s)
			} else {
				sb.WriteString(p.Value)
			}
		case *syntax.DblQuoted:
			for _, dp := range p.Parts {
				if l, ok := dp.(*syntax.Lit); ok {
					sb.WriteString(unescapeDouble(l.Value))
					continue
				}
				out.lit = false
				sb.WriteString(e.substPart(dp, via, &out))
			}
		case *syntax.ExtGlob:
			out.glob = true
			sb.WriteString(p.Op.String() + p.Pattern.Value + ")")
		default:
			out.lit = false
			sb.WriteString(e.substPart(part, via, &out))
		}
	}
	out.s = sb.String()
	return out
}

// substPart judges the commands inside a substitution and returns the
// part's source text.
func (e *evaluator) substPart(part syntax.Node, via []string, w *word) string {
	e.walkSubstMark(part, via, w)
	var sb strings.Builder
	if err := syntax.NewPrinter().Print(&sb, part); err != nil {
		return "$(…)"
	}
	return sb.String()
}

func (e *evaluator) walkSubst(n syntax.Node, via []string) {
	var w word
	e.walkSubstMark(n, via, &w)
}

func (e *evaluator) walkSubstMark(n syntax.Node, via []string, w *word) {
	syntax.Walk(n, func(n syntax.Node) bool {
		var ss []*syntax.Stmt
		label := "$(…)"
		switch n := n.(type) {
		case *syntax.CmdSubst:
			ss = n.Stmts
		case *syntax.ProcSubst:
			ss, label = n.Stmts, "<(…)"
		default:
			return true
		}
		e.note(via, label, protocol.DecisionPrompt, "command substitution runs commands whose output is used unseen", "builtin:substitution")
		syntax.Walk(&syntax.File{Stmts: ss}, func(m syntax.Node) bool {
			if c, ok := m.(*syntax.CallExpr); ok && len(c.Args) > 0 {
				if argv := stageArgv(&syntax.Stmt{Cmd: c}); isDownloader(argv) {
					w.download = true
				}
			}
			return true
		})
		e.depth++
		if e.depth < maxDepth {
			e.stmts(ss, append(clone(via), label))
		}
		e.depth--
		return false
	})
}

// unescapeUnquoted removes backslash escapes from an unquoted literal and
// reports unescaped glob characters.
func unescapeUnquoted(v string) (string, bool) {
	if !strings.ContainsAny(v, "\\*?[") {
		return v, false
	}
	var sb strings.Builder
	glob := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			i++
			if v[i] != '\n' {
				sb.WriteByte(v[i])
			}
			continue
		}
		if c == '*' || c == '?' || c == '[' {
			glob = true
		}
		sb.WriteByte(c)
	}
	return sb.String(), glob
}

func unescapeDouble(v string) string {
	if !strings.Contains(v, "\\") {
		return v
	}
	var sb strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && strings.IndexByte("$`\"\\\n", v[i+1]) >= 0 {
			i++
			if v[i] != '\n' {
				sb.WriteByte(v[i])
			}
			continue
		}
		sb.WriteByte(v[i])
	}
	return sb.String()
}

// ansiC decodes a $'…' string; ok is false for escapes it does not know.
func ansiC(v string) (string, bool) {
	if !strings.Contains(v, "\\") {
		return v, true
	}
	s, err := strconv.Unquote(`"` + strings.ReplaceAll(strings.ReplaceAll(v, `"`, `\"`), `\'`, `'`) + `"`)
	if err != nil {
		return v, false
	}
	return s, true
}
