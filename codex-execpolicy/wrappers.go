package execpolicy

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/codexgo/common/protocol"
)

// wrapSpec describes a program that runs another program: the options it
// takes before the inner command, and its own decision.
type wrapSpec struct {
	valShort   string          // short options that take a value
	valLong    map[string]bool // long options that take a value (without =)
	positional int             // operands before the command (timeout DURATION)
	assigns    bool            // NAME=VALUE operands before the command (env)
	self       protocol.Decision
	reason     string
	alone      protocol.Decision // decision when no inner command is given
}

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// wrapperFor returns the wrapper description of a program, if it is one.
func wrapperFor(name string) (*wrapSpec, bool) {
	switch name {
	case "env":
		return &wrapSpec{valShort: "uCS", valLong: set("--unset", "--chdir", "--split-string"), assigns: true, self: protocol.DecisionAllow, reason: "env runs the command with a changed environment", alone: protocol.DecisionAllow}, true
	case "sudo":
		return &wrapSpec{valShort: "ugpDChrtTUR", valLong: set("--user", "--group", "--prompt", "--chdir", "--close-from", "--host", "--role", "--type", "--command-timeout", "--other-user", "--chroot"), self: protocol.DecisionPrompt, reason: "sudo runs the command as another user", alone: protocol.DecisionPrompt}, true
	case "doas":
		return &wrapSpec{valShort: "uC", self: protocol.DecisionPrompt, reason: "doas runs the command as another user", alone: protocol.DecisionPrompt}, true
	case "xargs":
		return &wrapSpec{valShort: "nLPsdEaI", valLong: set("--max-args", "--max-lines", "--max-procs", "--max-chars", "--delimiter", "--eof", "--arg-file", "--replace", "--process-slot-var"), self: protocol.DecisionAllow, reason: "xargs runs the command on its input", alone: protocol.DecisionAllow}, true
	case "timeout":
		return &wrapSpec{valShort: "ks", valLong: set("--kill-after", "--signal"), positional: 1, self: protocol.DecisionAllow, reason: "timeout runs the command with a time limit", alone: protocol.DecisionPrompt}, true
	case "nice":
		return &wrapSpec{valShort: "n", valLong: set("--adjustment"), self: protocol.DecisionAllow, reason: "nice runs the command at another priority", alone: protocol.DecisionAllow}, true
	case "nohup":
		return &wrapSpec{self: protocol.DecisionAllow, reason: "nohup runs the command immune to hangups", alone: protocol.DecisionPrompt}, true
	case "time":
		return &wrapSpec{valShort: "fo", valLong: set("--format", "--output"), self: protocol.DecisionAllow, reason: "time measures the command", alone: protocol.DecisionAllow}, true
	case "stdbuf":
		return &wrapSpec{valShort: "ioe", valLong: set("--input", "--output", "--error"), self: protocol.DecisionAllow, reason: "stdbuf changes the command's buffering", alone: protocol.DecisionPrompt}, true
	case "setsid":
		return &wrapSpec{self: protocol.DecisionAllow, reason: "setsid runs the command in a new session", alone: protocol.DecisionPrompt}, true
	case "ionice":
		return &wrapSpec{valShort: "cnp", valLong: set("--class", "--classdata", "--pid", "--pgid", "--uid"), self: protocol.DecisionAllow, reason: "ionice runs the command at another I/O priority", alone: protocol.DecisionPrompt}, true
	case "taskset":
		return &wrapSpec{positional: 1, self: protocol.DecisionAllow, reason: "taskset pins the command to CPUs", alone: protocol.DecisionPrompt}, true
	case "chroot":
		return &wrapSpec{valLong: set("--userspec", "--groups"), positional: 1, self: protocol.DecisionPrompt, reason: "chroot runs the command under another root", alone: protocol.DecisionPrompt}, true
	case "command":
		return &wrapSpec{self: protocol.DecisionAllow, reason: "command runs the program bypassing functions", alone: protocol.DecisionAllow}, true
	case "builtin":
		return &wrapSpec{self: protocol.DecisionAllow, reason: "builtin runs a shell builtin", alone: protocol.DecisionAllow}, true
	case "exec":
		return &wrapSpec{valShort: "a", self: protocol.DecisionAllow, reason: "exec replaces the shell with the command", alone: protocol.DecisionAllow}, true
	case "busybox":
		return &wrapSpec{self: protocol.DecisionAllow, reason: "busybox runs one of its applets", alone: protocol.DecisionAllow}, true
	case "watch":
		return &wrapSpec{valShort: "nq", valLong: set("--interval", "--equexit"), self: protocol.DecisionAllow, reason: "watch runs the command repeatedly", alone: protocol.DecisionPrompt}, true
	case "flock":
		return &wrapSpec{valShort: "wEc", valLong: set("--timeout", "--conflict-exit-code", "--command"), positional: 1, self: protocol.DecisionPrompt, reason: "flock runs the command holding a lock file", alone: protocol.DecisionPrompt}, true
	}
	return nil, false
}

