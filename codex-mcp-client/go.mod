module github.com/codexgo/codex-mcp-client

go 1.24
