package execpolicy

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/codexgo/common/protocol"
)

// finding is one reason for a decision, with the rule or heuristic id.
type finding struct {
	d      protocol.Decision
	reason string
	rule   string
}

// evaluator judges the commands of one request.
type evaluator struct {
	p         *Policy
	cwd       string
	home      string
	wroots    []string
	rroots    []string
	out       []protocol.ParsedCommand
	depth     int
	truncated int // commands judged but not listed
	// worst is the strictest command seen, listed or not.
	worst    protocol.ParsedCommand
	hasWorst bool
	prompts  int // commands that did not come out allow
	// cover is the user rule that matched an enclosing wrapper, if any.
	cover *finding
	// roots remembers the last cleaned root lists, which a stream
	// repeats on every request.
	roots *rootCache
}

// rootCache holds the last writable [0] and readable [1] roots cleaned,
// raw and clean; nil cleans every time.
type rootCache struct {
	raw, cleaned [2][]string
}

// clean returns cleanRoots(rs), reusing the last result for slot when rs
// holds the same strings.
func (c *rootCache) clean(rs []string, slot int) []string {
	if c == nil {
		return cleanRoots(rs)
	}
	if slices.Equal(c.raw[slot], rs) && (rs == nil) == (c.raw[slot] == nil) {
		return c.cleaned[slot]
	}
	c.raw[slot] = append(c.raw[slot][:0:0], rs...)
	c.cleaned[slot] = cleanRoots(rs)
	return c.cleaned[slot]
}

// record judges-in one command: every command counts for the verdict,
// but only the first maxCommands allowed ones (and 4*maxCommands in all)
// are listed, so a huge script yields a bounded answer.
func (e *evaluator) record(pc protocol.ParsedCommand) {
	if e.cover != nil && pc.Decision != protocol.DecisionForbidden {
		// Inside a wrapper a user rule decided (prefix_rule(["sudo",
		// "apt"]), ["bash", "-lc"]): that decision covers what it runs,
		// except built-in and policy forbids.
		pc.Decision = e.cover.d
		pc.Reason = "covered by " + e.cover.rule + " (" + pc.Reason + ")"
		pc.Rule = e.cover.rule
	}
	pc.Kind = kindOf(pc)
	if !e.hasWorst || pc.Decision.Rank() > e.worst.Decision.Rank() {
		e.worst, e.hasWorst = pc, true
	}
	if pc.Decision != protocol.DecisionAllow {
		e.prompts++
	}
	if len(e.out) < maxCommands || pc.Decision != protocol.DecisionAllow && len(e.out) < 4*maxCommands {
		e.out = append(e.out, pc)
		return
	}
	e.truncated++
}

// Check judges one request. It never fails: a bad request yields a prompt
// verdict with Error set. Safe for concurrent use.
func (p *Policy) Check(req protocol.PolicyRequest) protocol.PolicyVerdict {
	return p.check(req, &evaluator{out: make([]protocol.ParsedCommand, 0, 2)})
}

