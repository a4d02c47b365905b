#!/usr/bin/env bash
# docker-entrypoint.sh of local/postgres — the behaviour of the official postgres image's
# entrypoint that Slipway and ordinary compose files rely on:
#   - `postgres …` (or only flags) is the server; anything else is exec'ed as is;
#   - started as root: the data and socket dirs are given to postgres and it re-runs as uid 999;
#     started as any other uid (compose `user: "999:999"`, read-only root): it runs as that uid;
#   - an empty $PGDATA is initialised: initdb with POSTGRES_USER (default postgres) and
#     POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust) and POSTGRES_INITDB_ARGS,
#     `host all all all <password_encryption>` (scram-sha-256) appended to pg_hba.conf (local
#     socket connections stay trusted), then a temporary server that listens on the socket only
#     (so a TCP `pg_isready -h 127.0.0.1` is not ready before the real start) creates POSTGRES_DB
#     (default: the user's name) and runs /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz|*.sql.xz|*.sql.zst;
#   - every POSTGRES_* variable above may be given as a file with <NAME>_FILE;
#   - an uid without a passwd entry gets one through nss_wrapper (initdb needs a user name).
set -Eeo pipefail

# file_env VAR [DEFAULT]: VAR from $VAR or from the file $VAR_FILE names
file_env() {
  local var=$1 file_var="${1}_FILE" def="${2:-}" val
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo >&2 "error: both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  val=$def
  if [[ -n ${!var:-} ]]; then
    val=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    val="$(<"${!file_var}")"
  fi
  export "$var"="$val"
  unset "$file_var"
}

create_dirs() {
  mkdir -p "$PGDATA"
  # initdb and postgres insist on 0700/0750; ignore a failure (postgres then says why)
  chmod 00700 "$PGDATA" 2>/dev/null || :
  mkdir -p /var/run/postgresql 2>/dev/null || :
  chmod 03775 /var/run/postgresql 2>/dev/null || :
  if [[ $(id -u) == 0 ]]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
  fi
}

nss_wrapper_on() {
  if ! getent passwd "$(id -u)" >/dev/null 2>&1; then
    local libs=(/usr/lib/*/libnss_wrapper.so) lib
    lib=${libs[0]}
    [[ -e $lib ]] || return 0
    NSS_WRAPPER_PASSWD="$(mktemp)"
    NSS_WRAPPER_GROUP="$(mktemp)"
    export LD_PRELOAD="$lib" NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
    echo "postgres:x:$(id -u):$(id -g):PostgreSQL:$PGDATA:/bin/false" >"$NSS_WRAPPER_PASSWD"
    echo "postgres:x:$(id -g):" >"$NSS_WRAPPER_GROUP"
  fi
}
nss_wrapper_off() {
  if [[ -n ${NSS_WRAPPER_PASSWD:-} ]]; then
    rm -f "$NSS_WRAPPER_PASSWD" "$NSS_WRAPPER_GROUP"
    unset LD_PRELOAD NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
  fi
}

psql_init() { # psql as the init user into a database (default POSTGRES_DB)
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname "${1:-$POSTGRES_DB}" "${@:2}"
}

init_database() { # init_database <the server's arguments after "postgres">
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
    cat >&2 <<'EOM'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
EOM
    exit 1
  fi

  nss_wrapper_on
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"
  nss_wrapper_off

  if [[ -z $POSTGRES_HOST_AUTH_METHOD ]]; then
    POSTGRES_HOST_AUTH_METHOD="$(postgres -C password_encryption "$@")"
  fi
  {
    printf '\n'
    [[ $POSTGRES_HOST_AUTH_METHOD == trust ]] && printf '# warning trust is enabled for all connections\n'
    printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
  } >>"$PGDATA/pg_hba.conf"

  # a temporary server on the socket only
  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" \
    -o "$(printf '%q ' "$@" -c listen_addresses= -p "${PGPORT:-5432}")" -w start

  if [[ $POSTGRES_DB != postgres ]]; then
    local exists
    exists="$(psql_init postgres --set db="$POSTGRES_DB" --tuples-only <<<"SELECT 1 FROM pg_database WHERE datname = :'db' ;")"
    if [[ -z ${exists//[[:space:]]/} ]]; then
      psql_init postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;'
      echo
    fi
  fi

  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [[ -e $f ]] || continue
    case "$f" in
      *.sh)
        if [[ -x $f ]]; then
          echo "$0: running $f"
          "$f"
        else
          echo "$0: sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql) echo "$0: running $f"; psql_init "" -f "$f"; echo ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | psql_init; echo ;;
      *.sql.xz) echo "$0: running $f"; xzcat "$f" | psql_init; echo ;;
      *.sql.zst) echo "$0: running $f"; zstd -dc "$f" | psql_init; echo ;;
      *) echo "$0: ignoring $f" ;;
    esac
  done

  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
}

if [[ ${1:0:1} == - ]]; then
  set -- postgres "$@"
fi

if [[ $1 == postgres ]]; then
  # `postgres --help`, `-V`, `--version`, `--describe-config`, `-C`: no initialisation
  for a in "$@"; do
    case "$a" in -'?'|--help|--describe-config|-V|--version|-C) exec "$@" ;; esac
  done
  create_dirs
  if [[ $(id -u) == 0 ]]; then
    exec setpriv --reuid=999 --regid=999 --init-groups "${BASH_SOURCE[0]}" "$@"
  fi
  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    init_database "${@:2}"
  else
    echo
    echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    echo
  fi
fi

exec "$@"
