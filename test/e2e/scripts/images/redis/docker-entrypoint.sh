#!/bin/sh
# docker-entrypoint.sh of local/redis — as the official redis image's (see the Dockerfile).
set -e

# first arg is `-f` or `--some-option`, or ends in .conf: they are redis-server's
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

# started as root: the data dir to redis, then run as uid 999
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=999 --regid=999 --init-groups "$0" "$@"
fi

if [ "$1" = redis-server ]; then
  # the official image's default: protected mode off (Debian's build keeps it on)
  case " $* " in
    *" --protected-mode "*) ;;
    *)
      if [ "${2%.conf}" = "$2" ] || ! [ -f "$2" ] \
        || ! grep -qiE '^[[:space:]]*protected-mode[[:space:]]' "$2"; then
        set -- "$@" --protected-mode no
      fi
      ;;
  esac
fi

# an appropriate umask (if one isn't set already)
um="$(umask)"
if [ "$um" = '0022' ]; then
  umask 0077
fi

exec "$@"
