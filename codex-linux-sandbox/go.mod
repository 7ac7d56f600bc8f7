module github.com/codexgo/codex-linux-sandbox

go 1.24
