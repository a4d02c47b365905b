#!/usr/bin/env bash
# start-kube.sh — start a real, loopback-only Kubernetes control plane for the e2e tests:
#   etcd 3.5 (trixie) -> kube-apiserver, kube-controller-manager, kube-scheduler (build-kube.sh)
#   -> kwok (install-tools.sh) managing 2 fake nodes, so Pods get scheduled and become Ready.
#
# Needs: install-debian.sh, install-tools.sh and build-kube.sh to have run (it runs none of them).
# Use the matching kubectl from `build-kube.sh --bin-dir` (also written to $RUN_DIR/env).
# Every listener is on 127.0.0.1 with a free port; kwok serves container logs (ClusterLogs) for the nodes.
# Auth: a throw-away CA (openssl, EC P-256); admin/controller-manager/scheduler/kwok use client
# certificates; --authorization-mode=Node,RBAC (admin is in system:masters).
#
# Environment:
#   RUN_DIR         state dir (certs, kubeconfigs, data, logs, PID files);
#                   default ${TMPDIR:-/tmp}/slipway-kube
#   SLIPWAY_CACHE   default $HOME/.cache/slipway
#   KUBE_START_TIMEOUT  seconds to wait for each component (default 90)
#   SLIPWAY_ETCD    etcd binary to use (default $SLIPWAY_CACHE/bin/etcd)
#
# Output: stdout is only `export KUBECONFIG=$RUN_DIR/kubeconfig` (so `eval "$(start-kube.sh)"`
# works); progress goes to stderr. $RUN_DIR/env has KUBECONFIG, KUBE_API_URL and the ports.
# If a control plane from this RUN_DIR is already up and ready, it is reused.
# Stop with stop-kube.sh (same RUN_DIR). Measured start time: see README.md (9-10 s).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SLIPWAY_CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"
RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/slipway-kube}"
TIMEOUT="${KUBE_START_TIMEOUT:-90}"
BIN="$SLIPWAY_CACHE/bin"
ETCD="${SLIPWAY_ETCD:-$BIN/etcd}"
KUBE_BIN="$("$SCRIPT_DIR/build-kube.sh" --bin-dir)"
start_all=$SECONDS

log() { echo "start-kube: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for f in "$ETCD" "$KUBE_BIN/kubectl" "$BIN/kwok" "$KUBE_BIN/kube-apiserver" \
         "$KUBE_BIN/kube-controller-manager" "$KUBE_BIN/kube-scheduler"; do
  [[ -x "$f" ]] || die "$f is missing: run install-debian.sh, install-tools.sh and build-kube.sh first"
done
command -v openssl >/dev/null || die "openssl is missing (install-debian.sh)"
command -v curl >/dev/null || die "curl is missing (install-debian.sh)"
KUBECTL="$KUBE_BIN/kubectl"

alive() { # alive <name>: the process from $RUN_DIR/pids/<name>.pid runs and belongs to this RUN_DIR
  local f="$RUN_DIR/pids/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ $cmd == *"$RUN_DIR"* ]]
}

# ---- reuse a running control plane ----
if [[ -f "$RUN_DIR/env" ]] && alive etcd && alive kube-apiserver && alive kube-controller-manager \
   && alive kube-scheduler && alive kwok \
   && KUBECONFIG="$RUN_DIR/kubeconfig" "$KUBECTL" get --raw /readyz >/dev/null 2>&1 \
   && KUBECONFIG="$RUN_DIR/kubeconfig" "$KUBECTL" get crd stages.kwok.x-k8s.io clusterlogs.kwok.x-k8s.io >/dev/null 2>&1; then
  log "control plane in $RUN_DIR is already running, reused"
  echo "export KUBECONFIG=$RUN_DIR/kubeconfig"
  exit 0
fi
if [[ -d "$RUN_DIR/pids" ]]; then
  log "stale state in $RUN_DIR, stopping it first"
  RUN_DIR="$RUN_DIR" "$SCRIPT_DIR/stop-kube.sh" >&2 || true
fi

# leftovers of an earlier run (never another RUN_DIR's files): start from a clean state
rm -rf "$RUN_DIR"/{pki,pids,logs,etcd-data,kcm,scheduler,apiserver-certs,smoke}
mkdir -p "$RUN_DIR"/{pki,pids,logs,etcd-data,kcm,scheduler}
chmod 700 "$RUN_DIR"
PKI="$RUN_DIR/pki"

# On failure: show the logs' last lines and stop what was started.
on_exit() {
  local rc=$?
  if [[ $rc != 0 ]]; then
    local f
    for f in "$RUN_DIR"/logs/*.log; do
      [[ -f "$f" && $f != */openssl.log ]] || continue
      echo "----- last lines of $f -----" >&2
      tail -n 25 "$f" >&2
    done
    log "FAILED after $((SECONDS - start_all)) s; stopping what was started"
    RUN_DIR="$RUN_DIR" "$SCRIPT_DIR/stop-kube.sh" --keep >&2 || true
    log "logs kept in $RUN_DIR/logs"
  fi
}
trap on_exit EXIT

