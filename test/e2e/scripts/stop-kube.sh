#!/usr/bin/env bash
# stop-kube.sh — stop the control plane started by start-kube.sh and remove its RUN_DIR.
# Kills only the PIDs recorded in $RUN_DIR/pids whose command line names this RUN_DIR
# (so a recycled PID is never hit): kwok, scheduler, controller-manager, apiserver, etcd in
# that order, SIGTERM then SIGKILL after 10 s.
#   RUN_DIR  default ${TMPDIR:-/tmp}/slipway-kube (same default as start-kube.sh)
#   --keep   keep RUN_DIR (logs) after stopping; used by start-kube.sh on failure
set -euo pipefail

RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/slipway-kube}"
KEEP=0
[[ "${1:-}" == --keep ]] && KEEP=1
start=$SECONDS
log() { echo "stop-kube: $*" >&2; }

if [[ ! -d "$RUN_DIR" ]]; then
  log "nothing to stop ($RUN_DIR does not exist)"
  exit 0
fi

ours() { # ours <pid>: running and started for this RUN_DIR
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
  [[ $cmd == *"$RUN_DIR"* ]]
}

stopped=()
for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  f="$RUN_DIR/pids/$name.pid"
  [[ -f "$f" ]] || continue
  pid="$(cat "$f")"
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      ours "$pid" || break
      sleep 0.1
    done
    if ours "$pid"; then
      log "$name ($pid) did not stop on SIGTERM, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
    stopped+=("$name($pid)")
  fi
  rm -f "$f"
done

if [[ $KEEP == 1 ]]; then
  log "stopped ${stopped[*]:-nothing}; kept $RUN_DIR in $((SECONDS - start)) s"
else
  rm -rf "$RUN_DIR"
  log "stopped ${stopped[*]:-nothing}; removed $RUN_DIR in $((SECONDS - start)) s"
fi
