package linuxsandbox

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// setupMounts gives the calling thread a private mount namespace in which
// every mount is read-only except the writable roots, the pinned paths
// inside the roots are mount points (which cannot be renamed or removed:
// EBUSY), and the protected paths are read-only bind mounts. Nothing is
// created on the host: only existing paths are mounted over, and the
// namespace dies with the command. Read-only mounts also stop chmod,
// chown and utimes outside the roots, which Landlock does not cover.
//
// Every path is opened without following any symlink and mounted over by
// descriptor, and checked again once everything is in place, so a path
// swapped for a symlink (or renamed) since planning makes the set-up
// fail instead of mounting somewhere else.
//
// It returns the writable roots' mount fds (O_PATH-like, close-on-exec),
// which the caller reuses for the Landlock rules and must close.
func setupMounts(p *Plan) (map[string]int, error) {
	// The IPC namespace needs the same capability: SysV IPC objects and
	// POSIX message queues made outside are out of reach.
	if err := unix.Unshare(unix.CLONE_NEWNS | unix.CLONE_NEWIPC); err != nil {
		return nil, fmt.Errorf("unshare mount namespace: %w", err)
	}
	return makeMounts(p)
}

// makeMounts does setupMounts' work in the calling thread's mount
// namespace, a new one of the sandbox's own (made by unshare, or by a
// supervisor's clone and entered with setns).
func makeMounts(p *Plan) (map[string]int, error) {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("make mounts private: %w", err)
	}
	fds := map[string]int{}
	everything := false
	for _, r := range p.WritableRoots {
		if r == "/" {
			everything = true
		}
	}
	if !everything {
		if err := mountWritable(outermost(p.WritableRoots), fds); err != nil {
			closeAll(fds)
			return nil, err
		}
	}
	// Parents first (Pinned is sorted), then the read-only binds on top:
	// a pin clones what is mounted at its place, writable.
	links := make(map[string]bool, len(p.PinnedLinks))
	for _, l := range p.PinnedLinks {
		links[l] = true
	}
	for _, path := range p.Pinned {
		if err := bindOver(path, false, links[path]); err != nil {
			closeAll(fds)
			return nil, err
		}
	}
	for _, path := range p.Protected {
		if err := bindOver(path, true, false); err != nil {
			closeAll(fds)
			return nil, err
		}
	}
	if err := checkMounted(p.Pinned, links); err != nil {
		closeAll(fds)
		return nil, err
	}
	if err := checkMounted(p.Protected, nil); err != nil {
		closeAll(fds)
		return nil, err
	}
	return fds, nil
}

// openNoFollow opens path O_PATH refusing every symlink on the way; with
// link the last component must be a symlink itself (the descriptor is
// then the link's), without it must not be one.
func openNoFollow(dirfd int, path string, link bool) (int, error) {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC | unix.O_NOFOLLOW, Resolve: unix.RESOLVE_NO_SYMLINKS}
	fd, err := unix.Openat2(dirfd, path, &how)
	if err != nil {
		return -1, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		_ = unix.Close(fd)
		return -1, err
	}
	if link != (st.Mode&unix.S_IFMT == unix.S_IFLNK) {
		_ = unix.Close(fd)
		return -1, unix.ELOOP
	}
	return fd, nil
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
// ≈ 0.8 µs less per root here). No symlink is followed: the parent is
// opened with RESOLVE_NO_SYMLINKS, the root's own name with
// AT_SYMLINK_NOFOLLOW, and the clone must be a directory.
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
		places[i] = place{-1, ""}
		if dir, base := splitPath(r); base != "" {
			if dir != parent && i+1 < len(roots) && filepath.Dir(roots[i+1]) == dir {
				parent, pfd = dir, -1
				if fd, err := openNoFollow(unix.AT_FDCWD, dir, false); err == nil {
					pfd = fd
					parents = append(parents, fd)
				}
			}
			if dir == parent && pfd >= 0 {
				places[i] = place{pfd, base}
			}
		}
		if places[i].dirfd < 0 {
			fd, err := openNoFollow(unix.AT_FDCWD, r, false)
			if err != nil {
				return fmt.Errorf("open writable root %s: %w", r, err)
			}
			parents = append(parents, fd)
			places[i] = place{fd, ""}
		}
		flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC | unix.AT_RECURSIVE | unix.AT_SYMLINK_NOFOLLOW
		if places[i].name == "" {
			flags |= unix.AT_EMPTY_PATH
		}
		fd, err := unix.OpenTree(places[i].dirfd, places[i].name, uint(flags))
		if err != nil {
			return fmt.Errorf("clone mount of %s: %w", r, err)
		}
		fds[r] = fd
		clones[i] = fd
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return fmt.Errorf("writable root %s is no longer a directory (replaced since planning?)", r)
		}
	}
	ro := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, &ro); err != nil {
		return fmt.Errorf("make / read-only: %w", err)
	}
	for i, r := range roots {
		flags := unix.MOVE_MOUNT_F_EMPTY_PATH
		if places[i].name == "" {
			flags |= unix.MOVE_MOUNT_T_EMPTY_PATH
		}
		if err := unix.MoveMount(clones[i], "", places[i].dirfd, places[i].name, flags); err != nil {
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

// bindOver mounts a copy of what is at path over path itself, read-only
// when readOnly. With link, path is a symlink (and must be), mounted over
// as the link itself: a mount point cannot be removed, renamed or
// replaced, so neither can the link. Without, it must not be one.
func bindOver(path string, readOnly, link bool) error {
	target, err := openNoFollow(unix.AT_FDCWD, path, link)
	if err != nil {
		return fmt.Errorf("open %s without following symlinks (changed since planning?): %w", path, err)
	}
	defer func() { _ = unix.Close(target) }()
	fd, err := unix.OpenTree(target, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE|unix.AT_EMPTY_PATH)
	if err != nil {
		return fmt.Errorf("clone mount of %s: %w", path, err)
	}
	defer func() { _ = unix.Close(fd) }()
	if readOnly {
		ro := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &ro); err != nil {
			return fmt.Errorf("make %s read-only: %w", path, err)
		}
	}
	if err := unix.MoveMount(fd, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("mount over %s: %w", path, err)
	}
	return nil
}

// checkMounted verifies that each path, looked up again without
// following symlinks, is now the root of a mount: had it been renamed
// between its lookup and the mount, the mount would sit elsewhere. Once
// all are in place none of them can move any more in this namespace.
func checkMounted(paths []string, links map[string]bool) error {
	var stx unix.Statx_t
	for _, path := range paths {
		fd, err := openNoFollow(unix.AT_FDCWD, path, links[path])
		if err == nil {
			err = unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW, unix.STATX_TYPE, &stx)
			_ = unix.Close(fd)
		}
		if err != nil {
			return fmt.Errorf("check mount of %s: %w", path, err)
		}
		if stx.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 && stx.Attributes&unix.STATX_ATTR_MOUNT_ROOT == 0 {
			return fmt.Errorf("%s moved while it was being protected; refusing to run", path)
		}
	}
	return nil
}
