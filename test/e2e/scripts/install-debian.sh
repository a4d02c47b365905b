#!/usr/bin/env bash
# install-debian.sh — install the Debian-packaged engines and tools the e2e tests need.
#
# From Debian trixie (bookworm's are too old), downloaded with a PRIVATE apt source list and
# unpacked with `dpkg -x` into the cache, so the system's apt sources and dpkg database stay
# untouched and no daemon or systemd unit gets installed:
#   etcd-server       -> $SLIPWAY_CACHE/bin/etcd      (trixie 3.5.x; bookworm has 3.4.23, which
#                        kube-apiserver 1.34 does not accept, see README.md)
#   promtool          -> $SLIPWAY_CACHE/bin/promtool  (trixie 2.53.x; in bookworm promtool is only
#                        inside the whole `prometheus` server package)
# Unpacked trees live in $SLIPWAY_CACHE/opt/<package>_<version>/, so a new Debian version
# lands beside the old one and the bin/ symlink is switched.
# From the system's own sources (apt-get install, only if the command is missing):
#   openssl, curl, psql (postgresql-client)
#
# The trixie source URI is copied from the machine's /etc/apt/sources.list.d/debian.sources
# (or /etc/apt/sources.list); no host name is written here.
#
# kubectl is NOT taken from Debian: trixie's is 1.32 (bookworm's 1.20), outside the ±1 minor
# skew against the 1.34 control plane; build-kube.sh builds a matching kubectl instead.
#
# Skips everything already present. SLIPWAY_APT_REFRESH=1 re-reads the trixie lists and
# re-installs a package if trixie has a newer version.
#
# Measured on the 2-core bookworm VM: cold 8 s (private trixie `apt-get update` 3-6 s,
# two .deb downloads ~25 MB), warm <1 s.
set -euo pipefail

SLIPWAY_CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"
BIN="$SLIPWAY_CACHE/bin"
OPT="$SLIPWAY_CACHE/opt"
APT_DIR="$SLIPWAY_CACHE/apt/trixie"
REFRESH="${SLIPWAY_APT_REFRESH:-0}"
start_all=$SECONDS

log() { echo "install-debian: $*" >&2; }
mkdir -p "$BIN" "$OPT"

SUDO=""
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null && SUDO="sudo" || true
fi

# ---------- system packages (bookworm, the machine's own sources) ----------
sys_updated=0
sys_install() { # sys_install <command> <package>...
  local cmd=$1; shift
  if command -v "$cmd" >/dev/null; then
    log "$cmd present ($(command -v "$cmd")), skipped"
    return
  fi
  local t=$SECONDS
  if [[ $sys_updated == 0 ]]; then
    $SUDO apt-get update -qq
    sys_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  log "installed $* from the system sources in $((SECONDS - t)) s"
}

sys_install openssl openssl
sys_install curl curl ca-certificates
sys_install psql postgresql-client

# ---------- trixie packages via a private source list ----------
source "$(dirname "${BASH_SOURCE[0]}")/_trixie-apt.sh"

# trixie_tool <package> <bin-name> <path inside the package>
trixie_tool() {
  local pkg=$1 name=$2 inner=$3
  local link="$BIN/$name"
  if [[ $REFRESH != 1 && -L "$link" && -x "$link" ]]; then
    log "$name present ($(readlink "$link")), skipped"
    return
  fi
  local t=$SECONDS
  trixie_setup
  local ver
  # (awk reads all input: an early exit would SIGPIPE apt-cache and fail the pipeline)
  ver="$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$pkg" | awk '/^Version:/ && !v {v = $2} END {print v}')"
  [[ -n "$ver" ]] || { log "package $pkg not found in trixie"; exit 1; }
  local dest="$OPT/${pkg}_${ver//[:+~]/_}"
  if [[ ! -x "$dest/$inner" ]]; then
    local dl
    dl="$(mktemp -d)"
    (cd "$dl" && apt-get "${APT_OPTS[@]}" download -qq "$pkg=$ver")
    rm -rf "$dest.tmp"
    dpkg -x "$dl"/*.deb "$dest.tmp"
    rm -rf "$dl" "$dest"
    mv "$dest.tmp" "$dest"
  fi
  ln -sfn "$dest/$inner" "$link"
  log "$name from trixie $pkg $ver -> $link in $((SECONDS - t)) s"
}

trixie_tool etcd-server etcd usr/bin/etcd
trixie_tool promtool promtool usr/bin/promtool

log "$("$BIN/etcd" --version 2>&1 | sed -n 1p)"
log "$("$BIN/promtool" --version 2>&1 | sed -n 1p)"
log "done in $((SECONDS - start_all)) s; binaries in $BIN"
