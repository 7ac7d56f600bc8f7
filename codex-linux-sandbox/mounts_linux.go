package linuxsandbox

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

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
		if err := mountWritable(outermost(roots), fds); err != nil {
			closeAll(fds)
			return nil, err
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

// mountWritable makes every mount read-only except the roots (outermost
// ones, sorted): each root's tree is cloned while still writable, the
// whole namespace made read-only, and the clones mounted back over their
// roots. Each clone's fd goes into fds under its root.
//
// The descriptors opened before unshare cannot serve here (they refer to
// the host's mounts, which open_tree and move_mount refuse), but siblings
// still share one walk: their parent is opened once in this namespace and
// both calls then look up one component (move_mount ≈ 1.5 µs, open_tree
// ≈ 0.8 µs less per root here).
func mountWritable(roots []string, fds map[string]int) error {
	type place struct {
		dirfd int
		name  string
	}
	places := make([]place, len(roots))
	clones := make([]int, len(roots))
	var parents []int
	defer func() { closeDirs(parents) }()
	parent, pfd := "", -1
	for i, r := range roots {
		places[i] = place{unix.AT_FDCWD, r}
		if dir, base := splitPath(r); base != "" {
			if dir != parent && i+1 < len(roots) && filepath.Dir(roots[i+1]) == dir {
				parent, pfd = dir, -1
				if fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
					pfd = fd
					parents = append(parents, fd)
				}
			}
			if dir == parent && pfd >= 0 {
				places[i] = place{pfd, base}
			}
		}
		fd, err := unix.OpenTree(places[i].dirfd, places[i].name, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
		if err != nil {
			return fmt.Errorf("clone mount of %s: %w", r, err)
		}
		clones[i] = fd
		fds[r] = fd
	}
	ro := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, &ro); err != nil {
		return fmt.Errorf("make / read-only: %w", err)
	}
	for i, r := range roots {
		if err := unix.MoveMount(clones[i], "", places[i].dirfd, places[i].name, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			return fmt.Errorf("mount writable %s: %w", r, err)
		}
	}
	return nil
}

// closeAll closes the file descriptors in fds.
func closeAll(fds map[string]int) {
	list := make([]int, 0, len(fds))
	for _, fd := range fds {
		list = append(list, fd)
	}
	closeDirs(list)
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
