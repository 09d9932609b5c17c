# gotoauth: `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
GO ?= go
GOROOT := $(shell $(GO) env GOROOT)
WASM_ENV := GOOS=js GOARCH=wasm
WASM_FLAGS := -trimpath -ldflags="-s -w"
# The version's one source is web/package.json; the module reports it as
# `version` through bridge.Version, set at link time.
VERSION = $(shell node -p "require('./web/package.json').version")
# go test -exec for js/wasm runs the test binaries under Node.
export PATH := $(GOROOT)/lib/wasm:$(PATH)
FUZZTIME ?= 3s
ADDR ?= 127.0.0.1:8080

LIB_SRC := $(shell find pkce wasm -name '*.go' -not -name '*_test.go') go.mod go.sum

.PHONY: all generate build bench bench-relay relay run test test-go test-fuzz test-wasm test-node test-interop deps-node deps-chromium deps-firefox deps-firefox140 deps-redis deps-prometheus deps-systemd deps-podman deps-nginx deps-caddy pack clean

all: build

# Precompressed siblings (.br, and .gz beside it) that serve.go sends to
# browsers that accept them. Node's zlib makes both.
COMPRESSED := web/gotoauth.wasm.br web/demo.wasm.br web/gotoauth-glue.mjs.br web/gotoauth.js.br

build: generate web/gotoauth.wasm web/demo.wasm web/gotoauth-glue.mjs web/gotoauth.js $(COMPRESSED)

# The JS and TypeScript faces of the Go contracts (error codes, limits,
# options): web/gotoauth-contract.js, regions of web/gotoauth.d.ts and of
# README.md, written by wasm/cmd/contract; a file is rewritten only when it
# changes. Its test fails when a committed copy is not current.
generate:
	$(GO) generate ./wasm/cmd/contract

%.br: %
	node web/tools/compress.mjs $<

# The package's browser entry: web/gotoauth-browser.js and the modules it
# imports as one file (web/tools/bundle.mjs says why), with rolldown from
# web/package-lock.json. Written whole or not at all.
LOADER_SRC := $(filter-out web/gotoauth.js web/gotoauth-node.js,$(wildcard web/gotoauth-*.js))
web/gotoauth.js: $(LOADER_SRC) web/tools/bundle.mjs web/node_modules/.package-lock.json | generate
	cd web && node tools/bundle.mjs gotoauth.js

web/gotoauth.wasm: $(LIB_SRC) web/package.json
	@v='$(VERSION)'; [[ "$$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "no version in web/package.json (got '$$v'; is node installed?)" >&2; exit 1; }
	$(WASM_ENV) $(GO) build -trimpath -ldflags="-s -w -X gotoauth/wasm/bridge.Version=$(VERSION)" -o $@ ./wasm/cmd/gotoauth
	@# The go tool writes an executable; npm would pack it as rwxr-xr-x.
	chmod 0644 $@

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
# and oauth4webapi; then the relay's refreshes next to httputil.ReverseProxy
# (web/bench/relay). Not part of `make test`. Writes web/bench/results.json,
# web/bench/restore-results.json (a signed-in page in relay mode, in
# Chromium and Firefox: web/bench/restore.mjs) and
# web/bench/relay-results.json; `make bench-relay` runs the relay's part
# alone.
RELAY_BENCH = $(GO) run ./web/bench/relay -redis-server $(REDIS_SERVER) -out web/bench/relay-results.json
bench: build web/floor.wasm web/floor.wasm.br web/safejsfloor.wasm web/safejsfloor.wasm.br deps-node deps-chromium deps-firefox deps-redis
	cd web && CHROMIUM=$(CHROMIUM) node bench/bench.mjs
	cd web && CHROMIUM=$(CHROMIUM) FIREFOX=$(FIREFOX) node bench/restore.mjs
	$(RELAY_BENCH)

bench-relay: deps-redis
	$(RELAY_BENCH)

# The Go glue must come from the Go that built the module: Go's
# wasm_exec.js made into an ES module that gives the Go runtime a global
# object of its own (see web/tools/glue.mjs). Written whole or not at all.
web/gotoauth-glue.mjs: $(GOROOT)/lib/wasm/wasm_exec.js web/tools/glue.mjs
	node web/tools/glue.mjs $< $$($(GO) env GOVERSION) > $@.tmp && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

# The npm package `gotoauth`: `make pack` writes web/dist-pack/gotoauth-VERSION.tgz
# (what `npm install ./gotoauth-VERSION.tgz` takes; it needs no Go) and prints
# its absolute path last. README.md, LICENSE and THIRD_PARTY_LICENSES are
# copied into web/ for npm pack: build outputs, never edited there.
PACK_DIR := web/dist-pack

web/README.md: README.md
	cp $< $@

web/LICENSE: LICENSE
	cp $< $@

web/THIRD_PARTY_LICENSES: web/gotoauth.wasm web/tools/licenses.mjs
	$(WASM_ENV) $(GO) list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}}@{{.Version}} {{.Dir}}{{end}}{{end}}' ./wasm/cmd/gotoauth \
	  | node web/tools/licenses.mjs $(GOROOT) $$($(GO) env GOVERSION) > $@.tmp && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

