# _trixie-apt.sh — sourced by install-debian.sh and install-docker.sh: Debian trixie packages through
# a private source list whose mirror URI is taken from the machine's own apt configuration (never a
# host name written here), with private lists, archives and an empty dpkg status, so the system's
# apt state stays untouched. Needs APT_DIR, REFRESH and a log function from the sourcing script.
# Provides trixie_setup (idempotent) and APT_OPTS for `apt-get "${APT_OPTS[@]}" …`.

trixie_uri() {
  local uri=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    # first URIs: line of a stanza that is not the security archive
    uri="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)"
  fi
  [[ -n "$uri" ]] || { log "cannot find a Debian mirror URI in /etc/apt"; exit 1; }
  echo "$uri"
}

APT_OPTS=()
trixie_ready=0
trixie_setup() {
  [[ $trixie_ready == 1 ]] && return
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial"
  # empty dpkg status: the private apt must not see what the system has installed
  [[ -f "$APT_DIR/status" ]] || : > "$APT_DIR/status"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  echo "deb [signed-by=$keyring] $(trixie_uri) trixie main" > "$APT_DIR/sources.list"
  APT_OPTS=(
    -o "Dir::Etc::sourcelist=$APT_DIR/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache::archives=$APT_DIR/archives"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "Dir::State::status=$APT_DIR/status" -o "APT::Sandbox::User=root"
  )
  if [[ $REFRESH == 1 ]] || ! ls "$APT_DIR"/lists/*_Packages* >/dev/null 2>&1; then
    local t=$SECONDS i
    # The scripts share these lists: if another is updating them right now, apt's lock on the
    # lists dir makes this update fail; wait for it and try again.
    for i in 1 2 3 4 5 6; do
      apt-get "${APT_OPTS[@]}" update -qq && break
      ((i < 6)) || { log "private trixie apt-get update failed"; exit 1; }
      log "private trixie apt-get update failed (lists dir locked?), retrying in 5 s"
      sleep 5
    done
    log "private trixie lists updated in $((SECONDS - t)) s ($APT_DIR)"
  fi
  trixie_ready=1
}
