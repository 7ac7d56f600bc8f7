// Package seatbelt turns a sandbox plan into a macOS Seatbelt profile for
// /usr/bin/sandbox-exec: deny by default, read everywhere, write only in
// the writable roots minus their protected entries, network only when
// allowed. It is plain Go, generated and tested on every OS.
package seatbelt

import (
	"fmt"
	"strings"

	"github.com/codexgo/common/sandboxpolicy"
)

// SandboxExec is run by absolute path so a hostile PATH cannot replace it.
const SandboxExec = "/usr/bin/sandbox-exec"

// Param is one -DNAME=VALUE definition the profile refers to.
type Param struct {
	Name, Value string
}

// Profile is a generated Seatbelt profile and the parameters it needs.
// Paths are passed as parameters, never spliced into the text, so no path
// can change the profile's meaning.
type Profile struct {
	Text   string
	Params []Param
}

// Args returns sandbox-exec's arguments before "--" and the command.
func (p Profile) Args() []string {
	args := []string{"-p", p.Text}
	for _, d := range p.Params {
		args = append(args, "-D"+d.Name+"="+d.Value)
	}
	return args
}

// base is what every sandboxed process needs to run at all.
const base = `(version 1)
(deny default)

; processes: run programs, fork, signal and inspect only our own
(allow process-exec)
(allow process-fork)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))

; reads are never restricted
(allow file-read*)

; standard character devices and terminals
(allow file-write-data file-ioctl
  (literal "/dev/null") (literal "/dev/zero") (literal "/dev/full")
  (literal "/dev/random") (literal "/dev/urandom") (literal "/dev/tty")
  (literal "/dev/dtracehelper"))
(allow pseudo-tty)
(allow file-read* file-write* file-ioctl (literal "/dev/ptmx") (regex #"^/dev/ttys[0-9]+$"))

; what libc, the dynamic loader and common runtimes ask for
(allow sysctl-read)
(allow user-preference-read)
(allow ipc-posix-sem)
(allow ipc-posix-shm-read-data)
(allow mach-lookup
  (global-name "com.apple.system.opendirectoryd.libinfo")
  (global-name "com.apple.system.notification_center")
  (global-name "com.apple.logd")
  (global-name "com.apple.sysmond")
  (global-name "com.apple.PowerManagement.control"))
`

// Generate builds the profile for plan. Protected names are excluded in
// every writable root whether or not they exist yet: Seatbelt matches
// paths, so a missing .codex is kept from being created too.
func Generate(plan *sandboxpolicy.Plan) Profile {
	if !plan.Restricted() {
		return Profile{Text: "(version 1)\n(allow default)\n"}
	}
	var b strings.Builder
	var params []Param
	b.WriteString(base)
	if len(plan.WritableRoots) > 0 {
		b.WriteString("\n; writable roots, minus their protected entries\n(allow file-write*")
		for i, root := range plan.WritableRoots {
			name := fmt.Sprintf("WRITABLE_ROOT_%d", i)
			params = append(params, Param{name, root})
			excl := excludes(plan, root)
			pins := pinned(plan, root)
			if len(excl) == 0 && len(pins) == 0 {
				fmt.Fprintf(&b, "\n  (subpath (param %q))", name)
				continue
			}
			fmt.Fprintf(&b, "\n  (require-all (subpath (param %q))", name)
			for k, e := range excl {
				ro := fmt.Sprintf("%s_RO_%d", name, k)
				params = append(params, Param{ro, e})
				fmt.Fprintf(&b, "\n    (require-not (subpath (param %q)))", ro)
			}
			// A pinned path itself (not what is inside it) may not be
			// renamed, removed or replaced: a write to its own name.
			for k, e := range pins {
				pin := fmt.Sprintf("%s_PIN_%d", name, k)
				params = append(params, Param{pin, e})
				fmt.Fprintf(&b, "\n    (require-not (literal (param %q)))", pin)
			}
			b.WriteString(")")
		}
		b.WriteString(")\n")
	}
	switch {
	case plan.Network():
		b.WriteString("\n; network allowed\n(allow network-outbound)\n(allow network-inbound)\n(allow system-socket)\n")
	case plan.Policy.AllowUnixSockets:
		b.WriteString("\n; network denied; unix sockets allowed\n(allow system-socket (socket-domain AF_UNIX))\n(allow network-outbound (remote unix-socket))\n(allow network-bind (local unix-socket))\n")
	default:
		b.WriteString("\n; network denied (no rule allows it)\n")
	}
	return Profile{Text: b.String(), Params: params}
}

// excludes lists the protected paths inside root.
func excludes(plan *sandboxpolicy.Plan, root string) []string {
	if root == "/" {
		return nil // everything writable: nothing is protected
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, n := range sandboxpolicy.ProtectedNames() {
		add(strings.TrimSuffix(root, "/") + "/" + n)
	}
	for _, p := range plan.Protected {
		if sandboxpolicy.Within(p, root) {
			add(p)
		}
	}
	return out
}

// pinned lists the pinned paths inside root (see sandboxpolicy.Plan).
func pinned(plan *sandboxpolicy.Plan, root string) []string {
	var out []string
	for _, p := range plan.Pinned {
		if sandboxpolicy.Within(p, root) {
			out = append(out, p)
		}
	}
	return out
}
