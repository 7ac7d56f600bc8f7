module github.com/codexgo/codex-agent

go 1.25.0

require (
	github.com/codexgo/common v0.0.0
	github.com/modelcontextprotocol/go-sdk v1.8.0
	github.com/peterbourgon/ff/v3 v3.4.0
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
)

require (
	github.com/elastic/go-seccomp-bpf v1.6.0 // indirect
	github.com/google/jsonschema-go v0.4.3 // indirect
	github.com/landlock-lsm/go-landlock v0.10.1 // indirect
	github.com/segmentio/asm v1.1.3 // indirect
	github.com/segmentio/encoding v0.5.4 // indirect
	github.com/yosida95/uritemplate/v3 v3.0.2 // indirect
	go.starlark.net v0.0.0-20250417143717-f57e51f710eb // indirect
	golang.org/x/crypto v0.48.0 // indirect
	golang.org/x/net v0.49.0 // indirect
	golang.org/x/oauth2 v0.35.0 // indirect
	golang.org/x/sync v0.20.0 // indirect
	golang.org/x/text v0.34.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	kernel.org/pub/linux/libs/security/libcap/psx v1.2.77 // indirect
	mvdan.cc/sh/v3 v3.12.0 // indirect
)

require (
	github.com/aymanbagabas/go-osc52/v2 v2.0.1 // indirect
	github.com/codexgo/codex-execpolicy v0.0.0
	github.com/codexgo/codex-linux-sandbox v0.0.0 // indirect
	github.com/codexgo/codex-login v0.0.0
	github.com/codexgo/codex-mcp-client v0.0.0
	github.com/codexgo/codex-sandbox v0.0.0
	github.com/lucasb-eyer/go-colorful v1.2.0 // indirect
	github.com/mattn/go-isatty v0.0.20
	github.com/muesli/termenv v0.16.0 // indirect
	github.com/pelletier/go-toml/v2 v2.4.3
	github.com/rivo/uniseg v0.4.7 // indirect
	golang.org/x/sys v0.41.0
)

replace github.com/codexgo/common => ../common

replace github.com/codexgo/codex-login => ../codex-login

replace github.com/codexgo/codex-sandbox => ../codex-sandbox

replace github.com/codexgo/codex-linux-sandbox => ../codex-linux-sandbox

replace github.com/codexgo/codex-execpolicy => ../codex-execpolicy

replace github.com/codexgo/codex-mcp-client => ../codex-mcp-client
