//go:build !amd64

package nsinit

// Program is empty: no init for this architecture.
const Program = ""
