module github.com/codexgo/codex-execpolicy

go 1.24
