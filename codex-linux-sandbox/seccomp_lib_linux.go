//go:build linux && !amd64

package linuxsandbox

import (
	"golang.org/x/sys/unix"

	"github.com/codexgo/codex-linux-sandbox/internal/seccompbuild"
)

// filterProgram assembles the filter at run time on architectures without
// an embedded copy.
func filterProgram(network, allowUnix bool) ([]unix.SockFilter, error) {
	return seccompbuild.Program(network, allowUnix)
}
