package authfile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/codexgo/common/codexhome"
)

// LockName is the lock file next to auth.json; the Codex CLI creates the
// same file (mode 0600).
const LockName = "auth.json.lock"

// lockPoll is how often a waiting Lock retries; refreshes hold the lock
// for one HTTP round trip, so a short poll keeps waiters responsive.
const lockPoll = 20 * time.Millisecond

// Lock takes an exclusive advisory lock on home/auth.json.lock, so token
// refreshes (which rotate the refresh token) are serialised across
// processes. It waits until the lock is free or ctx is done. The returned
// function releases the lock.
func Lock(ctx context.Context, home string) (unlock func() error, err error) {
	if err := codexhome.Ensure(home); err != nil {
		return nil, err
	}
	return LockPath(ctx, filepath.Join(home, LockName))
}

// LockPath takes an exclusive advisory lock (flock) on the file at path,
// creating it 0600 if needed, and waits as Lock does. Other credential
// stores (MCP OAuth tokens) serialise their refreshes with it.
func LockPath(ctx context.Context, path string) (unlock func() error, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	for {
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			return func() error {
				uerr := unlockFile(f)
				cerr := f.Close()
				if uerr != nil {
					return fmt.Errorf("unlock %s: %w", path, uerr)
				}
				return cerr
			}, nil
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			_ = f.Close()
			return nil, fmt.Errorf("wait for %s: %w", path, ctx.Err())
		case <-t.C:
		}
	}
}
