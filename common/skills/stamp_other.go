//go:build !linux

package skills

import (
	"fmt"
	"os"
	"syscall"
)

// inodeStamp is the device, inode and change time of st (see the Linux
// version); the BSD stat names the change time Ctimespec.
func inodeStamp(st os.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmt.Sprintf(":%d:%d:%d.%d", sys.Dev, sys.Ino, sys.Ctimespec.Sec, sys.Ctimespec.Nsec)
}
