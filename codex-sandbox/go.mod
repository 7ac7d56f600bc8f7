module github.com/codexgo/codex-sandbox

go 1.24
