#!/bin/sh
# As the official node image's: `docker run <image> -e "…"` or `… app.js` runs node with them.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
