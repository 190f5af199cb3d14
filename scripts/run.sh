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
# The demo users hold the operator and cluster-admin roles on the seeded project demo.
export KAAS_ROLE_SCOPE=${KAAS_ROLE_SCOPE:-project:demo@Default}

echo "== run: kube-apiserver, etcd and kubectl for the demo cluster (built once, ~6 min the first time)" >&2
KAAS_KUBE_BIN_DIR=$(scripts/build-kube.sh)
export KAAS_KUBE_BIN_DIR

echo "== run: building the SPA and the binary" >&2
(cd frontend && { [[ -d node_modules && node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund; } && npm run --silent build)
go build -o bin/kaas .

bin/kaas --addr "$ADDR" --data-dir "$STATE/data" --public-url "http://$ADDR" --kube-bin-dir "$KAAS_KUBE_BIN_DIR" &
panel=$!
trap 'kill -TERM $panel 2>/dev/null; wait $panel' INT TERM EXIT
for _ in $(seq 300); do
  curl -sf "http://$ADDR/readyz" >/dev/null && break
  kill -0 $panel 2>/dev/null || { echo "run: the panel exited" >&2; exit 1; }
  sleep 0.1
done

# The demo cluster: provisioned once with the local driver, restored by the panel on
# every later start. alice becomes its admin.
gql() { curl -sf -b "$STATE/demo.cookies" -c "$STATE/demo.cookies" -H 'Content-Type: application/json' "http://$ADDR/graphql" -d "$1"; }
gql '{"query":"mutation{login(username:\"oscar\",password:\"oscar-pass\"){name}}"}' >/dev/null
if ! gql '{"query":"{clusters{name}}"}' | grep -q '"name":"demo"'; then
  echo "== run: provisioning the demo cluster (local driver)" >&2
  gql '{"query":"mutation{provisionCluster(input:{name:\"demo\",baseDomain:\"kaas.local\",driver:LOCAL,adminUser:\"alice\"}){id}}"}' >&2 || true
  echo >&2
fi
rm -f "$STATE/demo.cookies"

cat >&2 <<MSG

  KaaS control panel: http://$ADDR/   (GraphQL playground: http://$ADDR/playground)
  Keystone:           $OS_AUTH_URL

  Demo users (domain Default):
    oscar  / oscar-pass   operator (provisions and adopts clusters)
    alice  / alice-pass   admin of the demo cluster (through the group demo-cluster-admins)
    ursula / ursula-pass  regular user
    dora   / dora-pass    disabled (login is refused)

  Try it: log in as alice, create a token on Tokens, download the kubeconfig, then
    $KAAS_KUBE_BIN_DIR/kubectl --kubeconfig kubeconfig-demo.yaml get ns

MSG
wait $panel
