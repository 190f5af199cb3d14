#!/usr/bin/env bash
# deploy-check.sh checks the Helm chart deploy/helm/kaas with a real helm and a real
# kube-apiserver (cmd/kaas-deploycheck): helm lint and helm template for each values file of
# the chart's ci/ directory, the binary's own configuration check of each rendered
# Deployment, values that must be refused, and a server-side dry-run of every rendered
# object. Builds helm, kube-apiserver, etcd and kubectl into the cache when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
start=$(date +%s)
HELM=$(scripts/build-helm.sh)
KUBE_BIN_DIR=${KAAS_KUBE_BIN_DIR:-$(scripts/build-kube.sh)}
go run ./cmd/kaas-deploycheck --helm "$HELM" --kube-bin-dir "$KUBE_BIN_DIR" --chart deploy/helm/kaas
echo "deploy-check: passed in $(($(date +%s) - start)) s" >&2
