package linuxsandbox

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Capability numbers we test for.
const (
	capSetpcap  = 8
	capSysAdmin = 21
	// capSysChroot is needed to enter another mount namespace (setns).
	capSysChroot = 18
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

// mountProc mounts, read-only, a /proc of the PID namespace the calling
// process is init of, over the host's: /proc then shows only the
// sandbox's processes.
func mountProc() error {
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|unix.MS_RDONLY, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	return nil
}
