# Mắt Thần — build, run, test and lint. Every target works offline once
# the module cache holds the dependencies (staticcheck and govulncheck
# are installed into ./bin on first use; govulncheck's database is
# online, and lint skips it, saying so, where it cannot be reached).

GO          ?= go
BIN         := $(CURDIR)/bin
STATICCHECK := $(BIN)/staticcheck
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK := $(BIN)/govulncheck
GOVULNCHECK_VERSION := v1.9.0
# govulncheck's database (its -db): an http(s) URL, or file:///dir for a
# copy on disk; and how long it has to answer before lint skips it.
VULNDB         ?= https://vuln.go.dev
VULNDB_TIMEOUT ?= 5s

.PHONY: all build run test bench lint tidy fmt vet staticcheck vulncheck clean web deps openapi-lint cluster-demo

all: lint test build

## build: compile bin/matthan, with the console's assets built first
build: web
	$(GO) build -o $(BIN)/matthan ./cmd/matthan

## cluster-demo: cluster mode on loopback (docs/cluster.md): three etcd
## members run from etcd's Go module (nothing to install) and three
## `matthan serve` nodes on them, APIs on 127.0.0.1:8081-8083, data in
## data/cluster-demo; Ctrl-C stops them all
cluster-demo: build
	$(GO) run ./tools/cluster-demo -matthan $(BIN)/matthan -dir data/cluster-demo
## run: build, then start the demo: the sample district on ./data/demo
## (wiped at every start), simulated cameras, and the sample's tips
## sealed to a throwaway chief key whose path the demo prints
run: build
	$(BIN)/matthan demo

## web: the console's scripts and styles, from npm (pinned in
## web/package-lock.json) and esbuild, into web/dist (embedded by the
## Go build). Runs again only when a source or the lockfile changes.
WEB_SRC := $(shell find web/src -type f 2>/dev/null) web/build.mjs
web: web/dist/manifest.json

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/manifest.json: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && node build.mjs

## deps: the programs the tests run besides Go, installed from Debian's
## packages when missing (as root, or through sudo): GDAL's ogr2ogr and
## ogrinfo (gdal-bin) check the GeoJSON a GIS tool gets, chromium runs the
## console's browser tests, openssl runs the README's webhook check,
## ffprobe (ffmpeg) reads the clips a capture records.
## Each entry is command:package. Nothing happens when every command is
## there. Without apt-get the tests that need a missing command skip,
## unless CI is set: then they fail, and so does this target.
TEST_TOOLS := ogr2ogr:gdal-bin chromium:chromium openssl:openssl ffprobe:ffmpeg
SUDO       := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
deps:
	@missing=; \
	for t in $(TEST_TOOLS); do \
		command -v "$${t%%:*}" >/dev/null 2>&1 || missing="$$missing $${t#*:}"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if command -v apt-get >/dev/null 2>&1; then \
		echo "deps: installing$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing && exit 0; \
		echo "deps: apt-get could not install$$missing" >&2; \
	else \
		echo "deps: no apt-get to install$$missing" >&2; \
	fi; \
	if [ -n "$$CI" ]; then exit 1; fi; \
	echo "deps: the tests that need$$missing will skip" >&2

## test: every test, with the race detector (the end-to-end tests build
## and run the real binary; the console's run in chromium), and the
## linter of the API description
test: deps web openapi-lint
	$(GO) test -race -count=1 -timeout 14m ./...

## openapi-lint: the API description (api/openapi.yaml) through Redocly's
## linter, every rule of its recommended set an error
## (tools/openapi-lint/redocly.yaml). Redocly CLI comes from npm, pinned
## in tools/openapi-lint/package-lock.json, and is installed again only
## when that changes. The Go build does not need it.
OPENAPI_LINT := tools/openapi-lint
openapi-lint: $(OPENAPI_LINT)/node_modules/.package-lock.json
	cd $(OPENAPI_LINT) && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		./node_modules/.bin/redocly lint --config redocly.yaml --format stylish

$(OPENAPI_LINT)/node_modules/.package-lock.json: $(OPENAPI_LINT)/package.json $(OPENAPI_LINT)/package-lock.json
	cd $(OPENAPI_LINT) && npm ci --no-audit --no-fund

