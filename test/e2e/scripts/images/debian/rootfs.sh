#!/usr/bin/env bash
# rootfs.sh <dir> <mirror URI> <debootstrap cache dir> — the root file system of
# local/debian:bookworm, made by build-base-images.sh (root needed; the mirror URI comes from the
# machine's apt configuration). It stands in for the official `debian:bookworm-slim`:
#   - debootstrap --variant=minbase bookworm (Essential + required packages: bash, apt, dpkg,
#     coreutils, passwd, util-linux's setpriv, …) plus ca-certificates (for the machine's own CAs,
#     which the Dockerfile adds);
#   - the machine's own /etc/apt/sources.list.d/debian.sources (bookworm, -updates, -security),
#     so `RUN apt-get update && apt-get install …` works in builds on it;
#   - what Docker's images add: policy-rc.d (packages never start services), apt cleaning and no
#     translations, and the slim variant's dpkg path excludes (no man pages, docs but copyright,
#     info or translations; existing ones removed), empty apt lists, logs and machine-id.
# This file is part of the image's cache key: edit it and the base and every image on it rebuild.
set -euo pipefail
dir=$1 mirror=$2 cache=$3

mkdir -p "$cache"
debootstrap --variant=minbase --include=ca-certificates --cache-dir="$cache" bookworm "$dir" "$mirror" >"$dir.debootstrap.log" 2>&1 \
  || { tail -n 30 "$dir.debootstrap.log" >&2; exit 1; }

# apt sources: the machine's (one deb822 file), not debootstrap's one-line sources.list
rm -f "$dir/etc/apt/sources.list"
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
  install -m 644 /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/debian.sources"
else
  echo "deb $mirror bookworm main" >"$dir/etc/apt/sources.list"
fi

# no service may start inside a build or a container
printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
chmod 755 "$dir/usr/sbin/policy-rc.d"

# apt as in Docker's debian images
cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' >"$dir/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$dir/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$dir/etc/apt/apt.conf.d/docker-autoremove-suggests"

# the slim variant: keep docs, man pages and translations out, now and for every later package
cat >"$dir/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$dir"/usr/share/{groff,info,linda,lintian,man}/*
find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

# no state of the machine that built it
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin "$dir"/var/lib/apt/lists/*
mkdir -p "$dir/var/lib/apt/lists/partial"
find "$dir/var/log" -type f -delete
rm -f "$dir/etc/resolv.conf" "$dir/etc/hostname"
: >"$dir/etc/machine-id"
rm -rf "${dir:?}"/tmp/* "${dir:?}"/var/tmp/* "${dir:?}"/dev/* "${dir:?}"/proc/* "${dir:?}"/sys/*
