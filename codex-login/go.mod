module github.com/codexgo/codex-login

go 1.24