pack: build web/README.md web/LICENSE web/THIRD_PARTY_LICENSES
	@rm -rf $(PACK_DIR) && mkdir -p $(PACK_DIR)
	@chmod 644 web/gotoauth.wasm # data, not a program (go build makes it executable)
	cd web && npm pack --pack-destination dist-pack --loglevel=warn >/dev/null
	@test -f $(PACK_DIR)/gotoauth-$(VERSION).tgz && echo "$(CURDIR)/$(PACK_DIR)/gotoauth-$(VERSION).tgz"

# The relay for production: one static binary (no cgo, no build paths),
# serve.go with no files unless -dir names a folder (main.defaultDir).
# README, "The token relay", says how to run it; web/relay/deploy/ has a
# Containerfile and a systemd unit for it.
RELAY_BIN ?= bin/gotoauth-relay
relay:
	@mkdir -p $(dir $(RELAY_BIN))
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w -X main.defaultDir=" -o $(RELAY_BIN) serve.go
	@echo "$(CURDIR)/$(RELAY_BIN)"

run: build
	$(GO) run serve.go -addr $(ADDR) -emulator -relay -drain 0

test: test-go test-fuzz test-wasm test-node test-interop

# The relay's Redis tests start their own redis-server (web/relay/store/redistest);
# its metrics test lints a scrape with promtool.
test-go: deps-redis deps-prometheus deps-systemd deps-podman
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
	$(WASM_ENV) $(GO) test -count=1 ./wasm/bridge/... ./wasm/browser/... ./pkce/...

deps-node: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

# debian-dep installs a Debian package the tests use when its program is
# missing: $(1) the program (a path, or a name on PATH), $(2) the package,
# $(3) what needs it, $(4) the variable that names another program. Only
# as root with apt; otherwise it says what to install. The package lists
# are fetched once an hour at most, not once per package.
define debian-dep
	@if ! command -v "$(1)" >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's $(2) for $(3)"; \
	    [ -n "$$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 -print -quit 2>/dev/null)" ] || DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "$(3) need $(1): run 'sudo apt-get install $(2)' (Debian) or set $(4)=/path/to/it." >&2; exit 1; \
	  fi; \
	fi
endef

# Debian's chromium and firefox-esr for the browser tests (Firefox driven by
# puppeteer-core over WebDriver BiDi); a test tool's own browser download
# does not work here.
CHROMIUM ?= /usr/bin/chromium
FIREFOX ?= /usr/bin/firefox-esr
deps-chromium:
	$(call debian-dep,$(CHROMIUM),chromium,the browser tests,CHROMIUM)
deps-firefox:
	$(call debian-dep,$(FIREFOX),firefox-esr,the browser tests,FIREFOX)

