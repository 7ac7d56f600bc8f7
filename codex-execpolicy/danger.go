package execpolicy

import (
	"path/filepath"
	"strings"

	"github.com/codexgo/common/protocol"
)

// The built-in destruction detectors. They run on every command however
// it was reached (absolute path, sudo, env, xargs, find -exec, nested
// shells), parse flags the way the program does, and cannot be weakened by
// user rules: forbidden stays forbidden.

func forbid(reason, id string) finding {
	return finding{protocol.DecisionForbidden, reason, "builtin:" + id}
}

func ask(reason, id string) finding {
	return finding{protocol.DecisionPrompt, reason, "builtin:" + id}
}

// danger returns the heuristic findings for one command.
func (e *evaluator) danger(base string, words []word) []finding {
	switch {
	case base == "rm":
		return e.dangerRm(words)
	case base == "git":
		return dangerGit(words)
	case base == "ls" || base == "cat" || base == "grep" || base == "rg" || base == "head" || base == "sed":
		return nil
	case base == "dd":
		for _, w := range words[1:] {
			if strings.HasPrefix(w.s, "of=") && blockDevice(w.s[3:]) {
				return []finding{forbid("dd overwrites disk device "+w.s[3:], "disk-write")}
			}
		}
		return []finding{ask("dd writes raw data", "dd")}
	case base == "mkfs" || strings.HasPrefix(base, "mkfs.") || base == "mke2fs" || base == "mkswap" || base == "wipefs" || base == "shred" || base == "blkdiscard":
		return []finding{forbid(base+" irreversibly destroys data", "destroy-data")}
	case base == "chmod" || base == "chown" || base == "chgrp":
		return e.dangerPerm(base, words)
	case base == "mv":
		for _, w := range nonOptions(words[1:]) {
			if e.critical(w) {
				return []finding{forbid("mv of system or home directory "+w.s, "move-critical")}
			}
		}
	case base == "find":
		return e.dangerFind(words)
	case base == "crontab":
		for _, w := range words[1:] {
			if w.s == "-r" {
				return []finding{forbid("crontab -r deletes every cron job", "crontab-remove")}
			}
		}
	case base == "truncate":
		for _, w := range nonOptions(words[1:]) {
			if e.critical(w) || blockDevice(w.s) {
				return []finding{forbid("truncate of "+w.s, "destroy-data")}
			}
		}
	}
	return nil
}

// nonOptions are the operands of a GNU-style argv (options anywhere
// until "--").
func nonOptions(ws []word) []word {
	var out []word
	end := false
	for _, w := range ws {
		if !end && w.s == "--" {
			end = true
			continue
		}
		if !end && len(w.s) > 1 && w.s[0] == '-' && w.lit {
			continue
		}
		out = append(out, w)
	}
	return out
}

// dangerRm forbids recursive deletes of /, system folders or home, and
// forced recursive deletes of targets that cannot be known in advance.
func (e *evaluator) dangerRm(words []word) []finding {
	recursive, force, noPreserve := false, false, false
	end := false
	var targets []word
	for _, w := range words[1:] {
		s := w.s
		switch {
		case end || !w.lit || s == "-" || len(s) < 2 || s[0] != '-':
			targets = append(targets, w)
		case s == "--":
			end = true
		case strings.HasPrefix(s, "--"):
			switch {
			case s == "--recursive":
				recursive = true
			case s == "--force":
				force = true
			case s == "--no-preserve-root":
				noPreserve = true
			case strings.HasPrefix("--recursive", s) && len(s) > 4:
				recursive = true // getopt_long accepts unambiguous prefixes
			case strings.HasPrefix("--force", s) && len(s) > 3:
				force = true
			case strings.HasPrefix("--no-preserve-root", s) && len(s) > 4:
				noPreserve = true
			}
		default:
			for _, c := range s[1:] {
				switch c {
				case 'r', 'R':
					recursive = true
				case 'f':
					force = true
				}
			}
		}
	}
	if noPreserve {
		return []finding{forbid("rm --no-preserve-root disables the guard against deleting /", "rm-no-preserve-root")}
	}
	if recursive {
		for _, t := range targets {
			if t.lit && !t.placeholder && e.critical(t) {
				return []finding{forbid("recursive delete of "+t.s, "rm-critical")}
			}
			if force && (!t.lit || t.placeholder || t.glob && strings.HasPrefix(t.s, "/")) {
				return []finding{forbid("forced recursive delete of a target that cannot be verified ("+t.s+")", "rm-unverifiable")}
			}
		}
	}
	if force {
		return []finding{ask("forced delete (rm -f) cannot be undone", "rm-force")}
	}
	return []finding{ask("rm deletes files", "rm")}
}

