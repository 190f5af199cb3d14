#!/usr/bin/env bash
# run.sh sets up and runs the panel on its embedded defaults: it installs what is missing,
# starts a local Keystone with demo users, builds the SPA and the binary, and serves the
# panel on SQLite in .state/data as soon as its own binary is built. The Kubernetes
# binaries (etcd, kube-apiserver, kubectl) are built in the background meanwhile (about ten
# minutes the first time); once they are there the panel's LOCAL driver turns on by itself
# and the demo cluster is provisioned, a job to watch on Operations → Clusters. Ctrl-C stops
# the panel, the background build and the demo cluster (the Keystone keeps running;
# `scripts/keystone.sh stop .state/keystone` stops it).
#
# KAAS_BUILD_KUBE names the command that builds the Kubernetes binaries (default
# scripts/build-kube.sh; `--dir` prints their directory without building).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
STATE=${KAAS_STATE_DIR:-$ROOT/.state}
ADDR=${KAAS_ADDR:-127.0.0.1:8080}
BUILD_KUBE=${KAAS_BUILD_KUBE:-scripts/build-kube.sh}
mkdir -p "$STATE"
start=$(date +%s)
step() { echo "== run: $* ($(($(date +%s) - start)) s)" >&2; }

step "installing missing packages"
scripts/deps.sh

step "starting the local Keystone"
eval "$(scripts/keystone.sh start "$STATE/keystone" "${KAAS_KEYSTONE_PORT:-5000}")"
# The demo users hold the operator and cluster-admin roles on the seeded project demo.
export KAAS_ROLE_SCOPE=${KAAS_ROLE_SCOPE:-project:demo@Default}

step "building the SPA and the binary"
# The SPA is rebuilt only when a source is newer than the last build.
spa_stale() {
  [[ ! -f frontend/dist/index.html ]] ||
    [[ -n $(find frontend/src frontend/index.html frontend/package-lock.json frontend/vite.config.ts -newer frontend/dist/index.html -print -quit) ]]
}
if spa_stale; then
  (cd frontend && { [[ -d node_modules && node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund; } && npm run --silent build)
fi
go build -o bin/kaas .

# The panel looks for the binaries in this directory on every use, so it can start before
# they are built. The demo cluster reaches the panel's webhook over plain http on
# loopback: --allow-insecure-webhook permits that (never on a network).
KUBE_BIN=$("$BUILD_KUBE" --dir)
bin/kaas --addr "$ADDR" --data-dir "$STATE/data" --public-url "http://$ADDR" --kube-bin-dir "$KUBE_BIN" --allow-insecure-webhook &
panel=$!
builder=
stop_all() {
  trap - INT TERM EXIT
  if [[ -n $builder ]]; then kill -TERM -- "-$builder" 2>/dev/null || true; fi
  kill -TERM $panel 2>/dev/null || true
  wait $panel 2>/dev/null || true
}
trap stop_all INT TERM EXIT
for _ in $(seq 600); do
  curl -sf "http://$ADDR/readyz" >/dev/null && break
  kill -0 $panel 2>/dev/null || {
    echo "run: the panel exited" >&2
    exit 1
  }
  sleep 0.1
done
curl -sf "http://$ADDR/readyz" >/dev/null || {
  echo "run: the panel did not answer within 60 s" >&2
  exit 1
}

cat >&2 <<MSG

  KaaS control panel: http://$ADDR/   (ready after $(($(date +%s) - start)) s; GraphQL playground: http://$ADDR/playground)
  Keystone:           $OS_AUTH_URL  (state in $STATE/keystone;
                      stop it with: scripts/keystone.sh stop $STATE/keystone)

  Demo users (domain Default):
    oscar  / oscar-pass   operator (provisions and adopts clusters)
    alice  / alice-pass   admin of the demo cluster (through the group demo-cluster-admins)
    ursula / ursula-pass  regular user
    dora   / dora-pass    disabled (login is refused)

  The demo cluster follows once kube-apiserver, etcd and kubectl are built into
  $KUBE_BIN (about ten minutes the first time; log: $STATE/build-kube.log).
  Log in as oscar to watch its job on Operations → Clusters.

MSG

gql() { curl -sf -b "$STATE/demo.cookies" -c "$STATE/demo.cookies" -H 'Content-Type: application/json' "http://$ADDR/graphql" -d "$1"; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

# demo builds the Kubernetes binaries, then provisions the demo cluster with the local
# driver (once: the panel restores it on every later start; alice becomes its admin) and
# says when it is ready.
demo() {
  if ! nice -n 10 "$BUILD_KUBE" >"$STATE/build-kube.out" 2>"$STATE/build-kube.log"; then
    echo "run: building the Kubernetes binaries failed (the panel keeps running):" >&2
    tail -n 20 "$STATE/build-kube.log" >&2
    return 1
  fi
  step "Kubernetes binaries ready in $KUBE_BIN"
  gql '{"query":"mutation{login(username:\"oscar\",password:\"oscar-pass\"){name}}"}' >/dev/null
  if ! gql '{"query":"{clusters{name}}"}' | grep -q '"name":"demo"'; then
    local job
    job=$(gql '{"query":"mutation{provisionCluster(input:{name:\"demo\",baseDomain:\"kaas.local\",driver:LOCAL,adminUser:\"alice\"}){id}}"}' | field id)
    [[ -n $job ]] || {
      echo "run: the panel refused to provision the demo cluster" >&2
      return 1
    }
    step "provisioning the demo cluster: http://$ADDR/operations/jobs/$job"
    local status=""
    for _ in $(seq 600); do
      status=$(gql "{\"query\":\"{job(id:\\\"$job\\\"){status}}\"}" | field status)
      [[ $status == succeeded || $status == failed || $status == cancelled ]] && break
      sleep 1
    done
    if [[ $status != succeeded ]]; then
      echo "run: the demo cluster's job ended $status: see http://$ADDR/operations/jobs/$job" >&2
      return 1
    fi
  fi
  local api=""
  for _ in $(seq 120); do
    api=$(gql '{"query":"{clusters{name status apiURL}}"}' | grep -o '{"name":"demo","status":"READY","apiURL":"[^"]*"}' | field apiURL) || true
    [[ -n $api ]] && break
    sleep 1
  done
  rm -f "$STATE/demo.cookies"
  [[ -n $api ]] || {
    echo "run: the demo cluster is not READY: see http://$ADDR/operations/clusters" >&2
    return 1
  }
  cat >&2 <<MSG

  The demo cluster is ready ($(($(date +%s) - start)) s): $api
  kubectl: $KUBE_BIN/kubectl
  Log in as alice at http://$ADDR/, create a token on Tokens, download its kubeconfig, then:
    $KUBE_BIN/kubectl --kubeconfig kubeconfig-demo.yaml get ns

MSG
}
# Its own process group, so that Ctrl-C stops the build with everything it started.
set -m
demo &
builder=$!
set +m
wait $panel
