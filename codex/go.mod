module github.com/codexgo/codex

go 1.24

require (
	github.com/codexgo/codex-login v0.0.0
	github.com/codexgo/common v0.0.0
)

require github.com/peterbourgon/ff/v3 v3.4.0 // indirect

replace github.com/codexgo/common => ../common

replace github.com/codexgo/codex-login => ../codex-login