func (e *evaluator) dangerPerm(base string, words []word) []finding {
	recursive := false
	for _, w := range words[1:] {
		if w.s == "--recursive" || (len(w.s) > 1 && w.s[0] == '-' && w.s[1] != '-' && strings.ContainsRune(w.s, 'R')) {
			recursive = true
		}
	}
	ops := nonOptions(words[1:])
	if len(ops) > 0 {
		ops = ops[1:] // the mode or owner
	}
	for _, t := range ops {
		if t.lit && e.critical(t) {
			return []finding{forbid(base+" of system or home directory "+t.s, "perm-critical")}
		}
		if recursive && !t.lit {
			return []finding{ask(base+" -R of a target that cannot be verified", "perm")}
		}
	}
	return []finding{ask(base+" changes permissions or ownership", "perm")}
}

// dangerFind forbids find -delete from /, system folders or home.
func (e *evaluator) dangerFind(words []word) []finding {
	del := false
	for _, w := range words[1:] {
		if w.s == "-delete" {
			del = true
		}
	}
	if !del {
		return nil
	}
	for _, w := range findStarts(words) {
		if e.critical(w) {
			return []finding{forbid("find -delete under "+w.s, "find-delete-critical")}
		}
	}
	return []finding{ask("find -delete deletes every match", "find-delete")}
}

// findStarts are find's starting points: the operands before the first
// expression token.
func findStarts(words []word) []word {
	var out []word
	for _, w := range words[1:] {
		s := w.s
		if s == "-H" || s == "-L" || s == "-P" || strings.HasPrefix(s, "-O") || s == "-D" {
			continue
		}
		if strings.HasPrefix(s, "-") || s == "(" || s == "!" {
			break
		}
		out = append(out, w)
	}
	return out
}

// systemDir reports top-level folders whose recursive deletion or
// permission change breaks the machine.
func systemDir(name string) bool {
	switch name {
	case "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var", "/opt", "/root", "/home", "/Users", "/System", "/Library", "/Applications", "/private":
		return true
	}
	return false
}

// homeDir reports /home/NAME or /Users/NAME.
func homeDir(c string) bool {
	for _, pre := range []string{"/home/", "/Users/"} {
		if rest, ok := strings.CutPrefix(c, pre); ok && rest != "" && !strings.Contains(rest, "/") {
			return true
		}
	}
	return false
}

// critical reports whether a path names /, a top-level or system folder, or
// a home folder (however spelled: //, /./, ~, $HOME, ../..).
func (e *evaluator) critical(w word) bool {
	s := w.s
	if s == "" {
		return false
	}
	if w.tilde || strings.HasPrefix(s, "~") {
		rest := strings.TrimLeft(strings.TrimPrefix(s, "~"), "/")
		if i := strings.IndexByte(s, '/'); i < 0 || rest == "" || rest == "*" || rest == "." {
			return true
		}
		if e.home == "" {
			return false
		}
		s = filepath.Join(e.home, strings.TrimPrefix(s[strings.IndexByte(s, '/'):], "/"))
	}
	if strings.HasPrefix(s, "$HOME") || strings.HasPrefix(s, "${HOME}") {
		rest := strings.Trim(strings.TrimPrefix(strings.TrimPrefix(s, "$HOME"), "${HOME}"), "/")
		return rest == "" || rest == "*" || rest == "."
	}
	if !filepath.IsAbs(s) {
		if e.cwd == "" {
			return false
		}
		s = filepath.Join(e.cwd, s)
	}
	c := filepath.Clean(s)
	if w.glob {
		c = filepath.Dir(c) // /* and /e* act on the folder they list
		if c == "/" {
			return true
		}
	}
	if c == "/" || systemDir(c) || homeDir(c) || (e.home != "" && c == filepath.Clean(e.home)) {
		return true
	}
	// Folders directly inside system folders (/usr/lib, /etc/ssl...).
	d := filepath.Dir(c)
	return d != "/" && systemDir(d) && d != "/home" && d != "/Users" && d != "/var" && d != "/opt"
}

