package proctest

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// HostMounts snapshots the mount table of the calling process's mount
// namespace (the host's, for a test binary) and returns a check that
// lists every mount that has appeared in it since. A sandbox makes its
// mounts in a namespace of its own; one that lands here instead is a
// mount made outside the sandbox (a thread in the wrong namespace), and
// it outlives every sandbox. Call the check after m.Run in TestMain.
func HostMounts() func() error {
	before, err := mountLines()
	if err != nil {
		return func() error { return nil } // no /proc: nothing to compare
	}
	return func() error {
		after, err := mountLines()
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

// mountLines returns the lines of /proc/self/mountinfo as a set.
func mountLines() (map[string]bool, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for l := range bytes.Lines(b) {
		set[string(bytes.TrimSpace(l))] = true
	}
	return set, nil
}
