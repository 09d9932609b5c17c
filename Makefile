# gotoauth: `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
GO ?= go
GOROOT := $(shell $(GO) env GOROOT)
WASM_ENV := GOOS=js GOARCH=wasm
WASM_FLAGS := -trimpath -ldflags="-s -w"
# go test -exec for js/wasm runs the test binaries under Node.
export PATH := $(GOROOT)/lib/wasm:$(PATH)
FUZZTIME ?= 3s
ADDR ?= 127.0.0.1:8080

LIB_SRC := $(shell find pkce wasm -name '*.go' -not -name '*_test.go') go.mod go.sum

.PHONY: all build bench run test test-go test-fuzz test-wasm test-node test-interop deps-node deps-chromium clean

all: build

# Precompressed siblings (.br, and .gz beside it) that serve.go sends to
# browsers that accept them. Node's zlib makes both.
COMPRESSED := web/gotoauth.wasm.br web/demo.wasm.br web/wasm_exec.js.br

build: web/gotoauth.wasm web/demo.wasm web/wasm_exec.js $(COMPRESSED)

%.br: %
	node web/tools/compress.mjs $<

web/gotoauth.wasm: $(LIB_SRC)
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./wasm/cmd/gotoauth

# The demo's own module: it may import dom/v2, the library's never does.
web/demo.wasm: $(LIB_SRC)
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./wasm/cmd/demo

# The benchmark's floor: syscall/js, one no-op export, and a wait.
web/floor.wasm: wasm/cmd/floor/main.go go.mod
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./wasm/cmd/floor

# The benchmark's second floor: the same module with every JS call made
# through safejs (and so fmt, reflect, os), as the library's are. The size
# and start-up targets are measured against it.
web/safejsfloor.wasm: wasm/cmd/safejsfloor/main.go go.mod go.sum
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./wasm/cmd/safejsfloor

# Sizes, start-up (Node, Chromium) and calls per second against both floors
# and oauth4webapi; not part of `make test`. Writes web/bench/results.json.
bench: build web/floor.wasm web/floor.wasm.br web/safejsfloor.wasm web/safejsfloor.wasm.br deps-node deps-chromium
	cd web && CHROMIUM=$(CHROMIUM) node bench/bench.mjs

# wasm_exec.js must come from the Go that built the module.
web/wasm_exec.js: $(GOROOT)/lib/wasm/wasm_exec.js
	cp $< $@

run: build
	$(GO) run serve.go -addr $(ADDR) -emulator

test: test-go test-fuzz test-wasm test-node test-interop

test-go:
	$(GO) vet ./...
	$(WASM_ENV) $(GO) vet ./wasm/...
	$(GO) test -race -count=1 ./...

# Each fuzz target briefly; run longer by hand with FUZZTIME=5m.
test-fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for fn in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg >/tmp/gotoauth-fuzz.log 2>&1 || { cat /tmp/gotoauth-fuzz.log; exit 1; }; \
	  done; \
	done

test-wasm:
	$(WASM_ENV) $(GO) test -count=1 ./wasm/bridge/... ./pkce/...

deps-node: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

# Debian's chromium for the browser tests; a test tool's own browser
# download does not work here.
CHROMIUM ?= /usr/bin/chromium
deps-chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM): run 'sudo apt-get install chromium' (Debian) or set CHROMIUM=/path/to/chromium." >&2; exit 1; \
	  fi; \
	fi

# Node tests load the module through web/gotoauth.js; browser.test.mjs
# drives the demo in headless Chromium and saves web/test-results/signed-in.png.
test-node: build deps-node deps-chromium
	cd web && CHROMIUM=$(CHROMIUM) node --test --test-concurrency=1 test/*.test.mjs

# Interop with a real authorization server (ory/fosite), in its own module
# so that fosite's dependencies stay out of gotoauth's go.mod.
test-interop: build
	cd web/test/interop && $(GO) test -count=1 ./...

clean:
	rm -f web/*.wasm web/*.br web/*.gz web/wasm_exec.js web/bench/results.json
