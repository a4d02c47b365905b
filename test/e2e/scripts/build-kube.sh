#!/usr/bin/env bash
# build-kube.sh — build kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
# from the Go module k8s.io/kubernetes (version pinned in test/e2e/kube/go.mod).
# kubectl is built too (≈+40 s) so the client matches the server: Debian trixie's kubectl is
# 1.32, outside kubectl's ±1 minor version skew against a 1.34 server.
#
# Output: $SLIPWAY_CACHE/kube/<version>/bin/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}
# (SLIPWAY_CACHE defaults to $HOME/.cache/slipway). A build is skipped when the four binaries
# exist and the stamp matches go.mod+go.sum, so a version bump (edit go.mod) rebuilds.
#
# Measured on the 2-core bookworm VM (go1.26, nice -n 10, other jobs running):
#   cold (empty GOMODCACHE and GOCACHE, downloads included): 553 s (load average 5-7);
#     543 s for the three control-plane binaries alone (modules already downloaded, ~10 s)
#   warm GOCACHE, binaries deleted: 19 s (6 s without kubectl)
#   cached (binaries present and stamp matching): <1 s
#
# Usage:
#   build-kube.sh                 build if needed, print the bin dir on the last line
#   build-kube.sh --bin-dir       print the bin dir only (no build)
#   build-kube.sh --version       print the pinned k8s.io/kubernetes version
#   build-kube.sh --openapi-dir   print <module cache>/k8s.io/kubernetes@<version>/api/openapi-spec/v3
#                                 (downloads the module if it is not in GOMODCACHE)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MOD_DIR="$(cd "$SCRIPT_DIR/../kube" && pwd)"
SLIPWAY_CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"

KUBE_VERSION="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$MOD_DIR/go.mod")"
[[ -n "$KUBE_VERSION" ]] || { echo "build-kube: cannot read k8s.io/kubernetes version from $MOD_DIR/go.mod" >&2; exit 1; }
OUT_DIR="$SLIPWAY_CACHE/kube/$KUBE_VERSION/bin"
CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

log() { echo "build-kube: $*" >&2; }

case "${1:-}" in
  --version) echo "$KUBE_VERSION"; exit 0 ;;
  --bin-dir) echo "$OUT_DIR"; exit 0 ;;
  --openapi-dir)
    dir="$(cd "$MOD_DIR" && go list -m -f '{{.Dir}}' k8s.io/kubernetes 2>/dev/null || true)"
    if [[ -z "$dir" || ! -d "$dir" ]]; then
      (cd "$MOD_DIR" && go mod download k8s.io/kubernetes) >&2
      dir="$(cd "$MOD_DIR" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)"
    fi
    [[ -d "$dir/api/openapi-spec/v3" ]] || { log "no api/openapi-spec/v3 in $dir"; exit 1; }
    echo "$dir/api/openapi-spec/v3"
    exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--version|--bin-dir|--openapi-dir]" >&2; exit 2 ;;
esac

command -v go >/dev/null || { log "go is not installed"; exit 1; }

stamp="$(cat "$MOD_DIR/go.mod" "$MOD_DIR/go.sum" | sha256sum | cut -c1-16) $(go env GOVERSION)"
ok=1
for c in "${CMDS[@]}"; do [[ -x "$OUT_DIR/$c" ]] || ok=0; done
if [[ $ok == 1 && -f "$OUT_DIR/.stamp" && "$(cat "$OUT_DIR/.stamp")" == "$stamp" ]]; then
  log "kubernetes $KUBE_VERSION already built in $OUT_DIR (skipped)"
  echo "$OUT_DIR"
  exit 0
fi

start=$SECONDS
log "building ${CMDS[*]} $KUBE_VERSION with $(go env GOVERSION) (nice -n 10; GOCACHE=$(go env GOCACHE))"
minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

tmp="$(mktemp -d "$SLIPWAY_CACHE/kube/.build.XXXXXX" 2>/dev/null || { mkdir -p "$SLIPWAY_CACHE/kube"; mktemp -d "$SLIPWAY_CACHE/kube/.build.XXXXXX"; })"
trap 'rm -rf "$tmp"' EXIT
pkgs=()
for c in "${CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
(
  cd "$MOD_DIR"
  # -mod=readonly: go.mod/go.sum are committed and must not be rewritten by a build.
  CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" nice -n 10 \
    go build -trimpath -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}"
)
mkdir -p "$OUT_DIR"
for c in "${CMDS[@]}"; do mv -f "$tmp/$c" "$OUT_DIR/$c"; done
echo "$stamp" > "$OUT_DIR/.stamp"
log "built $KUBE_VERSION into $OUT_DIR in $((SECONDS - start)) s"
"$OUT_DIR/kube-apiserver" --version >&2 || true
echo "$OUT_DIR"
