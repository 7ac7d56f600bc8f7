package proctest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// HostMounts snapshots the mount table of the calling thread's mount
// namespace (the host's, for a test binary's TestMain before any test)
// and returns a check that lists every mount that has appeared in it
// since. A sandbox makes its mounts in a namespace of its own; one that
// lands here instead is a mount made outside the sandbox (a thread in
// the wrong namespace), and it outlives every sandbox. Call the check
// after m.Run in TestMain.
//
// The table is read through a descriptor opened now, which keeps to this
// namespace: /proc/self/mountinfo would show the main thread's, and a
// test goroutine locked to the main thread that moved it into a
// sandbox's namespace and ended leaves it there (the runtime parks the
// main thread rather than end it).
func HostMounts() func() error {
	f, err := os.Open("/proc/thread-self/mountinfo")
	if err != nil {
		return func() error { return nil } // no /proc: nothing to compare
	}
	before, err := mountLines(f)
	if err != nil {
		_ = f.Close()
		return func() error { return nil }
	}
	// f stays open for the life of the process: the check may be asked
	// again.
	return func() error {
		after, err := mountLines(f)
		if err != nil {
			return fmt.Errorf("read the mount table again: %w", err)
		}
		var added []string
		for l := range after {
			if !before[l] {
				added = append(added, l)
			}
		}
		if len(added) == 0 {
			return nil
		}
		return fmt.Errorf("%d mount(s) appeared in the test process's own (host) mount namespace:\n%s", len(added), strings.Join(added, "\n"))
	}
}

// mountLines returns the lines of the mountinfo file f, from its start,
// as a set.
func mountLines(f *os.File) (map[string]bool, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for l := range bytes.Lines(b) {
		set[string(bytes.TrimSpace(l))] = true
	}
	return set, nil
}
