#!/usr/bin/env bash
# smoke-kube.sh — prove the real control plane works end to end, then stop it:
#   1. start-kube.sh
#   2. kubectl apply --dry-run=server --validate=strict of a Deployment + Service succeeds
#      (and a manifest with an unknown field is rejected, so strict validation is really on)
#   3. kubectl apply of a 2-replica Deployment -> 2 Ready Pods on kwok nodes within SMOKE_TIMEOUT
#   4. stop-kube.sh (always, also on failure)
# Exits non-zero on any failure. Needs install-debian.sh, install-tools.sh, build-kube.sh first.
#   RUN_DIR        default ${TMPDIR:-/tmp}/slipway-kube-smoke (its own, not the tests' one)
#   SMOKE_TIMEOUT  seconds for the Pods to become Ready (default 60)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/slipway-kube-smoke}"
TIMEOUT="${SMOKE_TIMEOUT:-60}"
KUBECTL="$("$SCRIPT_DIR/build-kube.sh" --bin-dir)/kubectl"
start=$SECONDS
log() { echo "smoke-kube: $*" >&2; }

cleanup() {
  local rc=$?
  "$SCRIPT_DIR/stop-kube.sh" || true
  if [[ $rc == 0 ]]; then log "PASSED in $((SECONDS - start)) s"; else log "FAILED (exit $rc) after $((SECONDS - start)) s"; fi
}
trap cleanup EXIT

eval "$("$SCRIPT_DIR/start-kube.sh")"
log "control plane up in $((SECONDS - start)) s; KUBECONFIG=$KUBECONFIG"
k() { "$KUBECTL" "$@"; }

tmp="$RUN_DIR/smoke"
mkdir -p "$tmp"
cat >"$tmp/app.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: smoke-web
  labels: {app: smoke-web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: smoke-web}
  template:
    metadata:
      labels: {app: smoke-web}
    spec:
      containers:
      - name: web
        image: registry.invalid/smoke/web:1.0
        ports:
        - containerPort: 8080
        resources:
          requests: {cpu: 10m, memory: 16Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: smoke-web
spec:
  selector: {app: smoke-web}
  ports:
  - port: 80
    targetPort: 8080
EOF
sed 's/^  replicas: 2$/  replicas: 2\n  replicaz: 3/' "$tmp/app.yaml" >"$tmp/bad.yaml"

# 1. server-side dry run with strict validation
k apply --dry-run=server --validate=strict -f "$tmp/app.yaml"
if k apply --dry-run=server --validate=strict -f "$tmp/bad.yaml" >"$tmp/bad.out" 2>&1; then
  log "a manifest with an unknown field passed strict validation"; exit 1
fi
grep -q 'unknown field "spec.replicaz"' "$tmp/bad.out" || { cat "$tmp/bad.out" >&2; log "unexpected error for the unknown field"; exit 1; }
log "dry-run=server --validate=strict: valid manifest accepted, unknown field rejected"
[[ -z "$(k get deploy,svc -l app=smoke-web -o name)" ]] || { log "dry run created objects"; exit 1; }

# 2. real apply -> 2 Ready pods on kwok nodes
t=$SECONDS
k apply -f "$tmp/app.yaml"
k rollout status deployment/smoke-web --timeout="${TIMEOUT}s"
k wait --for=condition=Ready pod -l app=smoke-web --timeout="${TIMEOUT}s"
k get pods -l app=smoke-web -o wide >&2
ready="$(k get pods -l app=smoke-web -o jsonpath='{range .items[*]}{.spec.nodeName}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}')"
n="$(grep -cE '^kwok-node-[01] True$' <<<"$ready" || true)"
[[ $n == 2 ]] || { log "expected 2 Ready pods on kwok nodes, got: $ready"; exit 1; }
log "2 pods Ready on kwok nodes $((SECONDS - t)) s after apply"
