#!/usr/bin/env bash
# stop-docker.sh — stop the engine started by start-docker.sh.
# Kills only the dockerd whose PID is in $RUN_DIR/docker.pid and whose command line names this
# RUN_DIR (so a recycled PID is never hit): SIGTERM (dockerd then stops its containers, waiting
# up to their stop timeouts, and its own containerd), SIGKILL after DOCKER_STOP_TIMEOUT. An engine
# start-docker.sh only reused (OWNED=0 in $RUN_DIR/env) is left running.
#   RUN_DIR              default ${TMPDIR:-/tmp}/slipway-docker (same default as start-docker.sh)
#   DOCKER_STOP_TIMEOUT  seconds before SIGKILL (default 60)
#   --purge              also remove RUN_DIR: the engine's data (images, volumes, build cache)
#                        and the logs. Without it they are kept, so the next start has the images.
set -euo pipefail

RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/slipway-docker}"
TIMEOUT="${DOCKER_STOP_TIMEOUT:-60}"
PURGE=0
[[ "${1:-}" == --purge ]] && PURGE=1
start=$SECONDS
log() { echo "stop-docker: $*" >&2; }

if [[ ! -d "$RUN_DIR" ]]; then
  log "nothing to stop ($RUN_DIR does not exist)"
  exit 0
fi

ours() { # ours <pid>: running and started for this RUN_DIR
  local cmd
  cmd="$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null)" || return 1
  [[ $cmd == *"$RUN_DIR"* ]]
}
stop_pid() { # stop_pid <name> <pid> <timeout s>
  local name=$1 pid=$2 i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $3 * 10; i++)); do
    ours "$pid" || return 0
    sleep 0.1
  done
  log "$name ($pid) did not stop on SIGTERM within $3 s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.3
}

if [[ -f "$RUN_DIR/env" ]] && grep -qx 'OWNED=0' "$RUN_DIR/env"; then
  log "the engine at $(sed -n 's/^DOCKER_HOST=//p' "$RUN_DIR/env") was only reused, left running"
  rm -f "$RUN_DIR/env"
  [[ $PURGE == 1 ]] && rm -rf --one-file-system "$RUN_DIR"
  exit 0
fi

stopped="nothing"
if [[ -f "$RUN_DIR/docker.pid" ]]; then
  pid="$(cat "$RUN_DIR/docker.pid")"
  if ours "$pid"; then
    stop_pid dockerd "$pid" "$TIMEOUT"
    stopped="dockerd($pid)"
  fi
fi
# dockerd stops its containerd on a clean exit; after a SIGKILL it may be left behind
cpidf="$RUN_DIR/exec/containerd/containerd.pid"
if [[ -f "$cpidf" ]] && ours "$(cat "$cpidf")"; then
  stop_pid containerd "$(cat "$cpidf")" 10
  stopped+=" containerd($(cat "$cpidf"))"
fi
rm -f "$RUN_DIR/docker.pid" "$RUN_DIR/env" "$RUN_DIR/docker.sock"

# Mounts left under RUN_DIR (container root filesystems after a SIGKILL, netns files) must go
# before anything is removed; rm never crosses into another file system either way.
left_mounts() { awk -v d="$RUN_DIR/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r; }
if [[ -n "$(left_mounts)" ]]; then
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done < <(left_mounts)
  log "unmounted what the engine left mounted under $RUN_DIR"
fi

if [[ $PURGE == 1 ]]; then
  rm -rf --one-file-system "$RUN_DIR"
  log "stopped $stopped; removed $RUN_DIR (data included) in $((SECONDS - start)) s"
else
  log "stopped $stopped; kept data and logs in $RUN_DIR in $((SECONDS - start)) s"
fi
