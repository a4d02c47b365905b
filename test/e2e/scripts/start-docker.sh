#!/usr/bin/env bash
# start-docker.sh — start a real Docker engine for the e2e tests, everything under one run dir:
#   dockerd (install-docker.sh) with --data-root, --exec-root (its own containerd), --pidfile,
#   its log and its socket in $RUN_DIR, and its own daemon.json (the machine's
#   /etc/docker/daemon.json is not read).
# The engine is $SLIPWAY_CACHE/bin/dockerd (trixie's Docker 26, see install-docker.sh) if present,
# else the `dockerd` on PATH; SLIPWAY_DOCKERD=/path/to/dockerd picks another one. The daemon's
# PATH starts with that binary's directory, so it uses the docker-proxy beside it.
#
# Needs install-docker.sh to have run (it runs nothing else). Root (dockerd needs it).
# Published ports: dockerd's default (all interfaces when a port has no host IP); publishing on
# 127.0.0.1 only is the tests' job (`127.0.0.1:HOST:CONTAINER`).
#
# Environment:
#   RUN_DIR               default ${TMPDIR:-/tmp}/slipway-docker
#   DOCKER_START_TIMEOUT  seconds to wait for the engine to answer (default 60)
#   DOCKERD_EXTRA_ARGS    more dockerd flags (word-split), e.g. "--ip=127.0.0.1 --debug"
#   SLIPWAY_DOCKER_OWN=1  always start an own engine, even if another one already answers
#
# Output: stdout is only `export DOCKER_HOST=unix://…` (so `eval "$(start-docker.sh)"` works);
# progress goes to stderr. $RUN_DIR/env has DOCKER_HOST, DOCKERD_PID, DOCKER_DATA_ROOT, OWNED.
# Reuse: if this RUN_DIR's engine is up, it is reused. Otherwise, if an engine already answers on
# $DOCKER_HOST or /var/run/docker.sock (a machine's own Docker), that one is used (OWNED=0:
# stop-docker.sh leaves it running), because two engines on one host fight over the docker0
# bridge, iptables chains and address pools.
# Images and volumes persist in $RUN_DIR/data between stop and start (stop-docker.sh --purge
# removes them). Measured start time: see README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SLIPWAY_CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"
RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/slipway-docker}"
TIMEOUT="${DOCKER_START_TIMEOUT:-60}"
SOCK="$RUN_DIR/docker.sock"
OWN_HOST="unix://$SOCK"
start_all=$SECONDS

log() { echo "start-docker: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

DOCKERD="${SLIPWAY_DOCKERD:-}"
if [[ -z $DOCKERD ]]; then
  if [[ -x "$SLIPWAY_CACHE/bin/dockerd" ]]; then DOCKERD="$SLIPWAY_CACHE/bin/dockerd"; else DOCKERD="$(command -v dockerd || true)"; fi
fi
[[ -n $DOCKERD && -x $DOCKERD ]] || die "dockerd is missing: run install-docker.sh first"
DOCKERD="$(readlink -f "$DOCKERD")"
command -v docker >/dev/null || die "the docker CLI is missing: run install-docker.sh first"
[[ $(id -u) == 0 ]] || die "dockerd needs root"

answers() { # answers <DOCKER_HOST>: the engine there responds (bounded)
  DOCKER_HOST="$1" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}
alive() { # alive <pid>: running and started for this RUN_DIR
  local cmd
  cmd="$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null)" || return 1
  [[ $cmd == *"$RUN_DIR"* ]]
}
write_env() { # write_env <DOCKER_HOST> <pid> <owned>
  local root="$RUN_DIR/data"
  [[ $3 == 1 ]] || root="$(DOCKER_HOST="$1" docker info --format '{{.DockerRootDir}}' 2>/dev/null || true)"
  cat >"$RUN_DIR/env" <<EOF
DOCKER_HOST=$1
DOCKERD_PID=$2
DOCKER_DATA_ROOT=$root
OWNED=$3
EOF
}
versions() { # versions <DOCKER_HOST>
  DOCKER_HOST="$1" docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}' 2>/dev/null
}

