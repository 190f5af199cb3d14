#!/usr/bin/env bash
# run.sh sets up and runs the panel on its embedded defaults: it installs what is missing,
# starts a local Keystone with demo users, builds the SPA and the binary, and serves the
# panel on SQLite in .state/data. Ctrl-C stops the panel (the Keystone keeps running;
# `scripts/keystone.sh stop .state/keystone` stops it).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
STATE=${KAAS_STATE_DIR:-$ROOT/.state}
ADDR=${KAAS_ADDR:-127.0.0.1:8080}
mkdir -p "$STATE"

echo "== run: installing missing packages" >&2
scripts/deps.sh

echo "== run: starting the local Keystone" >&2
eval "$(scripts/keystone.sh start "$STATE/keystone" "${KAAS_KEYSTONE_PORT:-5000}")"

echo "== run: building the SPA and the binary" >&2
(cd frontend && { [[ -d node_modules && node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund; } && npm run --silent build)
go build -o bin/kaas .

cat >&2 <<MSG

  KaaS control panel: http://$ADDR/   (GraphQL playground: http://$ADDR/playground)
  Keystone:           $OS_AUTH_URL

  Demo users (domain Default):
    oscar  / oscar-pass   operator (provisions and adopts clusters)
    alice  / alice-pass   cluster admin (through the group demo-cluster-admins)
    ursula / ursula-pass  regular user
    dora   / dora-pass    disabled (login is refused)

MSG
exec bin/kaas --addr "$ADDR" --data-dir "$STATE/data" --public-url "http://$ADDR"
