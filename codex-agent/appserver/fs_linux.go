package appserver

import "golang.org/x/sys/unix"

// birthMillis is the file's creation time where the file system keeps
// one (statx STATX_BTIME).
func birthMillis(path string) (int64, bool) {
	var st unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, path, 0, unix.STATX_BTIME, &st); err != nil || st.Mask&unix.STATX_BTIME == 0 {
		return 0, false
	}
	return st.Btime.Sec*1000 + int64(st.Btime.Nsec)/1e6, true
}
