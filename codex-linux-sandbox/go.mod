module github.com/codexgo/codex-linux-sandbox

go 1.24.0

require (
	github.com/codexgo/common v0.0.0
	github.com/elastic/go-seccomp-bpf v1.6.0
	github.com/landlock-lsm/go-landlock v0.10.1
	github.com/peterbourgon/ff/v3 v3.4.0
	golang.org/x/net v0.41.0
	golang.org/x/sys v0.41.0
)

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	golang.org/x/text v0.26.0 // indirect
	kernel.org/pub/linux/libs/security/libcap/psx v1.2.77 // indirect
)

replace github.com/codexgo/common => ../common
