//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package authfile

import "os"

// Without flock the lock is process-local only: refreshes in one process
// are still serialised by the caller's mutex.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) error { return nil }
