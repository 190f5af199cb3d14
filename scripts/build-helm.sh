#!/usr/bin/env bash
# build-helm.sh builds helm from the Go module proxy once into a cache directory outside the
# repository and prints the path of the binary. Later calls reuse it. The first build takes a few
# minutes on two cores.
#
#   scripts/build-helm.sh         build it if missing, print the path of the binary
#   scripts/build-helm.sh --path  print the path only (the file may not exist yet)
set -euo pipefail

HELM_VERSION=${HELM_VERSION:-v3.22.0}
CACHE=${KAAS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kaas}
BIN="$CACHE/helm-$HELM_VERSION/bin"
HELM="$BIN/helm"

if [[ ${1:-} == --path ]]; then
  echo "$HELM"
  exit 0
fi

if [[ -x "$HELM" ]]; then
  echo "$HELM"
  exit 0
fi

mkdir -p "$BIN"
echo "build-helm: building helm $HELM_VERSION (first time only)" >&2
# Built outside any module so the project's go.mod is not consulted or changed.
(cd "$BIN" && GOBIN="$BIN" GOFLAGS=-trimpath go install -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION") >&2
echo "$HELM"
