#!/usr/bin/env bash
# install-tools.sh — `go install` the pinned oracle tools into $SLIPWAY_CACHE/bin (GOBIN).
#
# Per tool, as measured on the 2-core bookworm VM (go1.26.8, nice -n 10, other jobs running,
# module downloads included; "warm" = GOCACHE/GOMODCACHE kept, binary deleted):
#   kubeconform  github.com/yannh/kubeconform v0.8.0   go install OK   cold 28 s      warm 1 s
#   kube-score   github.com/zegl/kube-score   v1.20.0  go install OK   cold 40-55 s   warm 2 s
#   helm         helm.sh/helm/v3              v3.22.0  go install OK   cold 124-152 s warm 3 s
#   actionlint   github.com/rhysd/actionlint  v1.7.12  go install OK   cold 6-8 s     warm 1 s
#   kwok         sigs.k8s.io/kwok             v0.8.0   go install OK   cold 132-137 s warm 2 s
#   kube-linter  golang.stackrox.io/kube-linter        NOT INSTALLABLE here: the Go module proxy
#                answers "403 Forbidden" for golang.stackrox.io/kube-linter (the version list and
#                every version tried, v0.6.0..v0.7.6; github.com/stackrox/kube-linter likewise);
#                it is not packaged in Debian bookworm or trixie, nor on PyPI or npm, and release
#                binaries cannot be downloaded. Closest allowed alternative: kube-score (a static
#                best-practice/security checker for Kubernetes objects), installed instead.
#   All tools at once: cold 347-363 s (two runs), warm 9 s, when all are present <1 s.
#
# A tool is skipped when $SLIPWAY_CACHE/bin/<tool> exists and `go version -m` says it was built
# from the pinned module version with the same ldflags, so bumping a version below reinstalls
# just that tool.
# Usage: install-tools.sh [tool...]   (default: all)
set -euo pipefail

SLIPWAY_CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"
BIN="$SLIPWAY_CACHE/bin"

# name | module | version | package to install | -X ldflags (what the projects' release builds
# set, so `<tool> version` prints the real version; kwok and actionlint read it from build info)
TOOLS=(
  "kubeconform|github.com/yannh/kubeconform|v0.8.0|github.com/yannh/kubeconform/cmd/kubeconform|-X main.version=v0.8.0"
  "kube-score|github.com/zegl/kube-score|v1.20.0|github.com/zegl/kube-score/cmd/kube-score|-X main.version=v1.20.0"
  "helm|helm.sh/helm/v3|v3.22.0|helm.sh/helm/v3/cmd/helm|-X helm.sh/helm/v3/internal/version.version=v3.22.0"
  "actionlint|github.com/rhysd/actionlint|v1.7.12|github.com/rhysd/actionlint/cmd/actionlint|"
  "kwok|sigs.k8s.io/kwok|v0.8.0|sigs.k8s.io/kwok/cmd/kwok|"
)

log() { echo "install-tools: $*" >&2; }
command -v go >/dev/null || { log "go is not installed"; exit 1; }
mkdir -p "$BIN"
start_all=$SECONDS

wanted=("$@")
want() {
  [[ ${#wanted[@]} == 0 ]] && return 0
  local w
  for w in "${wanted[@]}"; do [[ $w == "$1" ]] && return 0; done
  return 1
}

for entry in "${TOOLS[@]}"; do
  IFS='|' read -r name module version pkg xflags <<<"$entry"
  want "$name" || continue
  ldflags="-s -w${xflags:+ $xflags}"
  if [[ -x "$BIN/$name" ]]; then
    info="$(go version -m "$BIN/$name" 2>/dev/null || true)"
    have="$(awk '$1 == "mod" {print $2 "@" $3; exit}' <<<"$info")"
    if [[ $have == "$module@$version" ]] && grep -qF -- "-ldflags=\"$ldflags\"" <<<"$info"; then
      log "$name $version present, skipped"
      continue
    fi
    log "$name: have ${have:-unknown}, want $module@$version"
  fi
  t=$SECONDS
  log "go install $pkg@$version"
  if ! CGO_ENABLED=0 GOBIN="$BIN" nice -n 10 go install -ldflags="$ldflags" "$pkg@$version"; then
    log "FAILED: go install $pkg@$version"
    exit 1
  fi
  log "$name $version installed in $((SECONDS - t)) s"
done

log "done in $((SECONDS - start_all)) s; binaries in $BIN"
