// Package version holds the version stamped into the binaries at build
// time with -ldflags "-X github.com/codexgo/common/version.Version=v1.2.3".
// main never carries a version; release tags do.
package version

// Version is set by the linker; it is never assigned at run time.
var Version = "dev"