## bench: the benchmarks behind the README's performance figures; each
## line prints the figure it measures (req/s, s/import, rss_MB, ...)
BENCH = $(GO) test -run '^$$' -benchmem
bench: deps web
	$(BENCH) -bench 'AssetsGzip' -benchtime 1x ./web
	$(BENCH) -bench 'ConsoleMapFirstLoad' -benchtime 5x ./cmd/matthan
	$(BENCH) -bench 'Import100k' -benchtime 3x ./api
	$(BENCH) -bench 'GetCamera' -benchtime 20000x ./api
	$(BENCH) -bench 'DaemonRSS' -benchtime 1x ./cmd/matthan
	$(BENCH) -bench 'ProbeDescribe' -benchtime 3s ./camera/rtsp
	$(BENCH) -bench 'Poller' -benchtime 5x ./ingest
	$(BENCH) -bench . -benchtime 10x ./exchange
	$(BENCH) -bench . ./internal/jsontext
	$(BENCH) -bench . ./geo
	$(BENCH) -bench 'NearHTTP1M' -benchtime 20000x ./api
	$(BENCH) -bench 'SuggestHTTP1M' -benchtime 5x ./api
	$(BENCH) -bench 'BenchmarkIncident(CameraDay|RadiusDay)' -benchtime 3s ./registry
	$(BENCH) -bench 'BenchmarkIncidentBulkCreate' -benchtime 1000000x ./registry
	$(BENCH) -bench 'Upload500MB' -benchtime 2x ./evidence
	$(BENCH) -bench 'DaemonStart1M' -benchtime 1x -timeout 30m ./cmd/matthan
	$(BENCH) -bench 'DecodeCamera|EncodeCamera' ./registry/record
	$(BENCH) -bench 'TipIntake' -benchtime 3000x ./api
	$(BENCH) -bench 'TipCounts100k' -benchtime 200x ./api
	$(BENCH) -bench 'Seal' ./internal/informant
	$(BENCH) -bench 'ImportDonations' -benchtime 2x ./registry
	$(BENCH) -bench 'CreateDonation100k' -benchtime 200x ./registry
	# The country (1,000,000 cameras, 5,000,000 donations, ...) is built
	# once, in a temporary directory both benchmarks share, and removed.
	dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	MATTHAN_COUNTRY_DB="$$dir/country.db" $(BENCH) -bench 'Funding.*1M|UptimeAll1M|Places1M' -benchtime 5x -timeout 30m ./registry && \
	MATTHAN_COUNTRY_DB="$$dir/country.db" $(BENCH) -bench 'Reports1M' -benchtime 5x -timeout 30m ./cmd/matthan
	# Layer imports: near, coverage and camera PATCHes while a 193,600-junction
	# road layer is imported (p99 of each); the commune lookups and the
	# refused street grid are in the ./geo line above.
	$(BENCH) -bench 'LayerImportReaders' -benchtime 3x -timeout 20m ./api
	# Cluster: the command log alone on etcd members in the test process,
	# not yet the daemon.
	$(BENCH) -bench 'LogWrite' -benchtime 300x ./cluster
	$(BENCH) -bench 'ApplyCatchUp100k' -benchtime 1x -timeout 10m ./cluster
	# The registry applying the log (replica): a camera created through
	# the log, and a node catching up on 100,000 camera commands.
	$(BENCH) -bench 'CreateCameraThroughLog' -benchtime 300x ./replica
	$(BENCH) -bench 'RegistryApplyCatchUp100k' -benchtime 1x -timeout 20m ./replica
	# Probes of fake RTSP cameras by real `matthan serve` processes, their
	# CPU read from their /metrics: CPU per shallow probe, and one node in
	# single-node mode beside three nodes of a cluster on an etcd member.
	$(BENCH) -bench 'ProbeCPU$$' -benchtime 1x ./cmd/matthan
	$(BENCH) -bench 'ClusterProbes$$' -benchtime 1x ./cmd/matthan
	# A node started empty beside a cluster of 1,000,000 cameras: exec to
	# /readyz 200, its copy of a live node's registry included.
	$(BENCH) -bench 'ClusterJoin1M' -benchtime 1x -timeout 30m ./cmd/matthan

## lint: go.mod and go.sum tidy, gofmt, go vet, staticcheck and
## govulncheck; fails on any finding
lint: tidy fmt vet staticcheck vulncheck

## tidy: fails, showing the change, when go mod tidy would change go.mod
## or go.sum
tidy:
	$(GO) mod tidy -diff

fmt:
	@files=$$(gofmt -l $$(find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$files" ]; then echo "gofmt: not formatted:"; echo "$$files"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

$(STATICCHECK):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## vulncheck: govulncheck over every package: fails on a vulnerability
## the code reaches. First .ci/vulndb.go asks the database for its index,
## through Go's HTTP client as govulncheck would, for VULNDB_TIMEOUT at
## most; when it cannot be reached (a CI machine that reaches only the
## package registries) the check is skipped with the reason, and lint
## goes on.
vulncheck: $(GOVULNCHECK) $(BIN)/vulndb
	@rc=0; reason=$$($(BIN)/vulndb -timeout $(VULNDB_TIMEOUT) "$(VULNDB)" 2>&1) || rc=$$?; \
	if [ $$rc -eq 2 ]; then \
		echo "vulncheck: skipped: govulncheck's database $(VULNDB) cannot be reached: $$reason"; \
		exit 0; \
	fi; \
	if [ $$rc -ne 0 ]; then echo "vulncheck: $$reason" >&2; exit $$rc; fi; \
	echo "$(GOVULNCHECK) -db $(VULNDB) ./..."; \
	$(GOVULNCHECK) -db "$(VULNDB)" ./...

$(GOVULNCHECK):
	GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

$(BIN)/vulndb: .ci/vulndb.go
	$(GO) build -o $@ .ci/vulndb.go

clean:
	rm -rf $(BIN)
