#!/usr/bin/env bash
# deps.sh installs the Debian packages the project needs to run its real counterparts
# (Keystone under uwsgi, PostgreSQL, Chromium for the frontend tests) and does nothing
# else when they are all there. With arguments it installs only the named packages.
#
#   scripts/deps.sh                 # everything the project needs
#   scripts/deps.sh postgresql      # just these
#
# Progress goes to stderr, one line per action, so callers can keep stdout for results.
set -euo pipefail

if (($# > 0)); then
  wanted=("$@")
else
  wanted=(python3-keystone uwsgi-core uwsgi-plugin-python3 chromium postgresql openssl curl make)
  # Node may come from elsewhere (nodesource, nvm); Debian's only fills the gap.
  if ! command -v node >/dev/null 2>&1; then
    wanted+=(nodejs npm)
  fi
fi

log() { echo "deps: $*" >&2; }

installed() {
  dpkg -s "$1" 2>/dev/null | grep -qx 'Status: install ok installed'
}

missing=()
for pkg in "${wanted[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  log "all ${#wanted[@]} packages present"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || {
    log "not root and no sudo: install ${missing[*]} by hand"
    exit 1
  }
  sudo=(sudo)
fi

# Another apt run (e.g. a provisioning step) may hold the lock: wait for it, not fail.
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q)

log "missing: ${missing[*]}"
# apt-get update only when the package lists do not have them (a new machine).
log "apt-get install -y ${missing[*]}"
if ! "${apt[@]}" install -y "${missing[@]}" >&2; then
  log "apt-get update"
  "${apt[@]}" update >&2
  log "apt-get install -y ${missing[*]}"
  "${apt[@]}" install -y "${missing[@]}" >&2
fi
log "installed ${missing[*]}"
