module github.com/codexgo/codex-agent

go 1.24

require github.com/peterbourgon/ff/v3 v3.4.0

replace github.com/codexgo/common => ../common
