#!/usr/bin/env bash
# install-docker.sh — install a real Docker engine and the Compose v2 plugin for the e2e tests.
#
#   docker.io  from the system's own sources (bookworm: Docker 20.10 with containerd 1.6, runc,
#              tini and iptables), unless those are all present already. Nothing is started, and
#              a temporary policy-rc.d keeps the package from starting a system daemon.
#   dockerd    bookworm's dockerd 20.10 runs containers but its BuildKit (v0.8) cannot parse the
#              heredocs Slipway's generated Dockerfiles use (`COPY <<'EOF'`, static preset; the
#              docs require Docker 23+). So, when the system's dockerd is older than 23, Debian
#              **trixie**'s `docker.io` (26.1.5) is unpacked into the cache and linked as
#              $SLIPWAY_CACHE/bin/dockerd (+ docker-proxy); start-docker.sh prefers it. It runs on
#              bookworm's libc with bookworm's containerd, runc and tini.
#   compose    Compose v2 from trixie (`docker-compose` 2.26; bookworm has only the Python
#              Compose v1), copied to $DOCKER_CLI_PLUGINS/docker-compose
#              (default /usr/local/lib/docker/cli-plugins), where every docker CLI finds it.
#   buildx     the buildx CLI plugin from trixie (`docker-buildx` 0.13), the same way: a docker
#              CLI >= 23 has no builder of its own and needs it to build on the engine's BuildKit.
#
# Trixie packages come through the same PRIVATE apt source list as install-debian.sh
# ($SLIPWAY_CACHE/apt/trixie: own lists dir, empty dpkg status, `apt-get download` + `dpkg -x`
# into $SLIPWAY_CACHE/opt/<package>_<version>/): the system's sources and dpkg database stay
# untouched. The trixie URI is copied from the machine's /etc/apt/sources.list.d/debian.sources
# (or /etc/apt/sources.list); no host name is written here.
#
# Skips everything already present. SLIPWAY_APT_REFRESH=1 re-reads the trixie lists and
# re-installs what trixie has a newer version of. SLIPWAY_DOCKER_TRIXIE=0 skips the trixie engine.
# Prints the versions (dockerd --version, docker compose version, docker buildx version).
# Measured timings: see README.md.
set -euo pipefail

SLIPWAY_CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"
BIN="$SLIPWAY_CACHE/bin"
OPT="$SLIPWAY_CACHE/opt"
APT_DIR="$SLIPWAY_CACHE/apt/trixie"
PLUGINS="${DOCKER_CLI_PLUGINS:-/usr/local/lib/docker/cli-plugins}"
REFRESH="${SLIPWAY_APT_REFRESH:-0}"
TRIXIE_ENGINE="${SLIPWAY_DOCKER_TRIXIE:-1}"
start_all=$SECONDS

