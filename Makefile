# codex-go: build, test, lint, bench, fuzz and package every tool.
# Modules are found from go.work, so a new module needs no change here.

SHELL       := bash
.SHELLFLAGS := -eu -o pipefail -c
GO          ?= go
PREFIX      ?= /usr/local
# The version stamped into every binary: the release tag (v1.2.3 -> 1.2.3,
# with -N-gHASH past it and -dirty for local changes), else
# 0.0.0-dev+HASH[.dirty] from git, else dev outside a git checkout.
VERSION     ?= $(shell v=$$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null) && echo "$${v\#v}" || \
                 { h=$$(git rev-parse --short HEAD 2>/dev/null) && echo "0.0.0-dev+$$h$$(git diff --quiet HEAD -- 2>/dev/null || echo .dirty)"; } || echo dev)
LDFLAGS     := -s -w -X github.com/codexgo/common/version.Version=$(VERSION)
GOBUILD     := CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)'
ALLMODULES  := $(shell sed -n 's|^[[:space:]]*\./\([^[:space:]]*\)$$|\1|p' go.work)
# Modules that hold Go code yet (a module is created before its first package).
MODULES     := $(foreach m,$(ALLMODULES),$(if $(shell find $(m) -name '*.go' -print -quit),$(m)))
FUZZTIME    ?= 5s
BENCHTIME   ?= 1s
LINT_VERSION := v2.15.0
LINT        := bin/tools/golangci-lint-$(LINT_VERSION)

.PHONY: all build test test-deps lint tidy-check bench fuzz install dist clean demo man first-hour

all: build

## build: every binary into ./bin (static, trimmed)
build:
	@mkdir -p bin
	@for m in $(MODULES); do \
	  for c in $$m/cmd/*/; do \
	    [ -d "$$c" ] || continue; \
	    echo "build bin/$$(basename $$c)"; \
	    (cd $$m && $(GOBUILD) -o ../bin/ ./cmd/$$(basename $$c)); \
	  done; \
	done
	@echo "build codex for darwin/arm64 (compile check: the TUI's terminal code per OS)"
	@cd codex && GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/codex

## test: install what the tests need, vet and test every module (in the workspace, then each alone with GOWORK=off), print a summary
test:
	@MODULES="$(MODULES)" GO="$(GO)" TESTFLAGS="$(TESTFLAGS)" TEST_LOG_DIR="$(TEST_LOG_DIR)" bash scripts/test.sh

## test-deps: install the Debian and npm packages the tests use (make test does it first)
test-deps:
	@bash scripts/test-deps.sh

## lint: golangci-lint at a pinned version with .golangci.yml
lint: $(LINT)
	@for m in $(MODULES); do \
	  echo "== lint $$m"; \
	  (cd $$m && ../$(LINT) run --allow-serial-runners --config ../.golangci.yml ./...) || exit 1; \
	done

$(LINT):
	@mkdir -p bin/tools
	GOBIN=$(CURDIR)/bin/tools $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(LINT_VERSION)
	mv bin/tools/golangci-lint $(LINT)

## tidy-check: go mod tidy leaves every module unchanged
tidy-check:
	@for m in $(MODULES); do (cd $$m && $(GO) mod tidy); done
	@git diff --exit-code -- '*/go.mod' '*/go.sum' || { echo "go mod tidy changed the files above" >&2; exit 1; }

## bench: Go benchmarks, then each module's whole-process bench.sh (ratios against a baseline run in the same invocation)
bench: build
	@for m in $(MODULES); do \
	  if grep -rqs --include='*_test.go' '^func Benchmark' $$m; then \
	    echo "== bench $$m"; \
	    (cd $$m && $(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...) | grep -Ev '^(PASS|ok|\?)' ; \
	  fi; \
	done
	@for s in */bench.sh; do [ -f "$$s" ] || continue; echo "== $$s"; BIN=$(CURDIR)/bin bash $$s; done

## fuzz: run every fuzz target for FUZZTIME
fuzz:
	@for m in $(MODULES); do \
	  { grep -rls --include='*_test.go' --exclude-dir=node_modules '^func Fuzz' $$m || true; } | while read -r f; do \
	    d=$$(dirname $$f); \
	    for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
	      echo "== fuzz $$d $$t"; \
	      (cd $$d && $(GO) test -run='^$$' -fuzz="^$$t\$$" -fuzztime=$(FUZZTIME) .); \
	    done; \
	  done; \
	done

## install: copy the binaries into PREFIX/bin
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 bin/codex* $(DESTDIR)$(PREFIX)/bin/

## dist: the fused binary for four platforms, archives with the tools it re-executes, SHA-256 sums, a DotSlash manifest
dist:
	VERSION=$(VERSION) GO=$(GO) bash scripts/dist.sh

## man: man pages (man/man1) and bash, zsh and fish completions (completions/) of codex and every tool, from the same flag definitions as --help
man: build
	@rm -rf man completions
	@bin/codex man man/man1
	@mkdir -p completions/bash completions/zsh completions/fish
	@for t in codex $$(cd bin && ls codex-* | grep -v codex-mcp$$); do \
	  bin/codex completion bash $$t > completions/bash/$$t; \
	  bin/codex completion zsh $$t > completions/zsh/_$$t; \
	  bin/codex completion fish $$t > completions/fish/$$t.fish; \
	done
	@echo "wrote completions for $$(ls completions/bash | wc -l) tools in completions/"

## first-hour: a newcomer's first hour, end to end: a fresh clone, make demo, every README example run as written
first-hour:
	bash scripts/first-hour.sh

## demo: build and run codex exec on a scratch repository against the local scripted model server
demo: build
	BIN=$(CURDIR)/bin bash codex-agent/demo.sh

clean:
	rm -rf bin dist man completions
