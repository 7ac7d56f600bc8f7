package linuxsandbox

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Capability numbers we test for.
const (
	capSetpcap  = 8
	capSysAdmin = 21
)

// threadCaps returns the calling thread's effective and permitted sets.
func threadCaps() (effective, permitted uint64, err error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, 0, fmt.Errorf("capget: %w", err)
	}
	effective = uint64(data[0].Effective) | uint64(data[1].Effective)<<32
	permitted = uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32
	return effective, permitted, nil
}

func hasCap(set uint64, c int) bool { return set&(1<<c) != 0 }

// dropCaps empties the calling thread's bounding (when allowed), ambient,
// inheritable, permitted and effective sets, then checks the result: the
// command must never start with a capability.
func dropCaps(canBound bool) error {
	if canBound {
		// Up to the first number the kernel does not know (EINVAL); no
		// need to read cap_last_cap.
		for c := 0; c < 64; c++ {
			err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
			if err == unix.EINVAL {
				break
			}
			if err != nil {
				return fmt.Errorf("drop bounding capability %d: %w", c, err)
			}
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && err != unix.EINVAL {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	eff, perm, err := threadCaps()
	if err != nil {
		return err
	}
	if eff != 0 || perm != 0 {
		return fmt.Errorf("capabilities retained after drop (effective %#x, permitted %#x)", eff, perm)
	}
	return nil
}

// setupMounts gives the calling thread a private mount namespace in which
// every mount is read-only except the writable roots, and the protected
// paths inside them are read-only bind mounts. Nothing is created on the
// host: only existing paths are mounted over, and the namespace dies with
// the command. Read-only mounts also stop chmod, chown and utimes outside
// the roots, which Landlock does not cover.
//
// It returns the writable roots' mount fds (O_PATH-like, close-on-exec),
// which the caller reuses for the Landlock rules and must close.
func setupMounts(roots, protected []string) (map[string]int, error) {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return nil, fmt.Errorf("unshare mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("make mounts private: %w", err)
	}
	fds := map[string]int{}
	everything := false
	for _, r := range roots {
		if r == "/" {
			everything = true
		}
	}
	if !everything {
		sorted := outermost(roots) // parents before children, nested ones dropped
		clones := make([]int, 0, len(sorted))
		for _, r := range sorted {
			fd, err := unix.OpenTree(unix.AT_FDCWD, r, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
			if err != nil {
				closeAll(fds)
				return nil, fmt.Errorf("clone mount of %s: %w", r, err)
			}
			clones = append(clones, fd)
			fds[r] = fd
		}
		ro := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, &ro); err != nil {
			closeAll(fds)
			return nil, fmt.Errorf("make / read-only: %w", err)
		}
		for i, r := range sorted {
			if err := unix.MoveMount(clones[i], "", unix.AT_FDCWD, r, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
				closeAll(fds)
				return nil, fmt.Errorf("mount writable %s: %w", r, err)
			}
		}
	}
	for _, p := range protected {
		if err := readOnlyBind(p); err != nil {
			closeAll(fds)
			return nil, err
		}
	}
	return fds, nil
}

// closeAll closes the file descriptors in fds.
func closeAll(fds map[string]int) {
	for _, fd := range fds {
		_ = unix.Close(fd)
	}
}

// readOnlyBind mounts a read-only copy of path over itself.
func readOnlyBind(path string) error {
	fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return fmt.Errorf("clone mount of %s: %w", path, err)
	}
	defer func() { _ = unix.Close(fd) }()
	ro := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &ro); err != nil {
		return fmt.Errorf("make %s read-only: %w", path, err)
	}
	if err := unix.MoveMount(fd, "", unix.AT_FDCWD, path, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("mount read-only %s: %w", path, err)
	}
	return nil
}
