module github.com/codexgo/codex-tui

go 1.24
