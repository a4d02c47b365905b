#!/usr/bin/env bash
# smoke-docker.sh — prove the real Docker engine, Compose v2 and the local base images work
# together the way Slipway's compose files use them, then clean up:
#   1. start-docker.sh (reuses a running engine; an engine it started is stopped at the end)
#   2. a compose project hardened like Slipway's output (numeric users, read-only roots, tmpfs,
#      cap_drop ALL, no-new-privileges, init, healthchecks with start_interval, depends_on
#      service_healthy, named volumes, the only published port on 127.0.0.1):
#        web    a small Node HTTP app built FROM local/node:24 by compose, with a HEALTHCHECK
#        db     local/postgres:15 (POSTGRES_USER/PASSWORD/DB from an env file)
#        cache  local/redis:7 (appendonly, data in a named volume)
#   3. `docker compose up -d --wait`; every container healthy; the app answers on the loopback
#      port and reports that it reached Postgres (protocol answer) and Redis (PONG) by service
#      name; psql in the db container writes and reads a table; psql from another container on
#      the project network logs in with the password (and a wrong one is refused)
#   4. `docker compose down -v --rmi local` (always, also on failure); nothing of it is left.
# Exits non-zero on any failure. Needs install-docker.sh and build-base-images.sh (node postgres
# redis) first; curl on the host.
#   RUN_DIR        the engine's run dir (default ${TMPDIR:-/tmp}/slipway-docker, the tests' one)
#   SMOKE_TIMEOUT  seconds for `up --wait` (default 120)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/slipway-docker}"
TIMEOUT="${SMOKE_TIMEOUT:-120}"
PROJECT="slipway-smoke-$$"
start=$SECONDS
log() { echo "smoke-docker: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
command -v curl >/dev/null || die "curl is missing (install-debian.sh installs it)"

# ---- the engine: reuse, or start and stop again at the end ----
was_up=0
if [[ -f "$RUN_DIR/env" ]] \
   && DOCKER_HOST="$(sed -n 's/^DOCKER_HOST=//p' "$RUN_DIR/env")" timeout 10 docker version >/dev/null 2>&1; then
  was_up=1
fi
eval "$("$SCRIPT_DIR/start-docker.sh")"
export DOCKER_HOST

dir="$(mktemp -d "${TMPDIR:-/tmp}/slipway-docker-smoke.XXXXXX")"
compose() { docker compose --project-directory "$dir" -p "$PROJECT" --env-file "$dir/.env" "$@"; }
cleanup() {
  local rc=$?
  if [[ $rc != 0 ]]; then
    compose ps -a >&2 || true
    compose logs --no-color --tail 25 >&2 || true
  fi
  local t=$SECONDS
  compose down -v --rmi local --timeout 10 >/dev/null 2>&1 || true
  local left
  left="$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT"; docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT")"
  [[ -z $left ]] || { log "left behind by down -v: $left"; rc=1; }
  log "docker compose down -v in $((SECONDS - t)) s"
  rm -rf "$dir"
  [[ $was_up == 1 ]] || "$SCRIPT_DIR/stop-docker.sh" || true
  if [[ $rc == 0 ]]; then log "PASSED in $((SECONDS - start)) s"; else log "FAILED (exit $rc) after $((SECONDS - start)) s"; fi
  exit "$rc"
}
trap cleanup EXIT

for img in local/node:24 local/postgres:15 local/redis:7; do
  docker image inspect "$img" >/dev/null 2>&1 || die "$img is missing: run build-base-images.sh first"
done

# ---- the project ----
mkdir -p "$dir/web"
DB_PASSWORD="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf 'DB_PASSWORD=%s\n' "$DB_PASSWORD" >"$dir/.env"

cat >"$dir/web/server.js" <<'EOF'
// The smoke app: /healthz for the HEALTHCHECK; / reaches Postgres and Redis by service name
// with nothing but node:net (no driver): Postgres must answer an SSLRequest with 'N' or 'S',
// Redis a PING with +PONG.
const http = require('node:http');
const net = require('node:net');

function ask(host, port, payload, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`${host}:${port} timed out`)); }, timeoutMs);
    s.on('connect', () => s.write(payload));
    s.once('data', (d) => { clearTimeout(timer); s.destroy(); resolve(d.toString('latin1')); });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
// SSLRequest: length 8, code 80877103
const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

