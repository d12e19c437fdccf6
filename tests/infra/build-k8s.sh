#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd and kwok
# from Go modules with the machine's Go toolchain, cached by version.
#   usage: build-k8s.sh            prints the directory holding the binaries
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

cache_root=${RUNBOOK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/runbook-ops}
bin_dir="$cache_root/k8s-v${K8S_VERSION}-etcd-v${ETCD_VERSION}-kwok-v${KWOK_VERSION}/bin"
binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

log() { printf '[build-k8s] %s\n' "$*" >&2; }

all_built() {
  local b
  for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || return 1; done
  [[ -s "$bin_dir/kwok-stages.yaml" ]]
}

if all_built; then
  echo "$bin_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "Go is not installed. Install Go >= 1.26 (https://go.dev/dl/) or set RUNBOOK_TEST_KUBECONFIG to an existing cluster."
  exit 3
fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
work="$cache_root/build"
mkdir -p "$bin_dir" "$work"

# Two test runs starting at once share the cache: the second waits for the first build and
# then finds the binaries there, instead of removing the first one's module directory under it.
exec 9>"$cache_root/build.lock"
flock 9
if all_built; then
  echo "$bin_dir"
  exit 0
fi

k8s_minor=${K8S_VERSION#*.}; k8s_minor=${k8s_minor%%.*}
staging_version="v0.${K8S_VERSION#*.}"

build_kubernetes() {
  local mod="$work/kubernetes-v$K8S_VERSION"
  rm -rf "$mod" && mkdir -p "$mod" && cd "$mod"
  go mod init runbook.ops/k8sbuild >/dev/null 2>&1
  go mod edit -go=1.26.0
  local upstream_mod
  upstream_mod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with local
  # paths, which do not apply to a dependency: point each at its published release instead.
  local staging
  staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*#\1#p' "$upstream_mod")
  local args=(-require="k8s.io/kubernetes@v$K8S_VERSION")
  for m in $staging; do args+=(-replace="$m=$m@$staging_version"); done
  go mod edit "${args[@]}"
  log "kubernetes v$K8S_VERSION: $(echo "$staging" | wc -w) staging modules replaced with $staging_version"
  local pkg=k8s.io/component-base/version cpkg=k8s.io/client-go/pkg/version
  local ldflags="-s -w -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor -X $pkg.gitTreeState=clean -X $cpkg.gitVersion=v$K8S_VERSION -X $cpkg.gitMajor=1 -X $cpkg.gitMinor=$k8s_minor"
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [[ -x "$bin_dir/$cmd" ]] && continue
    log "building $cmd"
    go build -trimpath -ldflags "$ldflags" -o "$bin_dir/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
    mv "$bin_dir/$cmd.tmp" "$bin_dir/$cmd"
  done
}

build_etcd() {
  local mod="$work/etcd-v$ETCD_VERSION"
  rm -rf "$mod" && mkdir -p "$mod" && cd "$mod"
  go mod init runbook.ops/etcdbuild >/dev/null 2>&1
  go mod edit -go=1.26.0
  go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null 2>&1
  log "building etcd"
  go build -trimpath -ldflags "-s -w" -o "$bin_dir/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$bin_dir/etcd.tmp" "$bin_dir/etcd"
}

build_kwok() {
  log "building kwok"
  GOBIN="$work/kwok-bin" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  mv "$work/kwok-bin/kwok" "$bin_dir/kwok"
}

# kwok does nothing without Stages; take its own "fast" node and pod lifecycles, released with it.
kwok_stages() {
  local src
  src=$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')/kustomize/stage
  local f
  for f in "$src"/node/fast/node-initialize.yaml "$src"/node/heartbeat/node-heartbeat.yaml "$src"/pod/fast/pod-*.yaml; do
    printf -- '---\n'; grep -v '^---$' "$f"
  done >"$bin_dir/kwok-stages.yaml.tmp"
  mv "$bin_dir/kwok-stages.yaml.tmp" "$bin_dir/kwok-stages.yaml"
}

[[ -x "$bin_dir/etcd" ]] || build_etcd
[[ -x "$bin_dir/kwok" ]] || build_kwok
[[ -s "$bin_dir/kwok-stages.yaml" ]] || kwok_stages
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  [[ -x "$bin_dir/$b" ]] || { build_kubernetes; break; }
done
all_built
echo "$bin_dir"
