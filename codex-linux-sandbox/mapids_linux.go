package linuxsandbox

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// mapOwnIDs writes this process's uid and gid maps (MapIDsVar): ids,
// "UID:GID", each mapped to itself, after denying setgroups (which an
// unprivileged gid map requires). It must run while this process is
// dumpable (its /proc files are then its own user's) and holds
// CAP_SYS_ADMIN in its user namespace: at the start of the helper, which
// the supervisor gave ambient CAP_SYS_ADMIN and CAP_SETPCAP.
func mapOwnIDs(ids string) error {
	u, g, ok := strings.Cut(ids, ":")
	uid, uerr := strconv.ParseUint(u, 10, 32)
	gid, gerr := strconv.ParseUint(g, 10, 32)
	if !ok || uerr != nil || gerr != nil {
		return fmt.Errorf("map ids: bad %s %q", MapIDsVar, ids)
	}
	for _, w := range []struct{ file, text string }{
		{"/proc/self/setgroups", "deny"},
		{"/proc/self/uid_map", fmt.Sprintf("%d %d 1\n", uid, uid)},
		{"/proc/self/gid_map", fmt.Sprintf("%d %d 1\n", gid, gid)},
	} {
		if err := writeProcFile(w.file, w.text); err != nil {
			return fmt.Errorf("map ids: %w", err)
		}
	}
	return nil
}

// writeProcFile writes text to an existing /proc file in one write, as
// the map files require.
func writeProcFile(name, text string) error {
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(text)
	cerr := f.Close()
	return errors.Join(werr, cerr)
}
