# stackc: `make build` compiles stack.jsonnet into out/; `make test` checks everything.
GO ?= go
SPEC ?= stack.jsonnet
OUT ?= out
# PROFILE=demo builds with the demo profile (make build PROFILE=demo).
PROFILE ?= default
# The Python of the Flask service and its tests: Debian's python3-flask and
# python3-prometheus-client install into the system python3.
PYTHON ?= /usr/bin/python3
export STACKC_PYTHON := $(PYTHON)
STACKC := $(GO) run ./compiler/cmd/stackc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run-flask build test check vet unit e2e e2e-ha tools python fmt diff demo demo-compose run bench bench-sloth fuzz image clean help

## build: compile $(SPEC) into $(OUT)/ (PROFILE=demo for the demo profile)
build:
	$(STACKC) build -o $(OUT) --profile $(PROFILE) $(SPEC)

## test: everything CI runs: pinned tools, vet + gofmt, staleness check, then the unit and integration tests beside the end-to-end alert tests
# The e2e tests mostly wait for their incidents to play out on real
# servers, so the unit tests run beside them, niced so that the servers
# keep their timing; each target's output is printed when it ends.
test: tools python vet check
	$(MAKE) --no-print-directory -j2 --output-sync=target e2e unit

## tools: build the pinned promtool, amtool, prometheus, alertmanager and thanos into .cache/bin (once)
tools:
	$(GO) run ./tools/install

## python: make sure $(PYTHON) has Flask and prometheus_client (apt-get installs them on Debian)
python:
	@$(PYTHON) -c 'import flask, prometheus_client' 2>/dev/null || { \
	  if [ -r /etc/debian_version ] && command -v apt-get >/dev/null; then \
	    echo "installing python3-flask and python3-prometheus-client with apt-get"; \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-flask python3-prometheus-client >/dev/null && \
	    $(PYTHON) -c 'import flask, prometheus_client'; \
	  else \
	    echo "stackc's Flask service and Python tests need Python 3.11+ with Flask 2.2+ and prometheus_client 0.16+;"; \
	    echo "$(PYTHON) lacks them. Install them (e.g. pip install flask prometheus-client in a virtualenv)"; \
	    echo "and run make with PYTHON=/path/to/that/python3."; \
	    exit 1; \
	  fi; }

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l compiler demoapp runtime tools out/metrics)" || { echo "gofmt needed:"; gofmt -l compiler demoapp runtime tools out/metrics; exit 1; }

## unit: go test ./... (promtool, amtool and compose-go checks included; the e2e test is skipped)
## The tools are built first (make tools); tests fail fast when one is missing.
unit: tools
	nice -n 10 $(GO) test -timeout 30m ./...

## e2e: the end-to-end alert tests against real servers, side by side: the single-server stack and the HA stack of ha.jsonnet (Prometheus pair, 3-peer Alertmanager cluster, Thanos)
e2e: tools
	STACKC_E2E=1 STACKC_E2E_HA=1 $(GO) test -count=1 -v -timeout 25m -run '^(TestAlertEndToEnd|TestHAEndToEnd)$$' ./demoapp/e2e

## e2e-ha: the HA end-to-end test alone (make e2e runs it too)
e2e-ha: tools
	STACKC_E2E_HA=1 $(GO) test -count=1 -v -timeout 25m -run '^TestHAEndToEnd$$' ./demoapp/e2e

## check: fail when $(OUT)/ is stale or the spec is not formatted
check:
	$(STACKC) check -o $(OUT) $(SPEC)
	$(STACKC) fmt --check $(SPEC) ha.jsonnet

## fmt: format the spec and the Go code
fmt:
	$(STACKC) fmt $(SPEC) ha.jsonnet
	gofmt -w compiler demoapp runtime tools

## diff: what the spec in the working tree changes against the merge base with main (Markdown: make diff > comment.md)
diff:
	@$(STACKC) diff $(SPEC)

## demo: run the whole stack natively on free loopback ports, break an SLO and watch the page arrive (Ctrl-C stops it; SPEC=file for another spec)
demo: tools python
	@$(GO) build -o .cache/demo ./demoapp/demo/cmd
	@# Ctrl-C reaches the demo, which stops every server and exits 0; the
	@# shell ignores it, so make does not report an error.
	@trap '' INT; ./.cache/demo --spec $(SPEC)

## demo-compose: the same stack in Docker Compose (needs a Docker engine and GF_ADMIN_PASSWORD)
demo-compose:
	docker compose -f $(OUT)/compose.yaml up --build

## run: serve the demo service on 127.0.0.1:8080 (fault API on 127.0.0.1:9080)
run:
	$(GO) run ./demoapp

## run-flask: serve the Flask service of stack.jsonnet (catalog, from out/python) on 127.0.0.1:8081 (fault API on 127.0.0.1:9081)
run-flask: python
	$(PYTHON) demoapp/flaskapp/app.py --registry $(OUT)/python/catalog_metrics.py

## bench: the benchmarks of README's Performance section
bench:
	$(GO) test -run='^$$' -bench=BenchmarkBuild -benchmem ./compiler/build
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=3x ./compiler/prometheus
	$(GO) test -run='^$$' -bench=Middleware -benchmem -count=5 ./runtime/instrument

## bench-sloth: stackc build vs Sloth v0.16.0 generate on 1,000 and 10,000 SLOs (wall time, peak RSS; see docs/performance.md)
bench-sloth:
	scripts/bench-sloth.sh

## fuzz: every fuzz target for a short while ($(FUZZTIME) each): the spec loader, the inbox's webhook payloads, the expositions stackc verify reads
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=$(FUZZTIME) ./compiler/spec
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./compiler/spec
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./demoapp/inbox
	$(GO) test -run='^$$' -fuzz='^FuzzVerifyExposition$$' -fuzztime=$(FUZZTIME) ./compiler/verify

## image: build the demo app's container image (needs a Docker engine)
image:
	docker build -f demoapp/Dockerfile -t stackc-demoapp .

## clean: remove build caches of this repository (not out/, which is committed)
clean:
	rm -rf .cache

## help: list the targets
help:
	@sed -n 's/^## //p' Makefile