// check is Check with a caller-owned evaluator, reset here, so a stream
// worker reuses one evaluator (and its command list) for every request:
// the verdict's Commands alias e.out and are valid until the next call.
func (p *Policy) check(req protocol.PolicyRequest, e *evaluator) protocol.PolicyVerdict {
	v := protocol.PolicyVerdict{ID: req.ID}
	clear(e.out)
	*e = evaluator{p: p, cwd: req.Cwd, home: p.home, out: e.out[:0],
		wroots: e.roots.clean(req.WritableRoots, 0), rroots: e.roots.clean(req.ReadableRoots, 1), roots: e.roots}
	if req.Script != "" {
		e.script(req.Script, nil)
	} else {
		argv := req.Argv
		if len(req.ArgvB64) > 0 {
			argv = make([]string, len(req.ArgvB64))
			for i, b := range req.ArgvB64 {
				raw, err := base64.StdEncoding.DecodeString(b)
				if err != nil {
					return badRequest(v, fmt.Sprintf("argv_b64[%d]: %v", i, err))
				}
				argv[i] = string(raw)
			}
		}
		if len(argv) == 0 {
			return badRequest(v, "empty argv: nothing to check")
		}
		if argv[0] == "" {
			return badRequest(v, "empty program name")
		}
		e.call(literalWords(argv), nil, nil, nil, nil)
	}
	if e.truncated > 0 {
		e.out = append(e.out, protocol.ParsedCommand{Argv: []string{}, Program: "script", Decision: protocol.DecisionAllow,
			Reason: fmt.Sprintf("%d more commands judged but not listed", e.truncated), Rule: "builtin:truncated",
			Kind: protocol.KindUnverified})
	}
	v.Commands = e.out
	v.Decision = protocol.DecisionAllow
	v.Reason = "no commands to run"
	if e.hasWorst {
		c := e.worst
		v.Decision = c.Decision
		v.Reason = c.Reason
		if c.Program != "" && !strings.Contains(c.Reason, c.Program) && len(c.Argv) > 0 {
			v.Reason = c.Program + ": " + c.Reason
		}
		if c.Decision == protocol.DecisionPrompt && len(c.Argv) > 0 && len(c.Via) == 0 && e.prompts == 1 && promptFromCommand(c) {
			v.SuggestedPrefix = SuggestPrefix(c.Argv)
			if strings.HasPrefix(c.Rule, "default.policy:") {
				// A known program used with options the default policy
				// leaves out (rg --pre, git diff --output): generalising
				// would approve the dangerous option for good.
				v.SuggestedPrefix = clone(c.Argv)
			}
		}
	}
	return v
}

// CheckArgv is Check for a plain argv and cwd.
func (p *Policy) CheckArgv(argv []string, cwd string) protocol.PolicyVerdict {
	return p.Check(protocol.PolicyRequest{Argv: argv, Cwd: cwd})
}

// promptFromCommand reports whether the (only) prompt comes from the
// command itself, not from a shell construct or heuristic, so that
// remembering its prefix would really stop the question.
func promptFromCommand(c protocol.ParsedCommand) bool {
	return len(c.Argv) > 0 && (!strings.HasPrefix(c.Rule, "builtin:") || c.Rule == "builtin:rm" || c.Rule == "builtin:git-push" || c.Rule == "builtin:write")
}

func badRequest(v protocol.PolicyVerdict, msg string) protocol.PolicyVerdict {
	v.Decision = protocol.DecisionPrompt
	v.Reason = msg
	v.Error = msg
	return v
}

func cleanRoots(rs []string) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if r != "" {
			out = append(out, filepath.Clean(r))
		}
	}
	return out
}

// note records a construct-level finding as its own entry.
func (e *evaluator) note(via []string, program string, d protocol.Decision, reason, rule string) {
	e.record(protocol.ParsedCommand{Argv: []string{}, Program: program, Decision: d, Reason: reason, Rule: rule, Via: clone(via)})
}

// verdictOf picks the strictest finding (the first at that rank).
func verdictOf(fs []finding) finding {
	best := finding{d: protocol.DecisionAllow}
	first := true
	for _, f := range fs {
		if first || f.d.Rank() > best.d.Rank() {
			best, first = f, false
		}
	}
	return best
}

func (e *evaluator) finish(pc *protocol.ParsedCommand, fs []finding) {
	f := verdictOf(fs)
	pc.Decision, pc.Reason, pc.Rule = f.d, f.reason, f.rule
	e.record(*pc)
}

