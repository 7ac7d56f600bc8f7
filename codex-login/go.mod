module github.com/codexgo/codex-login

go 1.24

require github.com/codexgo/common v0.0.0

require github.com/peterbourgon/ff/v3 v3.4.0

require (
	github.com/pelletier/go-toml/v2 v2.4.3 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	golang.org/x/text v0.14.0 // indirect
)

replace github.com/codexgo/common => ../common
