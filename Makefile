# stackc: `make build` compiles stack.jsonnet into out/; `make test` checks everything.
GO ?= go
SPEC ?= stack.jsonnet
OUT ?= out
STACKC := $(GO) run ./compiler/cmd/stackc

.PHONY: build test check vet unit tools fmt clean

## build: compile $(SPEC) into $(OUT)/
build:
	$(STACKC) build -o $(OUT) $(SPEC)

## test: vet, unit and integration tests (promtool, amtool), and the staleness check
test: tools vet unit check

## tools: build the pinned promtool, amtool, prometheus and alertmanager into .cache/bin (once)
tools:
	$(GO) run ./tools/install

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l compiler demoapp tools)" || { echo "gofmt needed:"; gofmt -l compiler demoapp tools; exit 1; }

unit:
	$(GO) test ./...

## check: fail when $(OUT)/ is stale or the spec is not formatted
check:
	$(STACKC) check -o $(OUT) $(SPEC)
	$(STACKC) fmt --check $(SPEC)

## fmt: format the spec and the Go code
fmt:
	$(STACKC) fmt $(SPEC)
	gofmt -w compiler demoapp tools

## clean: remove build caches of this repository (not out/, which is committed)
clean:
	rm -rf .cache
