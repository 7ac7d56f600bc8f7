package execpolicy

import (
	"fmt"
	"strings"

	"github.com/codexgo/common/protocol"
	"mvdan.cc/sh/v3/syntax"
)

// Limits on how deep and how much of a script is inspected; beyond them
// the verdict is prompt, never allow.
const (
	maxDepth    = 8
	maxCommands = 256 // allowed commands listed in a verdict; all are judged
	maxScript   = 1 << 20
)

// word is one argument after shell quote removal. lit is false when the
// word holds an expansion (variable, command substitution, arithmetic)
// whose value cannot be known before running; s is then its source text.
type word struct {
	s     string
	lit   bool
	glob  bool
	tilde bool // unquoted leading ~
	// download is set when a substitution inside the word runs a
	// downloader (curl, wget...), so the value is remote content.
	download bool
	// placeholder marks a value supplied at run time by a wrapper (the
	// file names xargs appends, find -exec's {}).
	placeholder bool
}

func literalWords(argv []string) []word {
	ws := make([]word, len(argv))
	for i, a := range argv {
		// No shell expands an argv, but a glob in it shows intent (rm -rf /*).
		ws[i] = word{s: a, lit: true, glob: strings.ContainsAny(a, "*?[")}
	}
	return ws
}

func wordStrings(ws []word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.s
	}
	return out
}

// script parses src as bash and judges every command in it.
func (e *evaluator) script(src string, via []string) {
	if len(src) > maxScript {
		e.note(via, "script", protocol.DecisionPrompt, "script too large to inspect", "builtin:script-too-large")
		return
	}
	if e.depth >= maxDepth {
		e.note(via, "script", protocol.DecisionPrompt, "shell nesting too deep to inspect", "builtin:nesting-too-deep")
		return
	}
	parser, _ := e.p.parsers.Get().(*syntax.Parser)
	if parser == nil {
		parser = syntax.NewParser(syntax.Variant(syntax.LangBash))
	}
	f, err := parser.Parse(strings.NewReader(src), "")
	e.p.parsers.Put(parser)
	if err != nil {
		e.note(via, "script", protocol.DecisionPrompt, "shell script does not parse: "+err.Error(), "builtin:parse-error")
		return
	}
	e.depth++
	e.stmts(f.Stmts, via)
	e.depth--
}

func (e *evaluator) stmts(ss []*syntax.Stmt, via []string) {
	for _, s := range ss {
		e.stmt(s, via)
	}
}

func (e *evaluator) stmt(s *syntax.Stmt, via []string) {
	if s.Background || s.Coprocess {
		e.note(via, "&", protocol.DecisionPrompt, "runs a command in the background", "builtin:background")
	}
	redirs := e.redirects(s.Redirs, via)
	switch c := s.Cmd.(type) {
	case nil:
		e.call(nil, nil, redirs, via, nil)
	case *syntax.CallExpr:
		e.callExpr(c, redirs, via)
	case *syntax.BinaryCmd:
		e.redirNote(redirs, via)
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			e.pipeline(c, via)
			return
		}
		e.stmt(c.X, via)
		e.stmt(c.Y, via)
	case *syntax.Block:
		e.redirNote(redirs, via)
		e.stmts(c.Stmts, via)
	case *syntax.Subshell:
		e.redirNote(redirs, via)
		e.stmts(c.Stmts, via)
	case *syntax.TimeClause:
		e.redirNote(redirs, via)
		if c.Stmt != nil {
			e.stmt(c.Stmt, via)
		}
	case *syntax.IfClause:
		e.redirNote(redirs, via)
		for ic := c; ic != nil; ic = ic.Else {
			e.stmts(ic.Cond, via)
			e.stmts(ic.Then, via)
		}
	case *syntax.WhileClause:
		e.redirNote(redirs, via)
		e.note(via, "while", protocol.DecisionPrompt, "loop (while/until) is not verified", "builtin:control-flow")
		e.stmts(c.Cond, via)
		e.stmts(c.Do, via)
	case *syntax.ForClause:
		e.redirNote(redirs, via)
		e.note(via, "for", protocol.DecisionPrompt, "loop (for) is not verified", "builtin:control-flow")
		if wi, ok := c.Loop.(*syntax.WordIter); ok {
			for _, w := range wi.Items {
				e.words(w, via)
			}
		}
		e.stmts(c.Do, via)
	case *syntax.CaseClause:
		e.redirNote(redirs, via)
		e.words(c.Word, via)
		for _, it := range c.Items {
			e.stmts(it.Stmts, via)
		}
	case *syntax.FuncDecl:
		e.funcDecl(c, via)
	case *syntax.DeclClause:
		e.redirNote(redirs, via)
		for _, a := range c.Args {
			if a.Value != nil {
				e.words(a.Value, via)
			}
		}
		e.note(via, c.Variant.Value, protocol.DecisionPrompt, c.Variant.Value+" changes the shell environment for later commands", "builtin:declaration")
	case *syntax.TestClause:
		e.redirNote(redirs, via)
		e.walkSubst(c, via)
	default:
		e.redirNote(redirs, via)
		e.walkSubst(s.Cmd, via)
		e.note(via, fmt.Sprintf("%T", s.Cmd), protocol.DecisionPrompt, "shell construct is not verified", "builtin:unknown-construct")
	}
}