# Firefox ESR 140 as well, the older of the two ESRs the browser tests run
# in (the installed firefox-esr is the newer, 153): Debian's package of the
# newest 140.x that apt's lists carry (bookworm's main suite does), unpacked
# into .cache/, never installed; it uses the libraries firefox-esr brought.
# Once the lists carry no 140.x, set FIREFOX_140 to a Firefox ESR 140.
FIREFOX_140 ?= $(CURDIR)/.cache/firefox-esr-140/usr/lib/firefox-esr/firefox-esr
deps-firefox140: deps-firefox
	@if [ ! -x "$(FIREFOX_140)" ]; then \
	  if [ "$(FIREFOX_140)" != "$(CURDIR)/.cache/firefox-esr-140/usr/lib/firefox-esr/firefox-esr" ]; then \
	    echo "the browser tests need Firefox ESR 140: FIREFOX_140=$(FIREFOX_140) is not a program" >&2; exit 1; \
	  fi; \
	  v=$$(apt-cache madison firefox-esr 2>/dev/null | awk '$$3 ~ /^140\./ {print $$3}' | sort -V | tail -n 1); \
	  if [ -z "$$v" ] && [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	    v=$$(apt-cache madison firefox-esr 2>/dev/null | awk '$$3 ~ /^140\./ {print $$3}' | sort -V | tail -n 1); fi; \
	  if [ -z "$$v" ]; then \
	    echo "the browser tests need Firefox ESR 140, and apt's lists carry no firefox-esr 140.x: set FIREFOX_140=/path/to/firefox" >&2; exit 1; \
	  fi; \
	  echo "unpacking Debian's firefox-esr $$v into .cache/firefox-esr-140 for the browser tests"; \
	  tmp=$$(mktemp -d) && (cd $$tmp && apt-get download -qq "firefox-esr=$$v" 2>/dev/null) \
	    && rm -rf .cache/firefox-esr-140 .cache/firefox-esr-140.tmp && mkdir -p .cache \
	    && dpkg-deb -x $$tmp/firefox-esr_*.deb .cache/firefox-esr-140.tmp \
	    && mv .cache/firefox-esr-140.tmp .cache/firefox-esr-140; \
	  ok=$$?; rm -rf $$tmp; [ $$ok = 0 ] || { echo "could not unpack firefox-esr $$v" >&2; exit 1; }; \
	fi

# Debian's redis-server for the relay's tests, which start their own on a
# free loopback port without persistence (and as a Sentinel); never the
# system's Redis.
REDIS_SERVER ?= redis-server
deps-redis:
	$(call debian-dep,$(REDIS_SERVER),redis-server,the relay's tests,REDIS_SERVER)

# Debian's prometheus for its promtool, which the relay's metrics test runs
# on a scrape (`promtool check metrics`).
PROMTOOL ?= promtool
deps-prometheus:
	$(call debian-dep,$(PROMTOOL),prometheus,the relay's metrics tests,PROMTOOL)

# Debian's systemd for systemd-analyze, which verifies the relay's unit, and
# podman, which builds its FROM scratch image offline (web/relay/deploy).
SYSTEMD_ANALYZE ?= systemd-analyze
PODMAN ?= podman
deps-systemd:
	$(call debian-dep,$(SYSTEMD_ANALYZE),systemd,the relay's deploy tests,SYSTEMD_ANALYZE)
deps-podman:
	$(call debian-dep,$(PODMAN),podman,the relay's deploy tests,PODMAN)

# Debian's nginx and caddy for the static-hosting test (web/test/hosting.test.mjs),
# which starts each on a free loopback port with a configuration of its own,
# never the system's service (which the package may start on port 80).
NGINX ?= /usr/sbin/nginx
CADDY ?= /usr/bin/caddy
deps-nginx:
	$(call debian-dep,$(NGINX),nginx,the static-hosting tests,NGINX)
deps-caddy:
	$(call debian-dep,$(CADDY),caddy,the static-hosting tests,CADDY)

# Node tests load the module through web/gotoauth-node.js; browser.test.mjs
# drives the demo in headless Chromium and Firefox and saves
# web/test-results/signed-in-chromium.png and signed-in-firefox.png.
test-node: build deps-node deps-chromium deps-firefox deps-firefox140 deps-nginx deps-caddy
	cd web && CHROMIUM=$(CHROMIUM) FIREFOX=$(FIREFOX) FIREFOX_140=$(FIREFOX_140) NGINX=$(NGINX) CADDY=$(CADDY) node --test --test-concurrency=1 test/*.test.mjs

# Interop with a real authorization server (ory/fosite), in its own module
# so that fosite's dependencies stay out of gotoauth's go.mod.
test-interop: build
	cd web/test/interop && $(GO) test -count=1 ./...

clean:
	rm -f web/*.wasm web/*.br web/*.gz web/wasm_exec.js web/gotoauth-glue.mjs web/gotoauth.js web/bench/results.json web/bench/restore-results.json web/bench/relay-results.json
	rm -f web/README.md web/LICENSE web/THIRD_PARTY_LICENSES
	rm -rf $(PACK_DIR)
