// Package teainit keeps Bubble Tea's package initialiser from querying
// the terminal.
//
// bubbletea v1 calls lipgloss.HasDarkBackground() in an init function
// (a workaround its authors drop in v2): whenever stdout is a terminal
// (other than screen or tmux), every start of a binary that links it
// writes an OSC 11 and a cursor-position query to the terminal and waits
// for the answers, up to 5 s when nothing answers (script(1), some IDE
// and CI terminals), and may read the user's type-ahead. The fused codex
// binary links bubbletea for the TUI, so every tool run through it paid
// that: `codex --version` under script(1) took 5 s.
//
// This package's initialiser fixes the default lipgloss renderer's
// background to dark (what it assumes when stdout is not a terminal), so
// bubbletea's call returns at once. It must run after lipgloss's and
// before bubbletea's initialiser; Go initialises packages in import-path
// order among those whose imports are done ("Package initialization" in
// the spec), so the module path sorts before github.com/charmbracelet/
// (codexgo.local, a path that is never fetched: go.work and replace
// directives point at this directory). The TUI detects the background
// itself and sets the real one (codex-tui's detectTheme).
package teainit

import "github.com/charmbracelet/lipgloss"

func init() { lipgloss.SetHasDarkBackground(true) }
