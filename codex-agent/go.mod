module github.com/codexgo/codex-agent

go 1.24
