module github.com/codexgo/codex

go 1.24