func isShell(name string) bool {
	switch name {
	case "bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "busybox-sh":
		return true
	}
	return false
}

// wrapperInner returns the index in argv where the wrapped command starts.
func wrapperInner(w *wrapSpec, argv []string) int {
	i := 1
	for ; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			i++
			break
		}
		if w.assigns && isAssignment(a) {
			continue
		}
		if strings.HasPrefix(a, "--") {
			if !strings.Contains(a, "=") && w.valLong[a] {
				i++
			}
			continue
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if allDigits(a[1:]) { // nice -5
			continue
		}
		for j := 1; j < len(a); j++ {
			if strings.IndexByte(w.valShort, a[j]) >= 0 {
				if j == len(a)-1 {
					i++
				}
				break
			}
		}
	}
	return i + w.positional
}

func isAssignment(a string) bool {
	name, _, ok := strings.Cut(a, "=")
	if !ok || name == "" {
		return false
	}
	for i, c := range name {
		letter := c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// optionValue finds the value of a short (-o FILE, -oFILE) or long
// (--output FILE, --output=FILE) option among a wrapper's options.
func optionValue(opts []string, short, long string) (string, bool) {
	for j, a := range opts {
		switch {
		case (a == short || a == long) && j+1 < len(opts):
			return opts[j+1], true
		case strings.HasPrefix(a, long+"="):
			return a[len(long)+1:], true
		case strings.HasPrefix(a, short) && len(a) > len(short) && !strings.HasPrefix(a, "--"):
			return a[len(short):], true
		}
	}
	return "", false
}

// xargsReplace finds xargs's replace string (-I R, -IR, -i[R],
// --replace[=R]; the default for -i and --replace is {}).
func xargsReplace(opts []string) (string, bool) {
	for j, a := range opts {
		switch {
		case a == "-I" && j+1 < len(opts):
			return opts[j+1], true
		case strings.HasPrefix(a, "-I") && len(a) > 2:
			return a[2:], true
		case a == "-i" || a == "--replace":
			return "{}", true
		case strings.HasPrefix(a, "-i"):
			return a[2:], true
		case strings.HasPrefix(a, "--replace="):
			return strings.TrimPrefix(a, "--replace="), true
		}
	}
	return "", false
}

// isWrapperLike reports programs nested() handles: shells, eval, source
// and wrappers.
func isWrapperLike(base string) bool {
	_, w := wrapperFor(base)
	return w || isShell(base) || base == "eval" || base == "source" || base == "."
}

// stripSimpleWrapper removes one wrapper (sudo, env, ...) from a literal
// argv, for pipeline analysis.
func stripSimpleWrapper(argv []string) ([]string, bool) {
	w, ok := wrapperFor(baseName(argv[0]))
	if !ok {
		return nil, false
	}
	i := wrapperInner(w, argv)
	if i >= len(argv) {
		return nil, false
	}
	return argv[i:], true
}

// nested handles wrappers, shells, eval and source. It reports whether it
// judged the command.
func (e *evaluator) nested(pc *protocol.ParsedCommand, base string, words []word, via []string, hard []finding, user []prefixMatch) bool {
	own := func(f finding) {
		if len(user) > 0 {
			f = userFinding(user)
		}
		fillArgs(pc, words)
		e.finish(pc, append(hard, f))
	}
	if len(user) > 0 && e.cover == nil && isWrapperLike(base) {
		uf := userFinding(user)
		e.cover = &uf
		defer func() { e.cover = nil }()
	}
	argv := pc.Argv
	switch {
	case isShell(base):
		e.shell(pc, base, words, via, hard, own)
		return true
	case base == "eval":
		script, ok, download := joinWords(words[1:])
		switch {
		case download:
			own(forbid("eval runs downloaded code", "download-exec"))
		case !ok:
			own(ask("eval of text computed at run time", "eval"))
		default:
			own(finding{protocol.DecisionAllow, "eval of a literal script", "builtin:eval"})
			e.depth++
			e.script(script, append(clone(via), "eval"))
			e.depth--
		}
		return true
	case base == "source" || base == ".":
		_, _, download := joinWords(words[1:])
		if download {
			own(forbid(base+" runs downloaded code", "download-exec"))
		} else {
			own(ask(base+" runs a script file in the current shell", "source"))
		}
		return true
	}
	w, ok := wrapperFor(base)
	if !ok {
		return false
	}
	if base == "command" && len(argv) > 1 && (argv[1] == "-v" || argv[1] == "-V") {
		own(finding{protocol.DecisionAllow, "command -v looks a program up", "builtin:command-lookup"})
		return true
	}
	i := wrapperInner(w, argv)
	if base == "env" {
		for _, a := range argv[1:min(i, len(argv))] {
			if a == "-S" || strings.HasPrefix(a, "--split-string") || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "S")) {
				own(ask("env -S splits a string into a command", "env-split"))
				return true
			}
			if isAssignment(a) {
				if f, bad := riskyAssign(a); bad {
					hard = append(hard, f)
				}
			}
		}
	}
	if i >= len(words) {
		own(finding{w.alone, base + " with no command", "builtin:wrapper"})
		return true
	}
	opts := argv[1:i]
	if base == "time" {
		// time -o FILE / --output=FILE writes the timing report.
		if out, ok := optionValue(opts, "-o", "--output"); ok {
			p := e.resolve(out, false)
			pc.WriteFiles = append(pc.WriteFiles, p)
			if f, ok := e.checkWrite(p); !ok {
				hard = append(hard, f)
			}
		}
	}
	own(finding{w.self, w.reason, "builtin:wrapper"})
	inner := append([]word(nil), words[i:]...)
	if base == "env" {
		// env -C DIR runs the command in DIR.
		if dir, ok := optionValue(opts, "-C", "--chdir"); ok {
			saved := e.cwd
			e.cwd = e.resolve(dir, false)
			if !filepath.IsAbs(e.cwd) {
				e.cwd = ""
			}
			defer func() { e.cwd = saved }()
		}
	}
	switch base {
	case "xargs":
		if repl, ok := xargsReplace(argv[1:i]); ok {
			for j := range inner {
				if strings.Contains(inner[j].s, repl) {
					inner[j].placeholder = true
				}
			}
		} else {
			inner = append(inner, word{s: "{xargs-input}", lit: true, placeholder: true})
		}
	case "watch":
		if script, ok, _ := joinWords(inner); ok {
			e.depth++
			e.script(script, append(clone(via), "watch"))
			e.depth--
			return true
		}
	}
	e.subcall(inner, via, base)
	return true
}

