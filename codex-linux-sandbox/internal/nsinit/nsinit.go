// Package nsinit holds the init program of the sandbox's PID namespace:
// a libc-free executable of about 4 KB that, started by a supervisor
// (linuxsandbox.Launch), first restricts itself with what the supervisor
// sends it, then forks the command, reaps orphans and reports the
// command's wait status (see csrc/init_amd64.c). Program is empty on
// architectures without one; the command is then PID 1 itself.
package nsinit
