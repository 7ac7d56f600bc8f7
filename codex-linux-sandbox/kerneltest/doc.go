// Package kerneltest shows a program under test a kernel without
// Landlock or seccomp (or without ptrace), for real: a seccomp filter
// makes those system calls fail as such a kernel fails them, and the
// program is started from the one thread that carries the filter, so it
// and everything it starts inherit it across fork and exec. Nothing of
// the program's own code is replaced. The tests of codex-linux-sandbox
// and codex-sandbox use it (Linux only).
package kerneltest
