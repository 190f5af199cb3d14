#!/usr/bin/env bash
# build-kube.sh builds kube-apiserver, kubectl, kubeadm and etcd from the Go module proxy once into
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

if [[ -x "$BIN/kube-apiserver" && -x "$BIN/kubectl" && -x "$BIN/kubeadm" && -x "$BIN/etcd" ]]; then
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

if [[ ! -x "$BIN/kube-apiserver" || ! -x "$BIN/kubectl" || ! -x "$BIN/kubeadm" ]]; then
  echo "build-kube: building kube-apiserver, kubectl and kubeadm $KUBE_VERSION (first time only, ~10 min)"
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
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" "k8s.io/kubernetes/cmd/kubectl@$KUBE_VERSION" "k8s.io/kubernetes/cmd/kubeadm@$KUBE_VERSION"
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
  done
  go build -trimpath -ldflags="$ld" -o "$BIN/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  go build -trimpath -ldflags="$ld" -o "$BIN/kubectl" k8s.io/kubernetes/cmd/kubectl
  go build -trimpath -ldflags="$ld" -o "$BIN/kubeadm" k8s.io/kubernetes/cmd/kubeadm
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
