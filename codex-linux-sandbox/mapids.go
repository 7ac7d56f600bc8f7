package linuxsandbox

import (
	"os"
	"strconv"
	"strings"
)

// MapIDsVar names the variable through which a supervisor that starts
// the helper in a new user namespace without writing its uid and gid
// maps tells the helper its ids ("UID:GID", in the supervisor's user
// namespace): the helper then writes the maps itself, first thing
// (mapOwnIDs), and removes the variable before anything else reads the
// environment, so the command never sees it.
//
// Writing another process's maps from outside must happen between its
// fork and its exec, while the child is still the parent's copy: a
// non-dumpable parent (the agent, codex-sandbox) has a non-dumpable
// child until the exec, whose map files are then global root's, so the
// parent would have to turn dumpable for the spawn. Here the parent
// never does: the helper, freshly exec'd (and so dumpable, holding
// nothing but its arguments), writes its own single-id maps, which the
// kernel allows the user namespace's owner for exactly its own ids, with
// the CAP_SYS_ADMIN it holds in that namespace. The kernel checks the
// ids, so a wrong value can only make the set-up fail (125), never map
// anything else; a map some other process of the same user wrote first
// makes it fail the same way.
const MapIDsVar = "CODEX_SANDBOX_MAP_IDS"

// MapIDsEnv is MapIDsVar set to the calling process's uid and gid, for
// the environment of a helper it starts in a new user namespace.
func MapIDsEnv() string {
	return MapIDsVar + "=" + strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid())
}

// WithoutMapIDs returns env without MapIDsVar (env itself if unset).
func WithoutMapIDs(env []string) []string {
	env, _ = cutMapIDs(env)
	return env
}

// cutMapIDs returns env without MapIDsVar and the value it had ("" if
// unset; env is then returned as is).
func cutMapIDs(env []string) (rest []string, ids string) {
	at := -1
	for i, kv := range env {
		if strings.HasPrefix(kv, MapIDsVar+"=") {
			at = i
			break
		}
	}
	if at < 0 {
		return env, ""
	}
	rest = make([]string, 0, len(env)-1)
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, MapIDsVar+"="); ok {
			ids = v
			continue
		}
		rest = append(rest, kv)
	}
	return rest, ids
}
