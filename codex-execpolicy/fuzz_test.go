package execpolicy

import (
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
	"mvdan.cc/sh/v3/syntax"
)

func validDecision(d protocol.Decision) bool {
	return d == protocol.DecisionAllow || d == protocol.DecisionPrompt || d == protocol.DecisionForbidden
}

// FuzzShellScript feeds arbitrary scripts to the shell splitter and
// checks the verdict is well formed and that appending a forbidden
// command to a script that parses never makes it less strict.
func FuzzShellScript(f *testing.F) {
	for _, s := range []string{"ls | wc -l", "cat <<EOF\nx\nEOF", "rm -rf /", "echo $(ls) `pwd` ${X:-$(id)}",
		"for i in *; do echo $i; done", "f() { f | f & }; f", "a=1 b=$(c) d", "bash -c 'sh -c \"ls\"'", "x >&2 2>&1 <in >>out",
		"find . -exec rm {} +", "sudo -u x env -i y=1 timeout 3 nice -n1 xargs -0 rm -rf", "[[ -f x ]] && (cd y; ls)", "cat <(curl x)"} {
		f.Add(s)
	}
	p := loadDefault(f)
	f.Fuzz(func(t *testing.T, s string) {
		v := p.Check(protocol.PolicyRequest{Script: s, Cwd: "/w", WritableRoots: []string{"/w"}})
		if !validDecision(v.Decision) {
			t.Fatalf("invalid decision %q", v.Decision)
		}
		for _, c := range v.Commands {
			if !validDecision(c.Decision) || c.Decision.Rank() > v.Decision.Rank() {
				t.Fatalf("command decision %q vs verdict %q", c.Decision, v.Decision)
			}
		}
		if v.Error == "" && !strings.Contains(s, "\x00") {
			w := p.Check(protocol.PolicyRequest{Script: s + "\nrm -rf /", Cwd: "/w"})
			if w.Decision.Rank() < v.Decision.Rank() {
				t.Fatalf("appending rm -rf / weakened %q: %s -> %s", s, v.Decision, w.Decision)
			}
		}
	})
}

// FuzzArgv checks arbitrary argv (NUL-separated) never panics and wrappers
// never hide a forbidden inner command.
func FuzzArgv(f *testing.F) {
	for _, s := range []string{"ls\x00-la", "git\x00-C\x00x\x00push\x00-f", "sudo\x00rm\x00-rf\x00/", "find\x00/\x00-exec\x00rm\x00-rf\x00{}\x00;", "sed\x00-n\x001p"} {
		f.Add(s)
	}
	p := loadDefault(f)
	f.Fuzz(func(t *testing.T, s string) {
		argv := strings.Split(s, "\x00")
		v := p.CheckArgv(argv, "/w")
		if !validDecision(v.Decision) {
			t.Fatalf("invalid decision %q", v.Decision)
		}
		if argv[0] == "" {
			return
		}
		for _, w := range [][]string{{"sudo"}, {"env"}, {"nice"}, {"timeout", "5"}} {
			wv := p.CheckArgv(append(w, argv...), "/w")
			if v.Decision == protocol.DecisionForbidden && wv.Decision != protocol.DecisionForbidden {
				t.Fatalf("%v hides forbidden %q: %s", w, argv, wv.Decision)
			}
		}
	})
}

// FuzzPolicyLoad loads arbitrary policy text; when the literal fast path
// accepts it, full Starlark evaluation must agree.
func FuzzPolicyLoad(f *testing.F) {
	for _, s := range []string{codexRules, "prefix_rule(pattern=['a', ['b', 'c']], decision='prompt', match=['a b'])",
		"define_program(program='x', options=[flag('-a'), opt('-n', ARG_POS_INT)], args=[ARG_RFILES], should_match=[['-a', 'f']])",
		"for p in ['a']:\n  prefix_rule(pattern=[p])", "prefix_rule(pattern=[\"x\"], decision=\"deny\")", "host_executable(name='git', paths=['/usr/bin/git'])"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		p, err := LoadSources([]Source{{Name: "f.rules", Data: []byte(s)}}, Options{NoDefault: true})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.rules") {
				t.Fatalf("error without position: %v", err)
			}
		}
		if _, ok := scanLiteralCalls([]byte(s)); !ok {
			return
		}
		q, qerr := LoadSources([]Source{{Name: "f.rules", Data: []byte("_x = 0\n" + s)}}, Options{NoDefault: true})
		if (err == nil) != (qerr == nil) {
			t.Fatalf("fast path err %v, starlark err %v for %q", err, qerr, s)
		}
		if err == nil && p.nPrefix != q.nPrefix {
			t.Fatalf("fast path %d rules, starlark %d for %q", p.nPrefix, q.nPrefix, s)
		}
	})
}

// words' shortcut for one-part words gives what the part-by-part path
// gives, for every word of any script.
func FuzzWordsFastPath(f *testing.F) {
	for _, s := range []string{"ls -l ~/x 'a b' \\*.go *.txt", "echo ~ ~user a\\ b $'x\\n' \"q\" {a,b}", "x[1] 'it''s' \\\n y"} {
		f.Add(s)
	}
	p := loadDefault(f)
	f.Fuzz(func(t *testing.T, s string) {
		file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(s), "")
		if err != nil {
			return
		}
		e := &evaluator{p: p, cwd: "/w"}
		syntax.Walk(file, func(n syntax.Node) bool {
			if w, ok := n.(*syntax.Word); ok && len(w.Parts) == 1 {
				if got, want := e.words(w, nil), e.wordParts(w, nil); got != want {
					t.Fatalf("%q: words %+v, part by part %+v", s, got, want)
				}
			}
			return true
		})
	})
}