// blockDevice reports disk devices: /dev/sdX, hdX, vdX, xvdX, nvmeN…,
// mmcblkN, diskN, rdiskN, mdN, dm-N, loopN and /dev/mapper/*.
func blockDevice(p string) bool {
	name, ok := strings.CutPrefix(filepath.Clean(p), "/dev/")
	if !ok {
		return false
	}
	if strings.HasPrefix(name, "mapper/") {
		return true
	}
	for _, pre := range []string{"sd", "hd", "vd", "xvd"} {
		if rest, ok := strings.CutPrefix(name, pre); ok && rest != "" && rest[0] >= 'a' && rest[0] <= 'z' {
			return true
		}
	}
	for _, pre := range []string{"nvme", "mmcblk", "disk", "rdisk", "md", "dm-", "loop"} {
		if rest, ok := strings.CutPrefix(name, pre); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return true
		}
	}
	return false
}

// dangerGit forbids force pushes (however spelled) and finds the
// subcommand past git's global options.
func dangerGit(words []word) []finding {
	sub, rest := gitSubcommand(wordStrings(words[1:]))
	if sub != "push" {
		return nil
	}
	end := false
	for _, a := range rest {
		switch {
		case end:
			if strings.HasPrefix(a, "+") {
				return []finding{forbid("force push (+refspec "+a+") rewrites remote history", "git-force-push")}
			}
		case a == "--":
			end = true
		case a == "--force" || a == "--mirror" || (strings.HasPrefix("--force", a) && len(a) > 4 && !strings.HasPrefix(a, "--force-")):
			return []finding{forbid("git push "+a+" rewrites remote history", "git-force-push")}
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if strings.ContainsRune(a[1:], 'f') {
				return []finding{forbid("git push -f rewrites remote history", "git-force-push")}
			}
		case strings.HasPrefix(a, "+"):
			return []finding{forbid("force push (+refspec "+a+") rewrites remote history", "git-force-push")}
		}
	}
	return []finding{ask("git push publishes commits to a remote", "git-push")}
}

// gitValueOpt reports git's global options that take the next token.
func gitValueOpt(name string) bool {
	switch name {
	case "-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env", "--super-prefix", "--list-cmds", "--attr-source":
		return true
	}
	return false
}

// gitSubcommand skips git's global options and returns the subcommand and
// its arguments.
func gitSubcommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if gitValueOpt(a) {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		return a, args[i+1:]
	}
	return "", nil
}

// riskyAssign flags environment assignments that change what a later
// program loads or runs.
func riskyAssign(a string) (finding, bool) {
	name, _, _ := strings.Cut(a, "=")
	switch {
	case strings.HasPrefix(name, "LD_") || strings.HasPrefix(name, "DYLD_"),
		name == "PATH", name == "BASH_ENV", name == "ENV", name == "PROMPT_COMMAND", name == "IFS",
		name == "PAGER", name == "GIT_PAGER", name == "EDITOR", name == "VISUAL", name == "GIT_EDITOR",
		strings.HasPrefix(name, "GIT_") && (strings.Contains(name, "EXTERNAL") || strings.Contains(name, "SSH") || strings.Contains(name, "CONFIG") || strings.Contains(name, "EXEC") || strings.Contains(name, "DIR")),
		name == "PYTHONSTARTUP", name == "PYTHONPATH", name == "NODE_OPTIONS", name == "PERL5OPT", name == "RUBYOPT", name == "SHELLOPTS", name == "BASHOPTS":
		return ask("environment variable "+name+" changes what programs load or run", "risky-env"), true
	}
	return finding{}, false
}

// gitGlobals skips git's global options that are safe, returning the index
// of the subcommand; bad names a global option that can run programs or
// rewrite configuration (-c, --config-env, --exec-path, -p/--paginate).
func gitGlobals(args []string) (int, string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasVal := strings.Cut(a, "=")
		switch name {
		case "-C", "--git-dir", "--work-tree", "--namespace":
			if !hasVal {
				i++
			}
		case "--no-pager", "-P", "--bare", "--literal-pathspecs", "--glob-pathspecs", "--noglob-pathspecs",
			"--icase-pathspecs", "--no-optional-locks", "--no-replace-objects", "--no-lazy-fetch", "--no-advice":
		case "-c", "--config-env", "--exec-path", "-p", "--paginate", "--super-prefix", "--list-cmds", "--attr-source":
			return i, a
		default:
			if strings.HasPrefix(a, "-c") && len(a) > 2 {
				return i, "-c"
			}
			return i, ""
		}
	}
	return len(args), ""
}
