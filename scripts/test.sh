#!/usr/bin/env bash
# test.sh installs what is missing, starts the real counterparts (Keystone, PostgreSQL,
# kube-apiserver binaries) and runs every Go test, each fuzz target for 10 s, the frontend
# unit tests and the browser tests. A counterpart that cannot be started fails the run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
STATE=${KAAS_STATE_DIR:-$ROOT/.state}
mkdir -p "$STATE"
start=$(date +%s)
step() { echo "== test: $* ($(($(date +%s) - start)) s)" >&2; }

step "starting the real counterparts"
scripts/services.sh
# shellcheck disable=SC1091
. "$STATE/test-env.sh"
if [[ -z ${KAAS_KEEP_SERVICES:-} ]]; then
  trap 'scripts/keystone.sh stop "$STATE/test-keystone" >/dev/null 2>&1 || true' EXIT
fi

step "building the SPA"
(cd frontend && { [[ -d node_modules && node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund; } && npm run --silent codegen:check && npm run --silent build)

step "go vet"
go vet ./...

step "go test"
go test -count=1 -timeout 20m ./...

step "fuzz targets, 10 s each"
FUZZTIME=10s scripts/fuzz.sh

step "deploy check (Helm chart on a real kube-apiserver)"
scripts/deploy-check.sh

step "building the binaries"
go build -o bin/kaas .
# The browser tests hold provisioning steps open with a switch only a test build has.
go build -tags faultinject -o bin/kaas-faultinject .
go build -o bin/kaas-testbed ./cmd/kaas-testbed
export KAAS_BIN="$ROOT/bin/kaas-faultinject" KAAS_TESTBED_BIN="$ROOT/bin/kaas-testbed"

step "frontend unit tests"
(cd frontend && npm test --silent)

step "browser tests (Chromium)"
(cd frontend && npm run --silent e2e)

step "all tests passed"
