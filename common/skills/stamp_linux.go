package skills

import (
	"fmt"
	"os"
	"syscall"
)

// inodeStamp is the device, inode and change time of st, which an edit
// that restores the size and modification time still moves.
func inodeStamp(st os.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmt.Sprintf(":%d:%d:%d.%d", sys.Dev, sys.Ino, sys.Ctim.Sec, sys.Ctim.Nsec)
}
