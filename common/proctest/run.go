package proctest

import (
	"fmt"
	"io"
	"os"
)

// Run runs a package's tests (m is the *testing.M of its TestMain) and
// returns their exit code, 1 when a mount has appeared in the host's
// mount namespace meanwhile (HostMounts): a sandbox's mount made outside
// its namespace fails the package even when every test passed.
func Run(m interface{ Run() int }) int { return run(m, os.Stderr) }

// run is Run, saying why on w.
func run(m interface{ Run() int }, w io.Writer) int {
	mounts := HostMounts()
	code := m.Run()
	if err := mounts(); err != nil {
		fmt.Fprintln(w, "FAIL:", err)
		code = 1
	}
	return code
}
