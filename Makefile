# The README's two commands are `go run ./cmd/parley` and `make test`.
GO ?= go

.PHONY: test race bench lint run eval build

# third_party/aho-corasick is its own module (a patched library, see its
# README.parley.md), so ./... does not reach it.
test:
	$(GO) vet ./...
	$(GO) test ./...
	cd third_party/aho-corasick && $(GO) vet . && $(GO) test .

race:
	$(GO) test -race ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

run:
	$(GO) run ./cmd/parley

eval:
	$(GO) run ./cmd/parley eval analysis --data ../shared/eval/analysis-dev.jsonl
	$(GO) run ./cmd/parley eval screen --data ../shared/eval/screen-dev.jsonl

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o bin/parley ./cmd/parley
