#!/usr/bin/env bash
# test.sh installs what is missing, starts the real counterparts (Keystone, PostgreSQL,
# kube-apiserver binaries) and runs every Go test, the frontend unit tests and the browser
# tests. A counterpart that cannot be started fails the run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
STATE=${KAAS_STATE_DIR:-$ROOT/.state}
mkdir -p "$STATE"
start=$(date +%s)
step() { echo "== test: $* ($(($(date +%s) - start)) s)" >&2; }

step "installing missing packages"
scripts/deps.sh

step "building kube-apiserver, etcd and kubectl (cached after the first time)"
KAAS_KUBE_BIN_DIR=$(scripts/build-kube.sh)
export KAAS_KUBE_BIN_DIR

step "starting the test Keystone"
keystone_dir="$STATE/test-keystone"
eval "$(scripts/keystone.sh start "$keystone_dir")"
if [[ -z ${KAAS_KEEP_SERVICES:-} ]]; then
  trap 'scripts/keystone.sh stop "$keystone_dir" >/dev/null 2>&1 || true' EXIT
fi

step "starting PostgreSQL"
KAAS_TEST_POSTGRES_DSN=$(scripts/postgres.sh kaas_test)
export KAAS_TEST_POSTGRES_DSN

step "building the SPA"
(cd frontend && { [[ -d node_modules && node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund; } && npm run --silent codegen:check && npm run --silent build)

step "go vet"
go vet ./...

step "go test"
go test -count=1 -timeout 20m ./...

step "building the binary"
go build -o bin/kaas .
export KAAS_BIN="$ROOT/bin/kaas"

step "frontend unit tests"
(cd frontend && npm test --silent)

step "browser tests (Chromium)"
(cd frontend && npm run --silent e2e)

step "all tests passed"
