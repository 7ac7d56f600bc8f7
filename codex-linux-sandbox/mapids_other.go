//go:build !linux

package linuxsandbox

import "errors"

// mapOwnIDs is Linux-only.
func mapOwnIDs(string) error { return errors.New("map ids: user namespaces are Linux-only") }
