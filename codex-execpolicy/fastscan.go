package execpolicy

import (
	"bytes"
	"errors"
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// fastCall is one builtin call read by scanLiteralCalls.
type fastCall struct {
	name      string
	line, col int // of the opening parenthesis, as Starlark reports calls
	args      starlark.Tuple
	kwargs    []starlark.Tuple
}

// scanLiteralCalls reads a file made only of top-level calls whose
// arguments are plain literals: strings without escapes, integers,
// True/False/None and lists of those, positional or keyword, with
// comments. It is about ten times faster than the Starlark parser on
// large generated rules files. Anything outside that subset returns
// ok=false and the caller falls back to the real parser, so it never
// accepts a file Starlark would read differently.
func scanLiteralCalls(src []byte) ([]fastCall, bool) {
	if bytes.IndexByte(src, '\r') >= 0 {
		return nil, false // Starlark's line-ending rules: let it decide
	}
	s := &litScanner{src: src, line: 1, col: 1}
	var calls []fastCall
	for {
		s.skipBlankLines()
		if s.eof() {
			return calls, true
		}
		if s.col != 1 { // indented statement: let Starlark decide
			return nil, false
		}
		name, ok := s.ident()
		if !ok {
			return nil, false
		}
		s.skipSpace(false)
		if s.peek() != '(' {
			return nil, false
		}
		c := fastCall{name: name, line: s.line, col: s.col}
		s.next()
		for {
			s.skipSpace(true)
			if s.peek() == ')' {
				s.next()
				break
			}
			var kw string
			if isIdentStart(s.peek()) {
				save := *s
				id, _ := s.ident()
				s.skipSpace(true)
				if s.peek() == '=' && id != "True" && id != "False" && id != "None" {
					s.next()
					s.skipSpace(true)
					kw = id
				} else {
					*s = save
				}
			}
			v, ok := s.value(0)
			if !ok {
				return nil, false
			}
			if kw != "" {
				c.kwargs = append(c.kwargs, starlark.Tuple{starlark.String(kw), v})
			} else {
				if len(c.kwargs) > 0 {
					return nil, false
				}
				c.args = append(c.args, v)
			}
			s.skipSpace(true)
			switch s.peek() {
			case ',':
				s.next()
			case ')':
			default:
				return nil, false
			}
		}
		// Only blanks or a comment may follow on the line.
		s.skipSpace(false)
		if !s.eof() && s.peek() != '\n' {
			return nil, false
		}
		calls = append(calls, c)
	}
}

type litScanner struct {
	src       []byte
	i         int
	line, col int
}

func (s *litScanner) eof() bool { return s.i >= len(s.src) }

func (s *litScanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

func (s *litScanner) next() {
	if s.src[s.i] == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	s.i++
}

// skipSpace skips blanks and comments; newlines too when inside brackets.
func (s *litScanner) skipSpace(newlines bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n'):
			s.next()
		case c == '#':
			for !s.eof() && s.peek() != '\n' {
				s.next()
			}
		default:
			return
		}
	}
}

