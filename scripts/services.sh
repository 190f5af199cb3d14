#!/usr/bin/env bash
# services.sh starts the real counterparts the tests and benchmarks talk to (a test
# Keystone with demo users, PostgreSQL, the kube-apiserver binaries) and writes their
# environment to .state/test-env.sh. Sourced by test.sh and bench.sh; on its own:
#   scripts/services.sh && . .state/test-env.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${KAAS_STATE_DIR:-$ROOT/.state}
mkdir -p "$STATE"
cd "$ROOT"

echo "== services: installing missing packages" >&2
scripts/deps.sh

echo "== services: kube-apiserver, etcd and kubectl (built once into the cache)" >&2
kube_bin=$(scripts/build-kube.sh)

echo "== services: the test Keystone" >&2
keystone_env=$(scripts/keystone.sh start "$STATE/test-keystone")

echo "== services: PostgreSQL" >&2
pg_dsn=$(scripts/postgres.sh kaas_test)

{
  echo "$keystone_env"
  echo "export KAAS_TEST_POSTGRES_DSN='$pg_dsn'"
  echo "export KAAS_KUBE_BIN_DIR='$kube_bin'"
} >"$STATE/test-env.sh"