// call judges one simple command given as shell words.
func (e *evaluator) call(words, assigns []word, redirs []redirect, via []string, notes []finding) {
	pc := protocol.ParsedCommand{Argv: wordStrings(words), Via: clone(via)}
	var hardBuf [8]finding // hard stays on the stack (no allocation per command)
	hard := append(hardBuf[:0], notes...)
	for _, r := range redirs {
		pc.Redirects = append(pc.Redirects, protocol.ParsedRedirect{Op: r.op, Target: r.target.s})
		hard = append(hard, e.judgeRedirect(r, &pc)...)
	}
	for _, a := range assigns {
		if f, bad := riskyAssign(a.s); bad {
			hard = append(hard, f)
		}
		if a.download {
			hard = append(hard, finding{protocol.DecisionForbidden, "assigns downloaded content", "builtin:download-exec"})
		}
	}
	if len(words) == 0 {
		hard = append(hard, finding{protocol.DecisionAllow, "only assignments or redirections", "builtin:no-command"})
		e.finish(&pc, hard)
		return
	}
	program := words[0].s
	base := baseName(program)
	pc.Program = program
	if !words[0].lit {
		e.finish(&pc, append(hard, finding{protocol.DecisionPrompt, "program name is computed at run time", "builtin:dynamic-program"}))
		return
	}
	argv := pc.Argv
	hard = append(hard, e.forbidLists(base, argv)...)
	user := e.p.matchPrefix(argv, true)
	for _, m := range user {
		pc.MatchedRules = append(pc.MatchedRules, m.matchedRule())
	}
	// Wrappers and nested shells: the wrapper gets its own entry, the
	// inner command(s) are judged as commands of their own.
	if e.nested(&pc, base, words, via, hard, user) {
		return
	}
	if interpreter(base) {
		for _, w := range words[1:] {
			if w.download {
				hard = append(hard, forbid(base+" runs downloaded code", "download-exec"))
				break
			}
		}
	}
	danger := e.danger(base, words)
	var soft []finding
	for _, f := range danger {
		if f.d == protocol.DecisionForbidden {
			hard = append(hard, f)
		} else {
			soft = append(soft, f)
		}
	}
	typed := e.typed(&pc, base, words)
	if typed.d == protocol.DecisionForbidden {
		hard = append(hard, typed)
	}
	if len(user) > 0 {
		hard = append(hard, userFinding(user))
	} else {
		// Heuristic reasons first: they say more than "not allowlisted".
		hard = append(hard, soft...)
		hard = append(hard, typed)
	}
	e.finish(&pc, hard)
	if base == "cd" {
		e.chdir(words)
	}
	if base == "find" {
		safeStarts := true
		for _, w := range findStarts(words) {
			if !w.lit || e.critical(w) {
				safeStarts = false
			}
		}
		for _, inner := range findExecs(words, safeStarts) {
			e.subcall(inner, via, "find -exec")
		}
	}
}

// chdir follows `cd DIR` so later commands of the script resolve
// relative paths (rm -rf * after cd ~) where they will really run. An
// unknown target makes the cwd unknown.
func (e *evaluator) chdir(words []word) {
	ops := nonOptions(words[1:])
	switch {
	case len(ops) == 0:
		e.cwd = e.home
	case len(ops) == 1 && ops[0].lit && ops[0].s != "-":
		e.cwd = e.resolve(ops[0].s, ops[0].tilde)
		if !filepath.IsAbs(e.cwd) {
			e.cwd = ""
		}
	default:
		e.cwd = ""
	}
}

func (e *evaluator) subcall(words []word, via []string, label string) {
	if len(words) == 0 {
		return
	}
	if e.depth >= maxDepth {
		e.note(via, label, protocol.DecisionPrompt, "wrapper nesting too deep to inspect", "builtin:nesting-too-deep")
		return
	}
	e.depth++
	e.call(words, nil, nil, append(clone(via), label), nil)
	e.depth--
}

// userFinding is the strictest of the user prefix rules that matched.
func userFinding(ms []prefixMatch) finding {
	best := ms[0]
	for _, m := range ms[1:] {
		if m.rule.decision.Rank() > best.rule.decision.Rank() {
			best = m
		}
	}
	reason := best.rule.justification
	if reason == "" {
		reason = fmt.Sprintf("%s by rule %s", best.rule.decision, joinQuoted(best.prefix))
	}
	return finding{best.rule.decision, reason, best.rule.source}
}

// forbidLists applies forbid_program_regex and forbid_substrings.
func (e *evaluator) forbidLists(base string, argv []string) []finding {
	var fs []finding
	for _, r := range e.p.forbidRegex {
		if r.re.MatchString(argv[0]) || r.re.MatchString(base) {
			fs = append(fs, finding{protocol.DecisionForbidden, r.reason, r.source})
		}
	}
	for _, s := range e.p.forbidSubs {
		for _, a := range argv[1:] {
			if strings.Contains(a, s.s) {
				fs = append(fs, finding{protocol.DecisionForbidden, fmt.Sprintf("argument contains forbidden substring %q", s.s), s.source})
				break
			}
		}
	}
	return fs
}