# ---- reuse this RUN_DIR's engine ----
if [[ -f "$RUN_DIR/docker.pid" ]] && alive "$(cat "$RUN_DIR/docker.pid")" && answers "$OWN_HOST"; then
  log "engine in $RUN_DIR is already running ($(versions "$OWN_HOST")), reused"
  write_env "$OWN_HOST" "$(cat "$RUN_DIR/docker.pid")" 1
  echo "export DOCKER_HOST=$OWN_HOST"
  exit 0
fi

# ---- reuse an engine the machine already runs ----
if [[ ${SLIPWAY_DOCKER_OWN:-0} != 1 ]]; then
  for h in ${DOCKER_HOST:-} unix:///var/run/docker.sock; do
    [[ $h == "$OWN_HOST" ]] && continue
    if answers "$h"; then
      mkdir -p "$RUN_DIR"
      write_env "$h" "" 0
      log "an engine already answers on $h ($(versions "$h")), reused (not ours: stop-docker.sh leaves it running)"
      v="$(DOCKER_HOST="$h" docker version --format '{{.Server.Version}}' 2>/dev/null || true)"
      if [[ ${v%%.*} =~ ^[0-9]+$ ]] && ((${v%%.*} < 23)); then
        log "WARNING: Docker $v is older than 23: its BuildKit cannot build Slipway's heredoc Dockerfiles (SLIPWAY_DOCKER_OWN=1 starts an own engine)"
      fi
      echo "export DOCKER_HOST=$h"
      exit 0
    fi
  done
fi

# ---- stale state of an earlier run: stop it (data is kept) ----
if [[ -f "$RUN_DIR/docker.pid" ]] && alive "$(cat "$RUN_DIR/docker.pid")"; then
  log "engine in $RUN_DIR runs but does not answer, stopping it first"
  RUN_DIR="$RUN_DIR" "$SCRIPT_DIR/stop-docker.sh" >&2 || true
fi

mkdir -p "$RUN_DIR"/{data,exec}
chmod 711 "$RUN_DIR"
rm -f "$RUN_DIR/env" "$SOCK"
# Our own daemon.json: the machine's /etc/docker/daemon.json (mirrors, insecure registries, …)
# must not change what the tests see. BuildKit is on for the engine's own 20.10 CLI.
cat >"$RUN_DIR/daemon.json" <<'EOF'
{
  "features": { "buildkit": true },
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "3" }
}
EOF
[[ -f "$RUN_DIR/dockerd.log" ]] && mv -f "$RUN_DIR/dockerd.log" "$RUN_DIR/dockerd.log.1"

# ---- start dockerd (setsid: not tied to the caller's terminal/job) ----
t=$SECONDS
# shellcheck disable=SC2086 # DOCKERD_EXTRA_ARGS is word-split on purpose
PATH="$(dirname "$DOCKERD"):$PATH" setsid "$DOCKERD" \
  --host="$OWN_HOST" \
  --data-root="$RUN_DIR/data" \
  --exec-root="$RUN_DIR/exec" \
  --pidfile="$RUN_DIR/docker.pid" \
  --config-file="$RUN_DIR/daemon.json" \
  ${DOCKERD_EXTRA_ARGS:-} \
  >"$RUN_DIR/dockerd.log" 2>&1 </dev/null &
pid=$!

on_exit() {
  local rc=$?
  if [[ $rc != 0 ]]; then
    echo "----- last lines of $RUN_DIR/dockerd.log -----" >&2
    tail -n 25 "$RUN_DIR/dockerd.log" >&2 || true
    log "FAILED after $((SECONDS - start_all)) s; stopping what was started"
    if alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
      if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    log "log kept in $RUN_DIR/dockerd.log"
  fi
}
trap on_exit EXIT

deadline=$((SECONDS + TIMEOUT))
until answers "$OWN_HOST"; do
  alive "$pid" || die "dockerd exited while starting (log: $RUN_DIR/dockerd.log)"
  ((SECONDS < deadline)) || die "timed out after ${TIMEOUT}s waiting for the engine on $SOCK"
  sleep 0.3
done
write_env "$OWN_HOST" "$pid" 1
info="$(DOCKER_HOST="$OWN_HOST" docker info --format 'storage {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}, {{.Images}} images' 2>/dev/null || true)"
log "$(versions "$OWN_HOST"); $info; ready in $((SECONDS - t)) s (pid $pid, RUN_DIR=$RUN_DIR)"
echo "export DOCKER_HOST=$OWN_HOST"
