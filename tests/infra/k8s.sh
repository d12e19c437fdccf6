#!/usr/bin/env bash
# A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, and kwok faking two nodes so Pods reach Running/Ready. Token auth: an admin in
# system:masters and a restricted user (runbook-restricted) with no rights until tests grant them.
# With RUNBOOK_TEST_KUBECONFIG set, that cluster is used instead and nothing is started.
#   usage: k8s.sh start|stop|status|env
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STATE="$STATE_ROOT/k8s"
ENV_FILE="$STATE/env"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

kubectl_admin() { "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" "$@"; }

api_ready() {
  curl -fsS --cacert "$STATE/pki/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \
    "https://127.0.0.1:$API_PORT/readyz" >/dev/null
}

running() {
  [[ -f "$ENV_FILE" ]] || return 1
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  [[ -n "${RUNBOOK_TEST_KUBECONFIG:-}" ]] && return 0
  local c
  for c in "${COMPONENTS[@]}"; do pid_alive "$STATE/$c.pid" || return 1; done
  api_ready
}

make_pki() {
  local pki="$STATE/pki"
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=runbook-test-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n' >"$pki/san.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 30 -extfile "$pki/san.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

token() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }

write_kubeconfig() {
  local file=$1 user=$2 user_token=$3
  cat >"$file" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: runbook-test
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $STATE/pki/ca.crt
users:
- name: $user
  user:
    token: $user_token
contexts:
- name: $user@runbook-test
  context: {cluster: runbook-test, user: $user, namespace: default}
current-context: $user@runbook-test
KCFG
  chmod 600 "$file"
}

start_etcd() {
  start_daemon etcd "$STATE/logs/etcd.log" "$BIN/etcd" --name runbook-test --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "runbook-test=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --quota-backend-bytes 2147483648
  wait_until 30 "etcd" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"
}

start_apiserver() {
  start_daemon kube-apiserver "$STATE/logs/kube-apiserver.log" "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
    --client-ca-file "$STATE/pki/ca.crt" \
    --token-auth-file "$STATE/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$STATE/pki/sa.pub" \
    --service-account-signing-key-file "$STATE/pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged=true \
    --endpoint-reconciler-type none --enable-priority-and-fairness=false \
    --profiling=false
  wait_until 90 "kube-apiserver /readyz" api_ready
}

start_controllers() {
  start_daemon kube-controller-manager "$STATE/logs/kube-controller-manager.log" \
    "$BIN/kube-controller-manager" --kubeconfig "$STATE/admin.kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0 \
    --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/ca.crt" \
    --use-service-account-credentials=false --concurrent-deployment-syncs 10 \
    --concurrent-replicaset-syncs 10 --concurrent-service-endpoint-syncs 10 --profiling=false
  start_daemon kube-scheduler "$STATE/logs/kube-scheduler.log" "$BIN/kube-scheduler" \
    --kubeconfig "$STATE/admin.kubeconfig" --leader-elect=false --bind-address 127.0.0.1 \
    --secure-port 0 --profiling=false
  start_daemon kwok "$STATE/logs/kwok.log" "$BIN/kwok" --kubeconfig "$STATE/admin.kubeconfig" \
    --config "$BIN/kwok-stages.yaml" \
    --manage-all-nodes=true --cidr 10.244.0.1/16 --node-ip 10.244.0.1 \
    --server-address "127.0.0.1:$KWOK_PORT"
}

create_nodes() {
  local n
  for n in kwok-node-0 kwok-node-1; do
    kubectl_admin apply -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata:
  name: $n
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: $n, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "250"}
  capacity: {cpu: "32", memory: 256Gi, pods: "250"}
NODE
  done
  wait_until 60 "kwok to mark the nodes Ready" bash -c \
    "[[ \$('$BIN/kubectl' --kubeconfig '$STATE/admin.kubeconfig' get nodes -o jsonpath='{.items[*].status.conditions[?(@.type==\"Ready\")].status}') == 'True True' ]]" \
    || return 1
  wait_until 60 "the default ServiceAccount" kubectl_admin -n default get serviceaccount default
}

start() {
  if [[ -n "${RUNBOOK_TEST_KUBECONFIG:-}" ]]; then
    mkdir -p "$STATE"
    write_env "$ENV_FILE" K8S_AUTH_KUBECONFIG "$RUNBOOK_TEST_KUBECONFIG" KUBECONFIG "$RUNBOOK_TEST_KUBECONFIG" \
      RUNBOOK_K8S_EXTERNAL 1
    log "using the cluster of RUNBOOK_TEST_KUBECONFIG=$RUNBOOK_TEST_KUBECONFIG"
    return 0
  fi
  if running; then log "already running on port $API_PORT"; return 0; fi
  stop >/dev/null 2>&1 || true
  local started=$SECONDS
  BIN=$("$INFRA_HOME/build-k8s.sh")
  rm -rf "$STATE" && mkdir -p "$STATE/logs" "$STATE/etcd"
  make_pki
  ADMIN_TOKEN=$(token); RESTRICTED_TOKEN=$(token)
  printf '%s,runbook-admin,uid-admin,"system:masters"\n%s,runbook-restricted,uid-restricted,"runbook:testers"\n' \
    "$ADMIN_TOKEN" "$RESTRICTED_TOKEN" >"$STATE/tokens.csv"
  ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); API_PORT=$(free_port); KWOK_PORT=$(free_port)
  write_kubeconfig "$STATE/admin.kubeconfig" runbook-admin "$ADMIN_TOKEN"
  write_kubeconfig "$STATE/restricted.kubeconfig" runbook-restricted "$RESTRICTED_TOKEN"
  write_env "$ENV_FILE" BIN "$BIN" API_PORT "$API_PORT" ETCD_PORT "$ETCD_PORT" ETCD_PEER_PORT "$ETCD_PEER_PORT" \
    KWOK_PORT "$KWOK_PORT" ADMIN_TOKEN "$ADMIN_TOKEN" RESTRICTED_TOKEN "$RESTRICTED_TOKEN" \
    K8S_AUTH_KUBECONFIG "$STATE/admin.kubeconfig" KUBECONFIG "$STATE/admin.kubeconfig" \
    RUNBOOK_RESTRICTED_KUBECONFIG "$STATE/restricted.kubeconfig" K8S_HOST "https://127.0.0.1:$API_PORT" \
    K8S_CA_CERT "$STATE/pki/ca.crt" KUBECTL "$BIN/kubectl"
  chmod 600 "$ENV_FILE"
  start_etcd || die "etcd did not start, see $STATE/logs/etcd.log"
  start_apiserver || die "kube-apiserver did not become ready, see $STATE/logs/kube-apiserver.log"
  start_controllers
  create_nodes || die "nodes did not become Ready, see $STATE/logs/kwok.log"
  log "control plane $("$BIN/kube-apiserver" --version) ready on https://127.0.0.1:$API_PORT in $((SECONDS - started))s"
}

stop() {
  local c i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    c=${COMPONENTS[$i]}
    [[ -d "$STATE" ]] && stop_daemon "$c"
  done
  rm -f "$ENV_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "k8s: running on https://127.0.0.1:$API_PORT"; else echo "k8s: stopped"; exit 1; fi ;;
  env) cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