# ---- free loopback ports ----
# Sets PORT, in this shell: called as $(free_port) it would run in a subshell, its record of ports
# already handed out would be lost, and two components could get the same port.
used_ports=" "
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    [[ $used_ports == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      used_ports+="$p "
      PORT=$p
      return
    fi
  done
  die "no free port found"
}
free_port; ETCD_PORT=$PORT
free_port; ETCD_PEER_PORT=$PORT
free_port; API_PORT=$PORT
free_port; KCM_PORT=$PORT
free_port; SCHED_PORT=$PORT
free_port; KWOK_PORT=$PORT
API_URL="https://127.0.0.1:$API_PORT"

# ---- certificates (EC P-256: fast to generate) ----
t=$SECONDS
ossl() { openssl "$@" 2>>"$RUN_DIR/logs/openssl.log"; }
ossl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key"
ossl req -x509 -new -key "$PKI/ca.key" -subj "/CN=slipway-e2e-ca" -days 7 -out "$PKI/ca.crt" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
# issue <name> <subject> <extendedKeyUsage> [subjectAltName]
issue() {
  local name=$1 subj=$2 eku=$3 san=${4:-}
  ossl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key"
  ossl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n $san ]] && echo "subjectAltName=$san"
  } >"$PKI/$name.ext"
  ossl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 7 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt"
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}
issue apiserver "/CN=kube-apiserver" serverAuth \
  "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1"
