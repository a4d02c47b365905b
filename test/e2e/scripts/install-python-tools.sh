#!/usr/bin/env bash
# install-python-tools.sh — checkov (a Kubernetes manifest linter; one of the oracles that stand in
# for kube-linter, which the Go module proxy refuses here) into a venv under $SLIPWAY_CACHE, linked
# as $SLIPWAY_CACHE/bin/checkov. Skipped when the pinned version is already installed.
set -euo pipefail

SLIPWAY_CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"
CHECKOV_VERSION=3.3.30
VENV="$SLIPWAY_CACHE/venv/checkov"
start=$SECONDS

if [[ -x "$VENV/bin/checkov" ]] && "$VENV/bin/pip" show checkov 2>/dev/null | grep -qx "Version: $CHECKOV_VERSION"; then
  echo "install-python-tools: checkov $CHECKOV_VERSION already installed" >&2
else
  echo "install-python-tools: installing checkov $CHECKOV_VERSION into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
mkdir -p "$SLIPWAY_CACHE/bin"
ln -sf "$VENV/bin/checkov" "$SLIPWAY_CACHE/bin/checkov"
echo "install-python-tools: done in $((SECONDS - start)) s" >&2
