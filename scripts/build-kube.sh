#!/usr/bin/env bash
# build-kube.sh builds kube-apiserver, kube-controller-manager, kubectl, kubeadm and etcd from the Go module proxy once into
# a cache directory outside the repository and prints that directory. Later calls reuse the
# binaries. The first build takes about ten minutes on two cores.
#
#   scripts/build-kube.sh         build what is missing, print the directory
#   scripts/build-kube.sh --dir   print the directory only (it may still be empty)
set -euo pipefail

KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
CACHE=${KAAS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kaas}
BIN="$CACHE/kube-$KUBE_VERSION-etcd-$ETCD_VERSION/bin"

if [[ ${1:-} == --dir ]]; then
  echo "$BIN"
  exit 0
fi

kube_tools=(kube-apiserver kube-controller-manager kubectl kubeadm)
missing=()
for t in "${kube_tools[@]}"; do
  [[ -x "$BIN/$t" ]] || missing+=("$t")
done

if ((${#missing[@]} == 0)) && [[ -x "$BIN/etcd" ]]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$BIN"
work="$CACHE/build"
mkdir -p "$work"
exec 3>&1 1>&2 # progress to stderr; stdout carries only the result

staging_minor=${KUBE_VERSION#v1.}
staging="v0.$staging_minor"
major=1
minor=${staging_minor%%.*}

if ((${#missing[@]} > 0)); then
  echo "build-kube: building ${missing[*]} $KUBE_VERSION (first time only, ~10 min for all)"
  mod="$work/kubernetes-tools"
  mkdir -p "$mod"
  cd "$mod"
  if [[ ! -f go.mod ]]; then
    go mod init kaas.local/kubernetes-tools >/dev/null 2>&1
  fi
  kgomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  # Every staging module that kubernetes requires as v0.0.0 is pinned to its published tag.
  mapfile -t stagings < <(awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r&&$2=="v0.0.0"{print $1}' "$kgomod")
  go mod edit -require="k8s.io/kubernetes@$KUBE_VERSION"
  for m in "${stagings[@]}"; do
    go mod edit -replace="$m=$m@$staging"
  done
  # Always with the version: without it -tool means upgrade and breaks the pins.
  # shellcheck disable=SC2046
  go get -tool $(printf "k8s.io/kubernetes/cmd/%s@$KUBE_VERSION " "${kube_tools[@]}")
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
  done
  for t in "${missing[@]}"; do
    go build -trimpath -ldflags="$ld" -o "$BIN/$t" "k8s.io/kubernetes/cmd/$t"
  done
fi

if [[ ! -x "$BIN/etcd" ]]; then
  echo "build-kube: building etcd $ETCD_VERSION"
  mod="$work/etcd-tools"
  mkdir -p "$mod"
  cd "$mod"
  if [[ ! -f go.mod ]]; then
    go mod init kaas.local/etcd-tools >/dev/null 2>&1
  fi
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go build -trimpath -ldflags="-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3
fi

echo "$BIN" >&3
