#!/bin/bash
# lab/install-deps.sh — install what the lab needs in the ROOT namespace.
# Idempotent and quiet: does nothing when everything is present. lab:up calls
# it; CI machines start without any of these.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# package -> why
DEPS=(
  debootstrap           # builds the base rootfs
  debian-archive-keyring # debootstrap verifies the archive with it
  apt-cacher-ng         # the hosts' apt proxy
  iproute2              # ip netns / link / route, ss
  ethtool               # checksums finished on the external network's veths (net.sh)
  util-linux            # unshare, setpriv, pivot_root, flock
  procps                # pgrep
  openssh-client        # ssh, ssh-keygen
  jq                    # lab.json
  bc                    # timings
)

missing_packages() {
  local p
  for p in "${DEPS[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

apt_install() {
  # other jobs may hold the dpkg lock (concurrent installs): wait for it
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
    -o Dpkg::Options::=--force-confold "$@"
}

# The distro package starts its own apt-cacher-ng on *:3142 (where services
# start on install); that would block the lab's. Stop and disable only the
# instance this install just started.
disable_stock_acng() {
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now apt-cacher-ng >/dev/null 2>&1 || true
  elif [[ -f /run/apt-cacher-ng/pid ]]; then
    service apt-cacher-ng stop >/dev/null 2>&1 || true
  fi
}

main() {
  require_root lab:up
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [[ -n ${missing// /} ]] || return 0
  log "installing root-namespace packages: $missing"
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt_install $missing >/dev/null 2>&1 || {
    apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null
    apt_install $missing >/dev/null
  }
  [[ $missing != *apt-cacher-ng* ]] || disable_stock_acng
}

main "$@"
