// Package proctest holds what tests across the modules need to watch
// processes: waiting on a pidfd for a process to end, done once and
// right (see Exits).
package proctest
