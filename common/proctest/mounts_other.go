//go:build !linux

package proctest

// HostMounts has nothing to compare off Linux: no mount namespaces.
func HostMounts() func() error { return func() error { return nil } }
