# Decision Register. `make run` and `make test` are all a newcomer needs; both start (or reuse)
# a private PostgreSQL cluster for this clone, on a port of its own, when DATABASE_URL is unset
# (see .ci/devdb).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

GO ?= go
BIN := bin/decisions
# The database URL: the caller's, or the private cluster's (started on demand).
DB = $${DATABASE_URL:-$$(.ci/devdb up)}

.PHONY: run build test bench soak screenshots generate check-generated assets db-up db-stop db-reset fmt vet fuzz clean backup security

build: ## compile the server
	$(GO) build -o $(BIN) ./cmd/decisions

run: build ## build, start the database, migrate (an explicit step: serve never does it), seed and serve on ADDR (default :8080)
	.ci/need-browser-tools --documents
	@# Chromium prints the signed decision documents; without it the register still serves and
	@# signs, and the documents wait until it is installed.
	.ci/need-browser-tools --chromium || echo "make run: no Chromium: signed decision documents will wait until it is installed" >&2
	DATABASE_URL="$(DB)"; export DATABASE_URL; ./$(BIN) migrate up && exec ./$(BIN) serve

test: ## the whole suite, browser tests included, against a real PostgreSQL and Chromium (and nginx, for the fleet tests)
	.ci/need-browser-tools
	.ci/proxy install
	@# .ci/test: everything but the browser tests under the race detector, the browser tests
	@# without it, in tabs side by side; it fails unless every package reported a result.
	DATABASE_URL="$(DB)"; export DATABASE_URL; GO="$(GO)" .ci/test

# How many synthetic decisions the load run's database holds: BENCH_N=1000000 for the large run.
BENCH_N ?= 100000

bench: ## benchmarks: Go benchmarks, then a wrk load run over BENCH_N synthetic decisions (bench/results-N.txt)
	.ci/need-browser-tools --wrk
	DATABASE_URL="$(DB)"; export DATABASE_URL; $(GO) test -run '^$$' -bench . -benchmem -count 1 ./...
	DATABASE_URL="$(DB)"; export DATABASE_URL; BENCH_N="$(BENCH_N)" .ci/loadrun

soak: ## a ten-minute mixed soak at a bounded rate: memory, goroutines and 5xx over time (not in CI)
	DATABASE_URL="$(DB)"; export DATABASE_URL; .ci/soak

fuzz: ## run each fuzz target for a short while
	for f in FuzzParseReference FuzzParsePence FuzzParseFinancialYear FuzzFindReferences; do \
		$(GO) test ./internal/decision -run '^$$' -fuzz "^$$f\$$" -fuzztime 20s; done

screenshots: ## PNG screenshots of every page type at 1280 and 390 px, into screenshots/
	.ci/need-browser-tools
	DATABASE_URL="$(DB)"; export DATABASE_URL; SCREENSHOTS_DIR="$(CURDIR)/screenshots" $(GO) test -count=1 -run '^TestNoWordSplitAcrossLines$$' ./internal/e2e

generate: ## regenerate templ's Go code
	$(GO) tool templ generate

check-generated: ## fail when the committed templ code is stale
	$(GO) tool templ generate
	git diff --exit-code -- '*_templ.go' || { echo "generated templ code is stale: run 'make generate' and commit"; exit 1; }
	test -z "$$(git status --porcelain -- '*_templ.go')" || { echo "untracked generated templ code: commit it"; exit 1; }

assets: ## rebuild web/static from web/styles and GOV.UK Frontend (needs Node and npm)
	cd web && npm ci --no-audit --no-fund && npm run build

backup: ## pg_dump the database (custom format) into backups/decisions-<UTC time>.dump; restoring: README
	.ci/backup

security: ## sqlmap over every query parameter and form (public, sign-in, staff) of a server on a private database
	.ci/security

db-up: ## start the private PostgreSQL cluster and print its URL
	.ci/devdb up

db-stop: ## stop the private PostgreSQL cluster
	.ci/devdb stop

db-reset: ## stop the private cluster and delete its data
	.ci/devdb reset

fmt:
	gofmt -l -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin screenshots