func (s *litScanner) skipBlankLines() {
	for {
		start := *s
		s.skipSpace(false)
		if s.eof() {
			return
		}
		if s.peek() != '\n' {
			*s = start
			// Re-skip leading blanks so col shows indentation.
			for !s.eof() && (s.peek() == ' ' || s.peek() == '\t') {
				s.next()
			}
			return
		}
		s.next()
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (s *litScanner) ident() (string, bool) {
	start := s.i
	if !isIdentStart(s.peek()) {
		return "", false
	}
	for !s.eof() && (isIdentStart(s.peek()) || s.peek() >= '0' && s.peek() <= '9') {
		s.next()
	}
	return string(s.src[start:s.i]), true
}

func (s *litScanner) value(depth int) (starlark.Value, bool) {
	if depth > 8 {
		return nil, false
	}
	switch c := s.peek(); {
	case c == '"' || c == '\'':
		s.next()
		start := s.i
		for !s.eof() && s.peek() != c {
			if b := s.peek(); b == '\\' || b == '\n' {
				return nil, false
			}
			s.next()
		}
		if s.eof() {
			return nil, false
		}
		str := string(s.src[start:s.i])
		s.next()
		if s.peek() == c || s.peek() == '"' || s.peek() == '\'' { // adjacent or triple quotes
			return nil, false
		}
		return starlark.String(str), true
	case c == '[':
		s.next()
		var elems []starlark.Value
		for {
			s.skipSpace(true)
			if s.peek() == ']' {
				s.next()
				return starlark.NewList(elems), true
			}
			v, ok := s.value(depth + 1)
			if !ok {
				return nil, false
			}
			elems = append(elems, v)
			s.skipSpace(true)
			switch s.peek() {
			case ',':
				s.next()
			case ']':
			default:
				return nil, false
			}
		}
	case isDigit(c) && (c != '0' || s.i+1 >= len(s.src) || !isDigit(s.src[s.i+1])):
		n := int64(0)
		for !s.eof() && s.peek() >= '0' && s.peek() <= '9' {
			n = n*10 + int64(s.peek()-'0')
			if n > 1<<40 {
				return nil, false
			}
			s.next()
		}
		if isIdentStart(s.peek()) || s.peek() == '.' {
			return nil, false
		}
		return starlark.MakeInt64(n), true
	case isIdentStart(c):
		id, _ := s.ident()
		switch id {
		case "True":
			return starlark.True, true
		case "False":
			return starlark.False, true
		case "None":
			return starlark.None, true
		}
	}
	return nil, false
}

// fastPath evaluates files made only of rule calls with literal
// arguments (the usual hand-written or generated .rules file) straight from
// the syntax tree, skipping compilation; any other construct makes it
// report ok=false so the file goes through full Starlark evaluation.
func (b *builder) fastPath(name string, src []byte) (bool, error) {
	if calls, ok := scanLiteralCalls(src); ok {
		thread := &starlark.Thread{Name: name}
		defer func() { b.fastPos = "" }()
		fns := map[string]*starlark.Builtin{}
		for _, c := range calls {
			if fns[c.name] == nil {
				fn, ok := b.predeclaredFast(c.name)
				if !ok {
					return false, nil
				}
				fns[c.name] = fn
			}
		}
		for _, c := range calls {
			fn := fns[c.name]
			b.fastPos = fmt.Sprintf("%s:%d", name, c.line)
			if _, err := starlark.Call(thread, fn, c.args, c.kwargs); err != nil {
				msg := err.Error()
				var ee *starlark.EvalError
				if errors.As(err, &ee) {
					msg = ee.Msg
				}
				return true, &LoadError{Pos: fmt.Sprintf("%s:%d:%d", name, c.line, c.col), Msg: msg}
			}
		}
		return true, nil
	}
	f, err := dialect().Parse(name, src, 0)
	if err != nil {
		return false, nil // full evaluation reports the error
	}
	type plan struct {
		fn     *starlark.Builtin
		args   starlark.Tuple
		kwargs []starlark.Tuple
		pos    syntax.Position
	}
	fns := map[string]*starlark.Builtin{}
	for _, n := range []string{"prefix_rule", "host_executable", "network_rule", "forbid_substrings", "forbid_program_regex"} {
		if v, ok := b.predeclaredFast(n); ok {
			fns[n] = v
		}
	}
	plans := make([]plan, 0, len(f.Stmts))
	for _, st := range f.Stmts {
		es, ok := st.(*syntax.ExprStmt)
		if !ok {
			return false, nil
		}
		call, ok := es.X.(*syntax.CallExpr)
		if !ok {
			return false, nil
		}
		id, ok := call.Fn.(*syntax.Ident)
		if !ok || fns[id.Name] == nil {
			return false, nil
		}
		pl := plan{fn: fns[id.Name], pos: call.Lparen}
		for _, a := range call.Args {
			if kw, ok := a.(*syntax.BinaryExpr); ok && kw.Op == syntax.EQ {
				k, ok := kw.X.(*syntax.Ident)
				if !ok {
					return false, nil
				}
				v, ok := literalValue(kw.Y)
				if !ok {
					return false, nil
				}
				pl.kwargs = append(pl.kwargs, starlark.Tuple{starlark.String(k.Name), v})
				continue
			}
			if len(pl.kwargs) > 0 {
				return false, nil
			}
			v, ok := literalValue(a)
			if !ok {
				return false, nil
			}
			pl.args = append(pl.args, v)
		}
		plans = append(plans, pl)
	}
	thread := &starlark.Thread{Name: name}
	defer func() { b.fastPos = "" }()
	for _, pl := range plans {
		b.fastPos = fmt.Sprintf("%s:%d", name, pl.pos.Line)
		if _, err := starlark.Call(thread, pl.fn, pl.args, pl.kwargs); err != nil {
			msg := err.Error()
			var ee *starlark.EvalError
			if errors.As(err, &ee) {
				msg = ee.Msg
			}
			return true, &LoadError{Pos: pl.pos.String(), Msg: msg}
		}
	}
	return true, nil
}

func (b *builder) predeclaredFast(name string) (*starlark.Builtin, bool) {
	switch name {
	case "prefix_rule":
		return starlark.NewBuiltin(name, b.prefixRule), true
	case "host_executable":
		return starlark.NewBuiltin(name, b.hostExecutable), true
	case "network_rule":
		return starlark.NewBuiltin(name, b.networkRule), true
	case "forbid_substrings":
		return starlark.NewBuiltin(name, b.forbidSubstrings), true
	case "forbid_program_regex":
		return starlark.NewBuiltin(name, b.forbidProgramRegex), true
	}
	return nil, false
}

// literalValue converts a literal expression (string, int, list of
// literals, True/False/None) to its value.
func literalValue(e syntax.Expr) (starlark.Value, bool) {
	switch e := e.(type) {
	case *syntax.Literal:
		switch v := e.Value.(type) {
		case string:
			if e.Token == syntax.STRING {
				return starlark.String(v), true
			}
		case int64:
			return starlark.MakeInt64(v), true
		}
	case *syntax.ListExpr:
		elems := make([]starlark.Value, 0, len(e.List))
		for _, x := range e.List {
			v, ok := literalValue(x)
			if !ok {
				return nil, false
			}
			elems = append(elems, v)
		}
		return starlark.NewList(elems), true
	case *syntax.Ident:
		switch e.Name {
		case "True":
			return starlark.True, true
		case "False":
			return starlark.False, true
		case "None":
			return starlark.None, true
		}
	}
	return nil, false
}
