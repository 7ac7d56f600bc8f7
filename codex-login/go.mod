module github.com/codexgo/codex-login

go 1.24.0

require github.com/codexgo/common v0.0.0

require (
	github.com/peterbourgon/ff/v3 v3.4.0
	golang.org/x/crypto v0.48.0
)

require (
	github.com/pelletier/go-toml/v2 v2.4.3 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	golang.org/x/sys v0.41.0 // indirect
	golang.org/x/text v0.34.0 // indirect
)

replace github.com/codexgo/common => ../common