// trustedDir reports folders where a program given by absolute path is
// taken to be the system's own copy (and so judged like its base name).
func trustedDir(name string) bool {
	switch name {
	case "/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin", "/opt/homebrew/bin", "/run/current-system/sw/bin":
		return true
	}
	return false
}

func (e *evaluator) trusted(program string, s *programSpec) bool {
	if !strings.Contains(program, "/") {
		return true
	}
	if !filepath.IsAbs(program) {
		return false
	}
	if trustedDir(filepath.Dir(program)) {
		return true
	}
	for _, p := range s.systemPath {
		if p == program {
			return true
		}
	}
	for _, p := range e.p.hostExec[s.program] {
		if p == program {
			return true
		}
	}
	return false
}

// typed matches the command against the define_program specs.
func (e *evaluator) typed(pc *protocol.ParsedCommand, base string, words []word) finding {
	args := pc.Argv[1:]
	specs := e.p.specsFor(base)
	fillUnknown := func() {
		pc.Args = slices.Grow(pc.Args, len(args))
		for i, a := range args {
			pc.Args = append(pc.Args, protocol.ParsedArg{Index: i, Type: TypeUnknown.String(), Value: a})
		}
	}
	if len(specs) == 0 {
		fillUnknown()
		return finding{protocol.DecisionPrompt, askReason(base, args), "default:no-rule"}
	}
	if !e.trusted(words[0].s, specs[0]) {
		fillUnknown()
		return finding{protocol.DecisionPrompt, "program path " + words[0].s + " is not a trusted location", "builtin:untrusted-path"}
	}
	offset := 0
	if base == "git" {
		idx, bad := gitGlobals(args)
		if bad != "" {
			fillUnknown()
			return finding{protocol.DecisionPrompt, "git " + bad + " can make git run other programs", "builtin:git-global-option"}
		}
		offset, args = idx, args[idx:]
		for i := 0; i < idx; i++ {
			if g := pc.Argv[1+i]; (g == "-C" || g == "--git-dir" || g == "--work-tree") && i+1 < idx {
				pc.Options = append(pc.Options, protocol.ParsedOption{Name: g, Value: pc.Argv[2+i], Type: TypeReadableFile.String()})
				pc.ReadFiles = append(pc.ReadFiles, e.resolve(pc.Argv[2+i], false))
				i++
			} else {
				pc.Flags = append(pc.Flags, g)
			}
		}
	}
	var last *matchError
	var lastSpec *programSpec
	for _, s := range specs {
		m, err := matchSpec(s, args)
		if err != nil {
			// Report the most telling failure: an unknown option beats a
			// spec for another subcommand or a missing --version.
			if last == nil || weakMismatch(last) && !weakMismatch(err) {
				last, lastSpec = err, s
			}
			continue
		}
		for i := range m.args {
			m.args[i].Index += offset
		}
		return e.accept(pc, words, m)
	}
	fillUnknown()
	rule := lastSpec.pos
	if weakMismatch(last) && !lastSpec.user {
		// No spec is about this use at all (another subcommand, only a
		// --version spec): not a misuse of a known safe form. The
		// reason says what the command does, not which spec failed.
		return finding{protocol.DecisionPrompt, askReason(base, pc.Argv[1:]), "default:no-rule"}
	}
	if subcommandEffect(base, pc.Argv[1:]) != "" {
		// A subcommand that writes (git commit): it has no read-only
		// form to fall short of.
		return finding{protocol.DecisionPrompt, askReason(base, pc.Argv[1:]), rule}
	}
	return finding{protocol.DecisionPrompt, commandName(base, pc.Argv[1:]) + " is allowed only in its read-only forms (" + last.msg + "), so this use needs approval", rule}
}

func weakMismatch(e *matchError) bool {
	return e.kind == "LiteralValueDidNotMatch" || e.kind == "MissingRequiredOptions" || e.kind == "NotEnoughArgs" || e.kind == "UnexpectedArguments"
}