http.createServer(async (req, res) => {
  if (req.url === '/healthz') { res.end('ok'); return; }
  try {
    const pg = await ask(process.env.DB_HOST, 5432, sslRequest);
    const redis = await ask(process.env.REDIS_HOST, 6379, 'PING\r\n');
    const ok = (pg === 'N' || pg === 'S') && redis.startsWith('+PONG');
    res.writeHead(ok ? 200 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok, postgres: pg, redis: redis.trim(), node: process.version, uid: process.getuid() }));
  } catch (e) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: false, error: String(e) }));
  }
}).listen(8080, '0.0.0.0');
EOF

cat >"$dir/web/Dockerfile" <<'EOF'
FROM local/node:24
WORKDIR /app
ENV NODE_ENV=production HOME=/tmp
COPY server.js ./
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --retries=3 --start-period=30s --start-interval=1s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz',{redirect:'manual'}).then(r=>process.exit(r.status<400?0:1),()=>process.exit(1))"]
CMD ["node", "server.js"]
EOF

cat >"$dir/compose.yaml" <<'EOF'
services:
  web:
    build:
      context: ./web
    user: "10001:10001"
    init: true
    read_only: true
    tmpfs: [/tmp]
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    environment:
      DB_HOST: db
      REDIS_HOST: cache
    ports:
      - "127.0.0.1::8080"
    depends_on:
      db: {condition: service_healthy}
      cache: {condition: service_healthy}
  db:
    image: local/postgres:15
    user: "999:999"
    environment:
      POSTGRES_USER: app
      POSTGRES_DB: app
      POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "app", "-d", "app", "-h", "127.0.0.1"]
      interval: 10s
      timeout: 5s
      retries: 3
      start_period: 300s
      start_interval: 1s
    read_only: true
    tmpfs: [/tmp, /var/run/postgresql]
    volumes:
      - {type: volume, source: db-data, target: /var/lib/postgresql/data}
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    stop_grace_period: 60s
  cache:
    image: local/redis:7
    command: ["redis-server", "--appendonly", "yes", "--dir", "/data"]
    user: "999:999"
    healthcheck:
      test: ["CMD-SHELL", "redis-cli -h 127.0.0.1 ping | grep -q PONG"]
      interval: 10s
      timeout: 5s
      retries: 3
      start_period: 150s
      start_interval: 1s
    read_only: true
    tmpfs: [/tmp]
    volumes:
      - {type: volume, source: cache-data, target: /data}
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
volumes:
  db-data: {}
  cache-data: {}
EOF

compose config --quiet

# ---- up --wait ----
t=$SECONDS
compose build --quiet web >&2
log "web image built FROM local/node:24 by compose in $((SECONDS - t)) s"
t=$SECONDS
compose up -d --wait --wait-timeout "$TIMEOUT" >&2
log "docker compose up -d --wait: everything healthy in $((SECONDS - t)) s"
for svc in web db cache; do
  cid="$(compose ps -q "$svc")"
  st="$(docker inspect -f '{{.State.Health.Status}} uid={{.Config.User}} ro={{.HostConfig.ReadonlyRootfs}}' "$cid")"
  [[ $st == healthy* ]] || die "$svc is not healthy: $st"
  log "  $svc: $st"
done

# ---- the app on loopback, reaching db and cache ----
addr="$(compose port web 8080)"
[[ $addr == 127.0.0.1:* ]] || die "web is published on '$addr', not on 127.0.0.1"
body="$(curl -fsS --max-time 10 "http://$addr/")" || die "the app did not answer on http://$addr/"
log "GET http://$addr/ -> $body"
[[ $body == *'"ok":true'* ]] || die "the app could not reach Postgres and Redis: $body"

# ---- Postgres: SQL in the container, password login from another container ----
out="$(compose exec -T db psql -q -v ON_ERROR_STOP=1 -U app -d app -tAc \
  "create table smoke(id int primary key, note text); insert into smoke values (1, 'slipway'); select note from smoke where id = 1")"
[[ $out == slipway ]] || die "psql in the db container returned '$out'"
log "psql in db: create table, insert, select -> $out"
net="${PROJECT}_default"
out="$(docker run --rm --network "$net" -e PGPASSWORD="$DB_PASSWORD" local/postgres:15 \
  psql -h db -U app -d app -tAc "select current_user || '@' || current_database() || ' ' || count(*) from smoke")"
[[ $out == 'app@app 1' ]] || die "psql over the project network returned '$out'"
log "psql from another container on $net with the password -> $out"
if docker run --rm --network "$net" -e PGPASSWORD=wrong local/postgres:15 psql -h db -U app -d app -tAc 'select 1' >/dev/null 2>&1; then
  die "Postgres accepted a wrong password over the network"
fi
log "a wrong password over the network is refused"
