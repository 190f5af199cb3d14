#!/usr/bin/env bash
# test.sh installs what is missing, starts the real counterparts (Keystone, PostgreSQL,
# kube-apiserver binaries, OpenStack) and runs every Go test, each fuzz target for 10 s, the
# Helm chart check, the frontend unit tests and the browser tests. A counterpart that cannot
# be started fails the run. Last, every log the run wrote (panels, local clusters' etcd and
# kube-apiserver, the test Keystone, the browser tests' servers) is scanned for every
# secret the run created (cmd/kaas-secretscan).
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
  trap 'scripts/keystone.sh stop "$STATE/test-keystone" >/dev/null 2>&1 || true
    scripts/openstack.sh stop "$STATE/test-openstack" >/dev/null 2>&1 || true' EXIT
fi

# The harnesses append every secret they create or receive to the ledger and write every
# process's log under the log directory; the last step looks for the one in the other.
LOGS=$STATE/test-logs
export KAAS_TEST_LOG_DIR=$LOGS KAAS_SECRET_LEDGER=$STATE/test-secrets.jsonl
rm -rf "$LOGS" "$KAAS_SECRET_LEDGER"
mkdir -p "$LOGS/browser"
KEYSTONE_LOG=$STATE/test-keystone/keystone.log
keystone_from=$(($(stat -c %s "$KEYSTONE_LOG" 2>/dev/null || echo 0) + 1))

step "building the SPA"
(cd frontend && { [[ -d node_modules && node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund; } && npm run --silent codegen:check && npm run --silent build)

step "go vet"
go vet ./...

step "go test"
go test -count=1 -timeout 20m ./... 2>&1 | tee "$LOGS/go-test.log"

step "fuzz targets, 10 s each"
FUZZTIME=10s scripts/fuzz.sh

step "deploy check (Helm chart on a real kube-apiserver)"
scripts/deploy-check.sh

# The whole-panel suite again with PostgreSQL under it (apptest.Config reads this).
step "go test ./app/ on PostgreSQL"
KAAS_TEST_APP_DATABASE=postgres go test -count=1 -timeout 10m ./app/

step "building the binaries"
go build -o bin/kaas .
# The browser tests hold provisioning steps open with a switch only a test build has.
go build -tags faultinject -o bin/kaas-faultinject .
go build -o bin/kaas-testbed ./cmd/kaas-testbed
export KAAS_BIN="$ROOT/bin/kaas-faultinject" KAAS_TESTBED_BIN="$ROOT/bin/kaas-testbed"

step "frontend unit tests"
(cd frontend && npm test --silent)

step "browser tests (Chromium)"
(cd frontend && npm run --silent e2e) 2>&1 | tee "$LOGS/browser/e2e-output.log"

step "no secret in any log"
# The test Keystone is shared with other runs: only what it wrote during this one.
tail -c +"$keystone_from" "$KEYSTONE_LOG" >"$LOGS/keystone.log"
go run ./cmd/kaas-secretscan -ledger "$KAAS_SECRET_LEDGER" -logs "$LOGS"
rm -f "$KAAS_SECRET_LEDGER"

step "all tests passed"
