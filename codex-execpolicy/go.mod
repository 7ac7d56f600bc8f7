module github.com/codexgo/codex-execpolicy

go 1.24

require (
	github.com/codexgo/common v0.0.0
	github.com/peterbourgon/ff/v3 v3.4.0
	go.starlark.net v0.0.0-20250417143717-f57e51f710eb
	mvdan.cc/sh/v3 v3.12.0
)

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	golang.org/x/sys v0.33.0 // indirect
	golang.org/x/text v0.14.0 // indirect
)

replace github.com/codexgo/common => ../common
