//go:build !linux

package sandbox

import "os/exec"

// parked is Linux-only.
type parked struct{ done bool }

func (*parked) discard() {}

// Start starts nothing off Linux: every command starts its own helper.
func (a *Ahead) Start() error { return nil }

// WaitReady has nothing to wait for off Linux.
func (a *Ahead) WaitReady() error { return nil }

// handOff is Linux-only.
func handOff(*parked, *exec.Cmd) (int, error) { return 0, errNoParked }