// funcDecl flags function definitions; a function that calls itself in a
// pipe or in the background is a fork bomb.
func (e *evaluator) funcDecl(c *syntax.FuncDecl, via []string) {
	name := c.Name.Value
	selfCall, spawns := false, false
	syntax.Walk(c.Body, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			if len(n.Args) > 0 && n.Args[0].Lit() == name {
				selfCall = true
			}
		case *syntax.BinaryCmd:
			if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
				spawns = true
			}
		case *syntax.Stmt:
			if n.Background {
				spawns = true
			}
		}
		return true
	})
	if selfCall && spawns {
		e.note(via, name, protocol.DecisionForbidden, "fork bomb: function "+name+" spawns itself", "builtin:fork-bomb")
	}
	e.note(via, name, protocol.DecisionPrompt, "defines shell function "+name, "builtin:function")
	e.stmt(c.Body, via)
}

// pipeline judges each stage, and forbids remote content piped into an
// interpreter (curl … | sh).
func (e *evaluator) pipeline(c *syntax.BinaryCmd, via []string) {
	var stages []*syntax.Stmt
	var flat func(s *syntax.Stmt)
	flat = func(s *syntax.Stmt) {
		if b, ok := s.Cmd.(*syntax.BinaryCmd); ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) && len(s.Redirs) == 0 {
			flat(b.X)
			flat(b.Y)
			return
		}
		stages = append(stages, s)
	}
	flat(c.X)
	flat(c.Y)
	downloaded := false
	var prev []string
	for i, s := range stages {
		argv := stageArgv(s)
		if i > 0 && downloaded && readsCodeFromStdin(argv) {
			e.note(via, argv[0], protocol.DecisionForbidden, "pipes downloaded content into an interpreter ("+strings.Join(argv, " ")+")", "builtin:pipe-to-shell")
		}
		// echo 'rm -rf /' | sh: the shell runs the echoed text, so judge it.
		if i > 0 && isShellReadingStdin(argv) && len(prev) > 1 && baseName(prev[0]) == "echo" && allNonEmpty(prev[1:]) {
			e.depth++
			e.script(strings.Join(prev[1:], " "), append(clone(via), "echo | "+baseName(argv[0])))
			e.depth--
		}
		prev = argv
		if isDownloader(argv) {
			downloaded = true
		}
		e.stmt(s, via)
	}
}

// stageArgv is the literal argv of a pipeline stage, with wrappers such
// as sudo and env stripped, or nil.
func stageArgv(s *syntax.Stmt) []string {
	c, ok := s.Cmd.(*syntax.CallExpr)
	if !ok {
		return nil
	}
	var argv []string
	for _, w := range c.Args {
		argv = append(argv, w.Lit())
	}
	for len(argv) > 0 {
		inner, ok := stripSimpleWrapper(argv)
		if !ok {
			break
		}
		argv = inner
	}
	return argv
}

func isShellReadingStdin(argv []string) bool {
	return len(argv) > 0 && isShell(baseName(argv[0])) && readsCodeFromStdin(argv)
}

// allNonEmpty reports whether every word was a plain literal (stageArgv
// gives "" for words with quotes or expansions).
func allNonEmpty(xs []string) bool {
	for _, x := range xs {
		if x == "" {
			return false
		}
	}
	return true
}

func downloader(name string) bool {
	switch name {
	case "curl", "wget", "fetch", "aria2c", "nc", "ncat", "http", "https", "xh":
		return true
	}
	return false
}

func isDownloader(argv []string) bool {
	return len(argv) > 0 && downloader(baseName(argv[0]))
}

func interpreter(name string) bool {
	switch name {
	case "sh", "bash", "zsh", "dash", "ksh", "fish", "busybox", "python", "python3", "python2", "perl", "ruby", "node", "php", "lua", "tclsh", "pwsh", "osascript", "source", ".", "eval":
		return true
	}
	return false
}

// readsCodeFromStdin reports whether argv is an interpreter that takes its
// program from stdin: no script operand, or -s / - as the operand.
func readsCodeFromStdin(argv []string) bool {
	if len(argv) == 0 || !interpreter(baseName(argv[0])) {
		return false
	}
	for _, a := range argv[1:] {
		switch {
		case a == "-" || a == "-s" || a == "/dev/stdin":
			return true
		case a == "-c" || a == "-e" || a == "-m" || a == "-r":
			return false
		case strings.HasPrefix(a, "-"):
			continue
		default:
			return false
		}
	}
	return true
}

// callExpr converts a simple command's words (expanding braces and
// judging any substitutions inside them) and judges it.
func (e *evaluator) callExpr(c *syntax.CallExpr, redirs []redirect, via []string) {
	var notes []finding
	var assigns []word
	for _, a := range c.Assigns {
		w := word{lit: true}
		if a.Value != nil {
			w = e.words(a.Value, via)
		}
		if a.Array != nil {
			w.lit = false
		}
		name := ""
		if a.Name != nil {
			name = a.Name.Value
		}
		w.s = name + "=" + w.s
		assigns = append(assigns, w)
	}
	words := make([]word, 0, len(c.Args))
	for _, aw := range c.Args {
		if !hasBrace(aw) {
			words = append(words, e.words(aw, via))
			continue
		}
		for _, bw := range braceExpand(aw) {
			words = append(words, e.words(bw, via))
		}
	}
	for _, w := range words {
		if !w.lit {
			notes = append(notes, finding{protocol.DecisionPrompt, "argument " + w.s + " is not a literal and cannot be verified", "builtin:expansion"})
			break
		}
	}
	if len(c.Args) > 0 && len(words) > 0 && !words[0].lit {
		notes = append(notes, finding{protocol.DecisionPrompt, "program name " + words[0].s + " is computed at run time", "builtin:dynamic-program"})
	}
	e.call(words, assigns, redirs, via, notes)
}

func clone(xs []string) []string { return append([]string(nil), xs...) }
