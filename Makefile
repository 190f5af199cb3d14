# The two commands of the README: `make run` and `make test`.
.PHONY: run test build spa binary kube helm deploy-check clean bench fuzz soak

FUZZTIME ?= 10s

STATE ?= .state

## run: install what is missing, start a local Keystone with demo users, build and serve the panel
run:
	@scripts/run.sh

## test: install what is missing, start the real counterparts and run every test
test:
	@scripts/test.sh

## build: the SPA and the binary (bin/kaas)
build: spa binary

spa:
	cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build

binary:
	go build -o bin/kaas .

## kube: build kube-apiserver, etcd and kubectl into the cache (done by run and test too)
kube:
	@scripts/build-kube.sh

## helm: build helm into the cache (done by deploy-check too)
helm:
	@scripts/build-helm.sh

## deploy-check: lint and render the Helm chart, dry-run every object on a real kube-apiserver
deploy-check:
	@scripts/deploy-check.sh

clean:
	rm -rf bin

## bench: Go benchmarks and the TokenReview load test (needs the test Keystone: see BENCHMARKS.md)
bench:
	@scripts/bench.sh

## fuzz: every fuzz target for FUZZTIME each (make test gives them 10s; e.g. make fuzz FUZZTIME=5m)
fuzz:
	@FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

## soak: ten minutes of mixed load on a real panel process; fails on any error or RSS growth over 10% (see BENCHMARKS.md)
soak:
	@scripts/soak.sh