issue admin "/O=system:masters/CN=slipway-admin" clientAuth
issue kcm "/CN=system:kube-controller-manager" clientAuth
issue scheduler "/CN=system:kube-scheduler" clientAuth
issue kwok "/O=system:masters/CN=kwok" clientAuth
# kwok's own server stands in for the nodes' kubelets (container logs); the API server does not
# verify kubelet serving certificates without --kubelet-certificate-authority, as in kind/kwokctl.
issue kwok-serving "/CN=kwok-kubelet" serverAuth "IP:127.0.0.1,DNS:localhost"
# front-proxy client (aggregation layer), so the requestheader CA is set like in kubeadm clusters
issue front-proxy-client "/CN=front-proxy-client" clientAuth
ossl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key"
ossl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
chmod 600 "$PKI"/*.key

kubeconfig() { # kubeconfig <file> <cert name> <user>
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: slipway-e2e
  cluster:
    server: $API_URL
    certificate-authority: $PKI/ca.crt
users:
- name: $3
  user:
    client-certificate: $PKI/$2.crt
    client-key: $PKI/$2.key
contexts:
- name: slipway-e2e
  context:
    cluster: slipway-e2e
    user: $3
    namespace: default
current-context: slipway-e2e
EOF
  chmod 600 "$1"
}
kubeconfig "$RUN_DIR/kubeconfig" admin slipway-admin
kubeconfig "$RUN_DIR/kcm.kubeconfig" kcm system:kube-controller-manager
kubeconfig "$RUN_DIR/scheduler.kubeconfig" scheduler system:kube-scheduler
kubeconfig "$RUN_DIR/kwok.kubeconfig" kwok kwok
log "certificates and kubeconfigs in $((SECONDS - t)) s"

# ---- process helpers ----
start_proc() { # start_proc <name> <cmd...>; setsid: not tied to the caller's terminal/job
  local name=$1; shift
  setsid "$@" >"$RUN_DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/pids/$name.pid"
}
# running <name>: a process this script started has not exited (and is not a zombie). Not `alive`:
# right after `&` the child may not have exec'd yet, and its cmdline is still this script's, so a
# cmdline check would call a healthy, slow-to-start process dead (seen on a busy machine).
running() {
  local pid state
  pid="$(cat "$RUN_DIR/pids/$1.pid" 2>/dev/null)" || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n $state && $state != Z ]]
}
wait_for() { # wait_for <name> <what> <command...>: retry until the command succeeds
  local name=$1 what=$2; shift 2
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    running "$name" || die "$name exited while waiting for $what (log: $RUN_DIR/logs/$name.log)"
    ((SECONDS < deadline)) || die "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.5
  done
}
k() { KUBECONFIG="$RUN_DIR/kubeconfig" "$KUBECTL" "$@"; }
https_ok() { # https_ok <url> <expected body>
  [[ "$(curl -sS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$1")" == "$2" ]]
}
insecure_ok() { [[ "$(curl -sSk --max-time 5 "$1")" == ok ]]; }

# ---- etcd ----
t=$SECONDS
start_proc etcd "$ETCD" \
  --name=slipway-e2e --data-dir="$RUN_DIR/etcd-data" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="slipway-e2e=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state=new \
  --unsafe-no-fsync --snapshot-count=10000 --log-level=warn
wait_for etcd "etcd /health" bash -c "curl -sS --max-time 2 http://127.0.0.1:$ETCD_PORT/health | grep -q '\"health\":\"true\"'"
log "etcd $("$ETCD" --version | sed -n 's/^etcd Version: //p') up on 127.0.0.1:$ETCD_PORT in $((SECONDS - t)) s"

# ---- kube-apiserver ----
t=$SECONDS
start_proc kube-apiserver "$KUBE_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
  --cert-dir="$RUN_DIR/apiserver-certs" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --requestheader-client-ca-file="$PKI/ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --api-audiences=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=10.96.0.0/16 \
  --authorization-mode=Node,RBAC \
  --allow-privileged=true \
  --endpoint-reconciler-type=none \
  --profiling=false
wait_for kube-apiserver "kube-apiserver /readyz" https_ok "$API_URL/readyz" ok
log "kube-apiserver $("$KUBE_BIN/kube-apiserver" --version | awk '{print $2}') ready on $API_URL in $((SECONDS - t)) s"

# ---- kube-controller-manager and kube-scheduler ----
t=$SECONDS
start_proc kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
  --kubeconfig="$RUN_DIR/kcm.kubeconfig" \
  --authentication-kubeconfig="$RUN_DIR/kcm.kubeconfig" --authorization-kubeconfig="$RUN_DIR/kcm.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$RUN_DIR/kcm" \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --use-service-account-credentials=true \
  --service-cluster-ip-range=10.96.0.0/16 \
  --leader-elect=false --profiling=false
start_proc kube-scheduler "$KUBE_BIN/kube-scheduler" \
  --kubeconfig="$RUN_DIR/scheduler.kubeconfig" \
  --authentication-kubeconfig="$RUN_DIR/scheduler.kubeconfig" --authorization-kubeconfig="$RUN_DIR/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --cert-dir="$RUN_DIR/scheduler" \
  --leader-elect=false --profiling=false
wait_for kube-controller-manager "kube-controller-manager /healthz" insecure_ok "https://127.0.0.1:$KCM_PORT/healthz"
wait_for kube-scheduler "kube-scheduler /healthz" insecure_ok "https://127.0.0.1:$SCHED_PORT/healthz"
# Pods cannot be created before the service-account controller made the default ServiceAccount.
wait_for kube-controller-manager "ServiceAccount default/default" k get serviceaccount default -n default
log "kube-controller-manager (127.0.0.1:$KCM_PORT) and kube-scheduler (127.0.0.1:$SCHED_PORT) healthy in $((SECONDS - t)) s"

# ---- kwok with its default stages, and 2 fake nodes ----
t=$SECONDS
kwok_info="$(go version -m "$BIN/kwok")"
KWOK_MOD="$(awk '$1 == "mod" {print $2 "@" $3; exit}' <<<"$kwok_info")"
[[ $KWOK_MOD == sigs.k8s.io/kwok@* ]] || die "cannot read kwok's module version from $BIN/kwok"
KWOK_DIR="$(cd "$SCRIPT_DIR/../kube" && go mod download -json "$KWOK_MOD" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d "$KWOK_DIR/kustomize/stage" ]] || die "no kwok stages in the module cache ($KWOK_MOD)"
# The stages kwokctl uses by default for a cluster with node leases (pkg/kwokctl/runtime/cluster.go):
# node-initialize, node-heartbeat-with-lease, pod-ready, pod-complete, pod-delete.
for s in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
         pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  cat "$KWOK_DIR/kustomize/stage/$s"
  echo "---"
done >"$RUN_DIR/kwok-stages.yaml"
# Stages are served from the API (Stage CRD, --enable-crds=Stage) rather than read from --config, so
# tests can add failure stages at run time (test/e2e/support/kwok-stages.ts: crash loops, image pull
# errors, never-ready pods). kwok refuses stages in both places: its config file holds none.
# ClusterLogs (same way) tell kwok's server which file to serve as a container's log, so
# `kubectl logs` and the API's pods/log work for tests that need log lines.
for crd in stages clusterlogs; do
  k apply -f "$KWOK_DIR/kustomize/crd/bases/kwok.x-k8s.io_$crd.yaml" >/dev/null
  wait_for kube-apiserver "CRD $crd.kwok.x-k8s.io established" bash -c \
    "KUBECONFIG='$RUN_DIR/kubeconfig' '$KUBECTL' get crd $crd.kwok.x-k8s.io -o jsonpath='{.status.conditions[?(@.type==\"Established\")].status}' | grep -qx True"
done
k apply -f "$RUN_DIR/kwok-stages.yaml" >/dev/null
# An empty config: kwok's defaults (a KwokConfiguration with `options: {}` would zero them).
: >"$RUN_DIR/kwok-config.yaml"
start_proc kwok "$BIN/kwok" \
  --kubeconfig="$RUN_DIR/kwok.kubeconfig" \
  --config="$RUN_DIR/kwok-config.yaml" \
  --enable-crds=Stage,ClusterLogs \
  --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
  --tls-cert-file="$PKI/kwok-serving.crt" --tls-private-key-file="$PKI/kwok-serving.key" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 \
  --node-lease-duration-seconds=40
for i in 0 1; do
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    beta.kubernetes.io/arch: amd64
    beta.kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
---
EOF
done >"$RUN_DIR/kwok-nodes.yaml"
k apply -f "$RUN_DIR/kwok-nodes.yaml" >/dev/null
wait_for kwok "2 Ready kwok nodes" k wait --for=condition=Ready node/kwok-node-0 node/kwok-node-1 --timeout=5s
log "kwok ($KWOK_MOD) up, nodes kwok-node-0 and kwok-node-1 Ready in $((SECONDS - t)) s"

cat >"$RUN_DIR/env" <<EOF
KUBECONFIG=$RUN_DIR/kubeconfig
KUBECTL=$KUBECTL
KUBE_API_URL=$API_URL
ETCD_URL=http://127.0.0.1:$ETCD_PORT
KUBE_CONTROLLER_MANAGER_PORT=$KCM_PORT
KUBE_SCHEDULER_PORT=$SCHED_PORT
KWOK_PORT=$KWOK_PORT
EOF
log "control plane ready in $((SECONDS - start_all)) s (RUN_DIR=$RUN_DIR)"
echo "export KUBECONFIG=$RUN_DIR/kubeconfig"
