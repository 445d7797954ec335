# stackc: `make build` compiles stack.jsonnet into out/; `make test` checks everything.
GO ?= go
SPEC ?= stack.jsonnet
OUT ?= out
STACKC := $(GO) run ./compiler/cmd/stackc

.PHONY: build test check vet unit e2e tools fmt diff demo demo-compose run bench fuzz image clean

## build: compile $(SPEC) into $(OUT)/
build:
	$(STACKC) build -o $(OUT) $(SPEC)

## test: everything CI runs: pinned tools, vet + gofmt, staleness check, unit and integration tests, end-to-end alert test
test: tools vet check unit e2e

## tools: build the pinned promtool, amtool, prometheus, alertmanager and thanos into .cache/bin (once)
tools:
	$(GO) run ./tools/install

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l compiler demoapp tools out/metrics)" || { echo "gofmt needed:"; gofmt -l compiler demoapp tools out/metrics; exit 1; }

## unit: go test ./... (promtool, amtool and compose-go checks included; the e2e test is skipped)
unit:
	$(GO) test ./...

## e2e: end-to-end alert tests against real servers: the single stack and the HA stack (in parallel, ~10 minutes)
e2e: tools
	STACKC_E2E=1 $(GO) test -count=1 -v -timeout 25m -run 'TestAlertEndToEnd|TestHAEndToEnd' ./demoapp/e2e

## check: fail when $(OUT)/ is stale or the spec is not formatted
check:
	$(STACKC) check -o $(OUT) $(SPEC)
	$(STACKC) fmt --check $(SPEC) ha.jsonnet

## fmt: format the spec and the Go code
fmt:
	$(STACKC) fmt $(SPEC)
	gofmt -w compiler demoapp tools

## diff: what the spec in the working tree changes against the merge base with main (Markdown)
diff:
	$(STACKC) diff $(SPEC)

## demo: run the whole stack natively on free loopback ports, break an SLO and watch the page arrive (Ctrl-C stops it)
demo: tools
	$(GO) run ./demoapp/demo/cmd

## demo-compose: the same stack in Docker Compose (needs a Docker engine and GF_ADMIN_PASSWORD)
demo-compose:
	docker compose -f $(OUT)/compose.yaml up --build

## run: serve the demo service on 127.0.0.1:8080 (fault API on 127.0.0.1:9080)
run:
	$(GO) run ./demoapp

## bench: the benchmarks of README's Performance section
bench:
	$(GO) test -run='^$$' -bench=BenchmarkBuild -benchmem ./compiler/build
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=3x ./compiler/prometheus
	$(GO) test -run='^$$' -bench=Middleware -benchmem -count=5 ./runtime/instrument

## fuzz: every fuzz target for a short while ($(FUZZTIME) each): the spec loader, the inbox's webhook payloads
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=$(FUZZTIME) ./compiler/spec
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./compiler/spec
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./demoapp/inbox

## image: build the demo app's container image (needs a Docker engine)
image:
	docker build -f demoapp/Dockerfile -t stackc-demoapp .

## clean: remove build caches of this repository (not out/, which is committed)
clean:
	rm -rf .cache