// shell judges `bash -c SCRIPT` by judging SCRIPT, and a shell given a
// script file or stdin as a prompt.
func (e *evaluator) shell(pc *protocol.ParsedCommand, base string, words []word, via []string, hard []finding, own func(finding)) {
	cmode := false
	for i := 1; i < len(words); i++ {
		a := words[i].s
		if a == "-o" || a == "+o" || a == "-O" || a == "+O" || a == "--rcfile" || a == "--init-file" {
			i++
			continue
		}
		if a == "--" || a == "-" {
			if !cmode {
				own(ask(base+" reads commands from stdin", "shell-stdin"))
				return
			}
			continue
		}
		if strings.HasPrefix(a, "--") {
			continue
		}
		if (strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+")) && len(a) > 1 && words[i].lit {
			if a[0] == '-' && strings.ContainsRune(a[1:], 'c') {
				cmode = true
			}
			if a[0] == '-' && strings.ContainsRune(a[1:], 's') {
				own(ask(base+" -s reads commands from stdin", "shell-stdin"))
				return
			}
			continue
		}
		w := words[i]
		if !cmode {
			if w.download {
				own(forbid(base+" runs downloaded code", "download-exec"))
				return
			}
			own(ask(base+" runs script file "+w.s, "shell-script-file"))
			return
		}
		if w.download {
			own(forbid(base+" -c runs downloaded code", "download-exec"))
			return
		}
		if !w.lit {
			own(ask(base+" -c script is computed at run time", "shell-dynamic"))
			return
		}
		label := base + " -c"
		own(finding{protocol.DecisionAllow, "shell wrapper; the script's commands are judged one by one", "builtin:shell"})
		e.script(w.s, append(clone(via), label))
		return
	}
	if cmode {
		own(ask(base+" -c without a script", "shell-stdin"))
		return
	}
	own(ask(base+" starts a shell reading commands from stdin", "shell-stdin"))
}

// joinWords joins literal words with spaces (eval's semantics). ok is
// false when a word is not literal; download when one holds remote
// content.
func joinWords(ws []word) (string, bool, bool) {
	ok, download := true, false
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.s
		ok = ok && w.lit
		download = download || w.download
	}
	return strings.Join(parts, " "), ok, download
}

// findExecs extracts the commands find runs with -exec, -execdir, -ok and
// -okdir; {} becomes a placeholder for the matched path.
//
// When every starting point is a literal, non-critical path, {} is known
// to lie under it and is judged as an ordinary relative path; otherwise it
// is a placeholder whose value cannot be verified.
func findExecs(words []word, safeStarts bool) [][]word {
	var out [][]word
	for i := 1; i < len(words); i++ {
		switch words[i].s {
		case "-exec", "-execdir", "-ok", "-okdir":
		default:
			continue
		}
		var inner []word
		j := i + 1
		for ; j < len(words); j++ {
			s := words[j].s
			if s == ";" || (s == "+" && j > i+1 && words[j-1].s == "{}") {
				break
			}
			w := words[j]
			if strings.Contains(s, "{}") && !safeStarts {
				w.placeholder = true
			}
			inner = append(inner, w)
		}
		out = append(out, inner)
		i = j
	}
	return out
}

func fillArgs(pc *protocol.ParsedCommand, words []word) {
	pc.Args = slices.Grow(pc.Args, len(words)-1)
	for i, w := range words[1:] {
		pc.Args = append(pc.Args, protocol.ParsedArg{Index: i, Type: TypeUnknown.String(), Value: w.s})
	}
}
