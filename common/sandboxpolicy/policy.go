// Package sandboxpolicy decides, in one place and the same way on every
// OS, which paths a sandbox policy makes writable and which stay
// protected: the writable roots (the workspace, writable_roots, /tmp and
// $TMPDIR unless excluded, symlinks resolved), the protected entries
// inside them (.git, .codex, .agents, .aws, and what git reads beyond a
// .git: a .git file's gitdir, a worktree's common dir, the .git of
// submodules, gitlinks and repositories directly inside the workspace,
// and the files and hooks directory a repository's config names) and the
// paths that must not be renamed away.
//
// The Linux helper, the Seatbelt generator, codex sandbox's config
// handling, the agent's patch approval, the execpolicy roots and the
// model's permissions text all ask this package; none decides it again.
package sandboxpolicy

import (
	"path/filepath"
	"strings"

	"github.com/codexgo/common/protocol"
)

// ProtectedNames returns the entries kept read-only inside every writable
// root, as the Codex CLI 0.169 does: repository metadata, agent
// configuration and cloud credentials' config that a sandboxed command
// must not be able to rewrite.
func ProtectedNames() []string { return []string{".git", ".codex", ".agents", ".aws"} }

// IsProtectedName reports whether name (one path component) is one of
// ProtectedNames.
func IsProtectedName(name string) bool {
	return name == ".git" || name == ".codex" || name == ".agents" || name == ".aws"
}

// AskedRoots returns the writable roots policy asks for, absolute and
// lexically clean but not resolved: under workspace-write the policy cwd,
// writable_roots (relative ones against cwd), /tmp unless
// exclude_slash_tmp and $TMPDIR unless exclude_tmpdir_env_var; none
// otherwise. cwd must be absolute.
func AskedRoots(policy protocol.SandboxPolicy, cwd string, getenv func(string) string) []string {
	if policy.Mode != protocol.SandboxWorkspaceWrite {
		return nil
	}
	cwd = filepath.Clean(cwd)
	asked := make([]string, 0, 3+len(policy.WritableRoots))
	asked = append(asked, cwd)
	for _, r := range policy.WritableRoots {
		if r == "" {
			continue
		}
		if !filepath.IsAbs(r) {
			r = filepath.Join(cwd, r)
		}
		asked = append(asked, filepath.Clean(r))
	}
	if !policy.ExcludeSlashTmp {
		asked = append(asked, "/tmp")
	}
	if getenv != nil && !policy.ExcludeTmpdirEnvVar {
		if t := getenv("TMPDIR"); t != "" && filepath.IsAbs(t) {
			asked = append(asked, filepath.Clean(t))
		}
	}
	return asked
}

// Workspace is config.toml's [sandbox_workspace_write] table.
type Workspace struct {
	WritableRoots       []string `toml:"writable_roots,omitempty"`
	NetworkAccess       bool     `toml:"network_access,omitempty"`
	ExcludeTmpdirEnvVar bool     `toml:"exclude_tmpdir_env_var,omitempty"`
	ExcludeSlashTmp     bool     `toml:"exclude_slash_tmp,omitempty"`
}

// FromConfig is the sandbox policy config.toml asks for: sandboxMode
// (its sandbox_mode, read-only when empty) and, under workspace-write,
// ww (its sandbox_workspace_write table). mode, when not empty, overrides
// sandboxMode (a --sandbox flag, --full-auto); extraRoots are added
// (--add-dir). It is the one place config becomes a policy.
func FromConfig(sandboxMode string, ww Workspace, mode string, extraRoots ...string) (protocol.SandboxPolicy, error) {
	if mode == "" {
		mode = sandboxMode
	}
	if mode == "" {
		mode = string(protocol.SandboxReadOnly)
	}
	m, err := protocol.ParseSandboxMode(mode)
	if err != nil {
		return protocol.SandboxPolicy{}, err
	}
	p := protocol.SandboxPolicy{Mode: m}
	if m != protocol.SandboxWorkspaceWrite {
		return p, nil
	}
	p.NetworkAccess = ww.NetworkAccess
	p.ExcludeSlashTmp = ww.ExcludeSlashTmp
	p.ExcludeTmpdirEnvVar = ww.ExcludeTmpdirEnvVar
	// The --add-dir roots first, then config.toml's: 0.169's order (its
	// exec banner lists them so).
	for _, r := range extraRoots {
		if r != "" {
			p.WritableRoots = append(p.WritableRoots, filepath.Clean(r))
		}
	}
	p.WritableRoots = append(p.WritableRoots, ww.WritableRoots...)
	return p, nil
}

// Within reports whether path is dir or below it (both clean, absolute).
func Within(path, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	// No dir+"/": this runs once per pair of roots and must not allocate.
	return strings.HasPrefix(path, dir) && (len(path) == len(dir) || path[len(dir)] == '/')
}

// ReadOnlyNote says in words what stays read-only inside the writable
// roots, for the model's permissions text.
func ReadOnlyNote() string {
	n := ProtectedNames()
	return strings.Join(n[:len(n)-1], ", ") + " and " + n[len(n)-1] + " stay read-only"
}

// WritableRoots are the folders a policy lets commands (and patches
// applied without asking) write in, unresolved: none under read-only,
// everything ("/") under danger-full-access, AskedRoots under
// workspace-write.
func WritableRoots(policy protocol.SandboxPolicy, cwd string, getenv func(string) string) []string {
	switch policy.Mode {
	case protocol.SandboxDangerFullAccess:
		return []string{"/"}
	case protocol.SandboxWorkspaceWrite:
		if !filepath.IsAbs(cwd) {
			return nil
		}
		return AskedRoots(policy, cwd, getenv)
	}
	return nil
}