log() { echo "install-docker: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
mkdir -p "$BIN" "$OPT"

SUDO=""
if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null; then
  SUDO="sudo"
fi

# ---------- docker.io from the system's sources ----------
# What any engine needs beside dockerd itself; a dockerd in $BIN (the trixie one) does not count.
system_dockerd() { PATH="$(tr ':' '\n' <<<"$PATH" | grep -vxF "$BIN" | paste -sd:)" command -v dockerd; }
missing=()
system_dockerd >/dev/null || missing+=(dockerd)
for c in containerd containerd-shim-runc-v2 runc docker-init docker-proxy iptables docker; do
  command -v "$c" >/dev/null || missing+=("$c")
done
if [[ ${#missing[@]} == 0 ]]; then
  log "docker engine present ($(system_dockerd); containerd, runc, docker-init, iptables, docker CLI), skipped"
else
  t=$SECONDS
  aptlog="$(mktemp)"
  $SUDO apt-get update -qq >"$aptlog" 2>&1 || { cat "$aptlog" >&2; die "apt-get update failed"; }
  # A package's postinst must not start a system daemon (there may be no init system at all, or
  # one we do not own): a temporary policy-rc.d denies it, removed again right after.
  policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  rc=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends docker.io >>"$aptlog" 2>&1 || rc=$?
  [[ $policy_added == 1 ]] && $SUDO rm -f /usr/sbin/policy-rc.d
  [[ $rc == 0 ]] || { tail -n 30 "$aptlog" >&2; die "apt-get install docker.io failed (exit $rc)"; }
  rm -f "$aptlog"
  log "installed docker.io $(dpkg-query -W -f '${Version}' docker.io) from the system sources (missing: ${missing[*]}) in $((SECONDS - t)) s"
fi

# ---------- trixie packages via a private source list (as install-debian.sh) ----------
source "$(dirname "${BASH_SOURCE[0]}")/_trixie-apt.sh"

# trixie_unpack <package> <a file the package must contain>: the package's newest trixie version
# unpacked in $OPT/<package>_<version>/ (downloaded only if not there yet); prints that dir.
trixie_unpack() {
  local pkg=$1 inner=$2 ver
  trixie_setup
  # (awk reads all input: an early exit would SIGPIPE apt-cache and fail the pipeline)
  ver="$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$pkg" | awk '/^Version:/ && !v {v = $2} END {print v}')"
  [[ -n "$ver" ]] || die "package $pkg not found in trixie"
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
  [[ -x "$dest/$inner" ]] || die "trixie $pkg $ver has no $inner"
  echo "$dest"
}

# trixie_plugin <package> <plugin name> <path of the plugin inside the package>
trixie_plugin() {
  local pkg=$1 name=$2 inner=$3
  local target="$PLUGINS/$name" stamp="$PLUGINS/.$name.slipway" dest
  if [[ $REFRESH != 1 && -x "$target" && -f "$stamp" && -x "$(cat "$stamp")/$inner" ]] \
     && cmp -s "$target" "$(cat "$stamp")/$inner"; then
    log "$name present ($target from $(basename "$(cat "$stamp")")), skipped"
    return
  fi
  local t=$SECONDS
  dest="$(trixie_unpack "$pkg" "$inner")"
  $SUDO mkdir -p "$PLUGINS"
  # a copy, not a symlink: the plugin keeps working if the cache is moved or cleaned
  $SUDO install -m 755 "$dest/$inner" "$target.tmp"
  $SUDO mv -f "$target.tmp" "$target"
  echo "$dest" | $SUDO tee "$stamp" >/dev/null
  log "$name from trixie $(basename "$dest") -> $target in $((SECONDS - t)) s"
}

# ---------- the engine: trixie's dockerd when the system's is older than 23 ----------
sys_ver="$("$(system_dockerd)" --version | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')"
if [[ $TRIXIE_ENGINE != 1 ]]; then
  log "SLIPWAY_DOCKER_TRIXIE=$TRIXIE_ENGINE: trixie engine not installed"
elif [[ ${sys_ver:-0} -ge 23 ]]; then
  log "system dockerd is Docker $sys_ver (>= 23, BuildKit with heredocs): trixie engine not needed"
elif [[ $REFRESH != 1 && -L "$BIN/dockerd" && -x "$BIN/dockerd" && -x "$BIN/docker-proxy" ]]; then
  log "dockerd present ($(readlink "$BIN/dockerd")), skipped"
else
  t=$SECONDS
  dest="$(trixie_unpack docker.io usr/sbin/dockerd)"
  ln -sfn "$dest/usr/sbin/dockerd" "$BIN/dockerd"
  ln -sfn "$dest/usr/sbin/docker-proxy" "$BIN/docker-proxy"
  log "dockerd from trixie $(basename "$dest") -> $BIN/dockerd (system dockerd is Docker $sys_ver) in $((SECONDS - t)) s"
fi

trixie_plugin docker-compose docker-compose usr/libexec/docker/cli-plugins/docker-compose
trixie_plugin docker-buildx docker-buildx usr/libexec/docker/cli-plugins/docker-buildx

# ---------- versions ----------
engine="$(system_dockerd)"
[[ -x "$BIN/dockerd" && $TRIXIE_ENGINE == 1 && ${sys_ver:-0} -lt 23 ]] && engine="$BIN/dockerd"
log "engine $engine: $("$engine" --version)"
log "docker CLI $(command -v docker): $(docker --version)"
log "$(docker compose version)"
log "$(docker buildx version)"
log "done in $((SECONDS - start_all)) s"
