package linuxsandbox

import (
	"fmt"

	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// fsAccessNames name the Landlock filesystem rights by bit position.
var fsAccessNames = []string{"execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file",
	"make_char", "make_dir", "make_reg", "make_sock", "make_fifo", "make_block", "make_sym", "refer",
	"truncate", "ioctl_dev", "resolve_unix"}

// fsRightsForABI is every filesystem right the kernel's Landlock ABI
// knows, except resolve_unix (ABI 9), which we leave to seccomp so the
// behaviour is the same on every kernel.
func fsRightsForABI(abi int) uint64 {
	switch {
	case abi <= 0:
		return 0
	case abi == 1:
		return 1<<13 - 1
	case abi == 2:
		return 1<<14 - 1
	case abi <= 4:
		return 1<<15 - 1
	default:
		return 1<<16 - 1
	}
}

const (
	readRights   = ll.AccessFSExecute | ll.AccessFSReadFile | ll.AccessFSReadDir
	deviceRights = ll.AccessFSReadFile | ll.AccessFSWriteFile | ll.AccessFSTruncate | ll.AccessFSIoctlDev
)

// standardDevices are writable under every restricted policy.
var standardDevices = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx", "/dev/pts"}

type rulesetAttr = ll.RulesetAttr

func accessNames(mask uint64) []string {
	var out []string
	for i, n := range fsAccessNames {
		if mask&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// buildLandlock computes the ruleset for plan on a kernel with the given ABI.
func buildLandlock(p *Plan, abi int) *LandlockSet {
	all := fsRightsForABI(abi)
	s := &LandlockSet{ABI: abi}
	s.attr.HandledAccessFS = all
	s.HandledFS = accessNames(all)
	if !p.Network() && abi >= 4 {
		s.attr.HandledAccessNet = ll.AccessNetBindTCP | ll.AccessNetConnectTCP
		s.HandledNet = []string{"bind_tcp", "connect_tcp"}
	}
	if abi >= 6 {
		s.attr.Scoped = ll.ScopeSignal
		s.Scoped = []string{"signal"}
		if !p.Network() {
			s.attr.Scoped |= ll.ScopeAbstractUnixSocket
			s.Scoped = append(s.Scoped, "abstract_unix_socket")
		}
	}
	outer := outermost(p.WritableRoots)
	s.Rules = make([]PathRule, 0, 1+len(standardDevices)+len(outer))
	add := func(path string, access uint64, names []string, dir bool) {
		s.Rules = append(s.Rules, PathRule{Path: path, access: access, Access: names, dir: dir})
	}
	add("/", readRights&all, accessNames(readRights&all), true)
	devices := (deviceRights | readRights) & all
	devNames := accessNames(devices)
	for _, d := range standardDevices {
		add(d, devices, devNames, false)
	}
	// One list of names shared by every root's rule (they are only read).
	allNames := s.HandledFS
	for _, r := range outer {
		add(r, all, allNames, true)
	}
	return s
}

// restrict applies the ruleset to the calling thread. Paths that vanished
// since planning are skipped (a missing root cannot be written anyway).
// fds holds already open directories by path (the writable roots' mount
// clones, which are the same inodes): rules on them need no open.
func (s *LandlockSet) restrict(fds map[string]int) error {
	fd, err := s.ruleset(fds)
	if err != nil {
		return err
	}
	defer func() { _ = unix.Close(fd) }()
	if err := ll.LandlockRestrictSelf(fd, 0); err != nil {
		return fmt.Errorf("landlock restrict self: %w", err)
	}
	return nil
}

// ruleset makes the Landlock ruleset, rules included, and returns its
// descriptor (close-on-exec), for restrict or for a process that
// restricts itself with it (Launch).
func (s *LandlockSet) ruleset(fds map[string]int) (int, error) {
	fd, err := ll.LandlockCreateRuleset(&s.attr, 0)
	if err != nil {
		return -1, fmt.Errorf("landlock create ruleset: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = unix.Close(fd)
		}
	}()
	how := noSymlinksDir()
	for _, r := range s.Rules {
		if cfd, ok := fds[r.Path]; ok && r.dir {
			err := ll.LandlockAddPathBeneathRule(fd, &ll.PathBeneathAttr{AllowedAccess: r.access, ParentFd: cfd}, 0)
			if err != nil {
				return -1, fmt.Errorf("landlock add rule %s: %w", r.Path, err)
			}
			continue
		}
		var pfd int
		if r.dir {
			// Known directories (/, the roots): O_DIRECTORY checks that
			// in the open itself, one fstat per root less. No symlink is
			// followed: a root swapped for a link since planning must not
			// lend its rights to the link's target; it is skipped.
			pfd, err = unix.Openat2(unix.AT_FDCWD, r.Path, &how)
		} else {
			pfd, err = unix.Open(r.Path, unix.O_PATH|unix.O_CLOEXEC, 0)
		}
		if err != nil {
			continue
		}
		access := r.access
		var st unix.Stat_t
		if !r.dir && unix.Fstat(pfd, &st) == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
			// Directory-only rights are refused on files.
			access &= ll.AccessFSExecute | ll.AccessFSWriteFile | ll.AccessFSReadFile | ll.AccessFSTruncate | ll.AccessFSIoctlDev
		}
		err = ll.LandlockAddPathBeneathRule(fd, &ll.PathBeneathAttr{AllowedAccess: access, ParentFd: pfd}, 0)
		_ = unix.Close(pfd)
		if err != nil {
			return -1, fmt.Errorf("landlock add rule %s: %w", r.Path, err)
		}
	}
	ok = true
	return fd, nil
}

// landlockABI returns the kernel's Landlock ABI, 0 when it has none.
func landlockABI() int {
	v, err := ll.LandlockGetABIVersion()
	if err != nil {
		return 0
	}
	return v
}
