# Switchboard: the commands a developer and CI use. `make run` starts the
# product on its embedded defaults; `make test` is exactly what CI runs.

GO ?= go
STATICCHECK_VERSION ?= v0.8.2
PKGS := ./...
# PostgreSQL for the store conformance suite (trust auth on this machine).
export SWITCHBOARD_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: run build test lint vet fmt-check unit fuzz bench clean web web-test web-lint web-check e2e

run:
	$(GO) run ./cmd/switchboard serve

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/switchboard ./cmd/switchboard

# Every target runs even when one fails; scripts/run-targets prints each
# one's result and time at the end and fails if any did.
TEST_TARGETS := lint unit fuzz web-test web-lint web-check e2e
test:
	@MAKE="$(MAKE)" scripts/run-targets $(TEST_TARGETS)

# The web app. `make web` rebuilds web/dist (committed, so go build needs no
# Node.js); web-check fails when the committed build does not match the
# sources or the initial JavaScript grows past its budget.
web:
	cd web && npm ci && npm run build

web-test:
	cd web && npm test

# ESLint (typescript-eslint, the React hooks rules, the state layer's import
# boundary) and the generated API types: src/api/schema.d.ts must be what
# internal/api/openapi.json gives (regenerate with `cd web && npm run api-types`).
web-lint:
	cd web && npm run lint && npm run api-types -- --check

web-check:
	cd web && npm run build && npm run check-size
	git diff --exit-code -- web/dist || { echo "web/dist is stale: run make web and commit it"; exit 1; }

# End-to-end tests in Debian's Chromium against the real binary and emulator.
e2e:
	cd web && npm run e2e

lint: fmt-check vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# -race also turns on checkptr, which instruments every unsafe.Pointer
# conversion; in modernc.org/sqlite's machine-translated C that is about a
# third of the SQLite tests' CPU. It stays on for our own code, and the race
# detector stays on everywhere.
RACE_GCFLAGS := -gcflags='modernc.org/...=-d=checkptr=0'
unit:
	$(GO) test -race $(RACE_GCFLAGS) -count=1 -timeout 20m $(PKGS)

# A short fuzzing run of the webhook parser in every CI run; longer runs by hand:
#   go test -run=^$$ -fuzz=FuzzParseNotification -fuzztime=10m ./internal/whatsapp/
# The CI budget is a count of executions, not a duration: with a duration the
# Go 1.26 fuzz coordinator can report its own deadline as a failure
# ("context deadline exceeded", no crasher written) when a starved worker is
# still mid-call as the time runs out (golang/go#75804, fixed in Go 1.27).
# A count has no wall-clock deadline to race; a loaded machine only runs longer.
fuzz:
	$(GO) test -run=^$$ -fuzz=FuzzParseNotification -fuzztime=500000x ./internal/whatsapp/
	$(GO) test -run=^$$ -fuzz=FuzzVerifySignature -fuzztime=200000x ./internal/whatsapp/

bench:
	$(GO) test -run=^$$ -bench=. -benchtime=2s ./internal/sqlite/ ./internal/postgres/

clean:
	rm -rf bin
