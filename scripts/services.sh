#!/usr/bin/env bash
# services.sh starts the real counterparts the tests and benchmarks talk to (a test
# Keystone with demo users, PostgreSQL, the kube-apiserver binaries, a real OpenStack for
# the openstack driver) and writes their environment to .state/test-env.sh. Sourced by
# test.sh and bench.sh; on its own:
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

echo "== services: OpenStack (Nova, Neutron, Octavia, Glance, Placement, Keystone; ~2.5 min the first time)" >&2
# Its own OS_* must not shadow the test Keystone's: KAAS_TEST_OPENSTACK_AUTH_URL and so on.
openstack_env=$(scripts/openstack.sh start "$STATE/test-openstack" |
  sed 's/^export OS_/export KAAS_TEST_OPENSTACK_/; s/^export KAAS_OPENSTACK_/export KAAS_TEST_OPENSTACK_/')

{
  echo "$keystone_env"
  echo "$openstack_env"
  echo "export KAAS_TEST_POSTGRES_DSN='$pg_dsn'"
  echo "export KAAS_KUBE_BIN_DIR='$kube_bin'"
} >"$STATE/test-env.sh"