// accept turns a successful spec match into a decision, checking file
// arguments against the writable and readable roots.
func (e *evaluator) accept(pc *protocol.ParsedCommand, words []word, m *execMatch) finding {
	s := m.spec
	// m is this command's alone: take its lists rather than copy them.
	if pc.Flags == nil {
		pc.Flags = m.flags
	} else {
		pc.Flags = append(pc.Flags, m.flags...)
	}
	if pc.Options == nil {
		pc.Options = m.opts
	} else {
		pc.Options = append(pc.Options, m.opts...)
	}
	pc.Args = m.args
	pc.Executable = s.exe
	if filepath.IsAbs(words[0].s) {
		pc.Executable = words[0].s
	}
	pc.MatchedRules = append(pc.MatchedRules, protocol.MatchedRule{Source: s.pos, Kind: "define_program", Decision: specDecision(s)})
	if s.forbidden != "" {
		return finding{protocol.DecisionForbidden, s.forbidden, s.pos}
	}
	tilde := map[string]bool{}
	for _, w := range words[1:] {
		if w.tilde {
			tilde[w.s] = true
		}
	}
	pc.ReadFiles = slices.Grow(pc.ReadFiles, len(m.reads))
	for _, r := range m.reads {
		pc.ReadFiles = append(pc.ReadFiles, e.resolve(r, tilde[r]))
	}
	for _, w := range m.writes {
		pc.WriteFiles = append(pc.WriteFiles, e.resolve(w, tilde[w]))
	}
	if m.unknown {
		return finding{protocol.DecisionPrompt, "arguments of unverified type may write files", s.pos}
	}
	for _, w := range pc.WriteFiles {
		if f, ok := e.checkWrite(w); !ok {
			return f
		}
	}
	if len(e.rroots) > 0 {
		for _, r := range pc.ReadFiles {
			if !harmlessDevice(r) && !within(r, e.rroots) {
				return finding{protocol.DecisionPrompt, "reads " + r + " outside the readable roots", "builtin:read-outside-roots"}
			}
		}
	}
	if len(pc.WriteFiles) > 0 {
		return finding{protocol.DecisionAllow, s.program + " writes only inside the writable roots; allowed by " + s.pos, s.pos}
	}
	return finding{protocol.DecisionAllow, "read-only use of " + s.program + " allowed by " + s.pos, s.pos}
}

func specDecision(s *programSpec) protocol.Decision {
	if s.forbidden != "" {
		return protocol.DecisionForbidden
	}
	return protocol.DecisionAllow
}

// checkWrite allows a write only inside the writable roots.
func (e *evaluator) checkWrite(path string) (finding, bool) {
	if harmlessDevice(path) {
		return finding{}, true
	}
	if len(e.wroots) == 0 {
		return finding{protocol.DecisionPrompt, "writes " + path, "builtin:write"}, false
	}
	if !filepath.IsAbs(path) {
		return finding{protocol.DecisionPrompt, "writes " + path + " (relative path and no cwd)", "builtin:write"}, false
	}
	if !within(path, e.wroots) {
		return finding{protocol.DecisionPrompt, "writes " + path + " outside the writable roots", "builtin:write-outside-roots"}, false
	}
	return finding{}, true
}

// resolve makes a file argument absolute against cwd (and ~ against home).
func (e *evaluator) resolve(p string, tilde bool) string {
	if tilde && e.home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(e.home, p[1:])
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	if e.cwd == "" {
		return p
	}
	return filepath.Join(e.cwd, p)
}

func within(p string, roots []string) bool {
	if !filepath.IsAbs(p) {
		return false
	}
	p = filepath.Clean(p)
	for _, r := range roots {
		if p == r || strings.HasPrefix(p, r+"/") || r == "/" {
			return true
		}
	}
	return false
}

func harmlessDevice(p string) bool {
	switch p {
	case "/dev/null", "/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/tty", "/dev/zero", "/dev/random", "/dev/urandom":
		return true
	}
	return strings.HasPrefix(p, "/dev/fd/")
}

// baseName is the last path element of a program name.
func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
