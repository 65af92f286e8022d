# lab/base.sh — the cached base root filesystem shared (read-only) by all hosts.
# Source after lib.sh and net.sh.
#
# A minimal Debian (12 bookworm or 13 trixie, see LAB_SUITE in lib.sh) built
# once per suite with debootstrap into bases/<suite> and kept across lab:down;
# every host mounts its suite's base as the lower layer of its own overlay
# root. Nothing host-specific lives here: no host keys, hostname or machine-id.
# shellcheck shell=bash

BASE_SUITE=$(requested_suite) || exit 1
BASE_DIR=$(base_dir_for "$BASE_SUITE")
# minbase + what every host needs before the program's first step:
#   openssh-server   the program reaches hosts only over SSH
#   python3          the program's config-file editor runs on the hosts
#   tini             PID 1 of each host (reaps orphans of daemonised services)
#   init-system-helpers, sysvinit-utils   `service X start` and the LSB init
#                    functions the init scripts source (there is no systemd)
#   netbase          /etc/services and /etc/protocols (socket lookups in Python)
BASE_PACKAGES=(openssh-server iproute2 iputils-ping procps ca-certificates tini python3
  init-system-helpers sysvinit-utils netbase)
# Bump when base_configure changes: a different stamp forces a rebuild.
BASE_RECIPE_VERSION=2

# first URI in the root ns's apt sources that ends in $1 (debian, debian-security)
source_uri_ending() {
  apt_source_urls | grep -E "^https?://[^ ]+/$1/?\$" | head -n1 | sed -E 's#/$##; s#^https:#http:#'
}
debian_mirror() {
  local uri=${LAB_MIRROR:-$(source_uri_ending debian || true)}
  echo "${uri:-http://deb.debian.org/debian}"
}
security_mirror() {
  local uri=${LAB_SECURITY_MIRROR:-$(source_uri_ending debian-security || true)}
  echo "${uri:-http://deb.debian.org/debian-security}"
}

base_stamp() {
  printf 'recipe=%s suite=%s mirror=%s security=%s packages=%s\n' "$BASE_RECIPE_VERSION" "$BASE_SUITE" \
    "$(debian_mirror)" "$(security_mirror)" "${BASE_PACKAGES[*]}"
}

base_is_current() { [[ -f $BASE_DIR/.oslab-base && $(<"$BASE_DIR/.oslab-base") == "$(base_stamp)" ]]; }

# Hosts whose disks (upper layers) were built on this suite's base.
hosts_on_this_base() {
  local f
  for f in "$HOSTS_DIR"/*/suite; do
    [[ -f $f && $(<"$f") == "$BASE_SUITE" ]] && basename "$(dirname "$f")"
  done
  return 0
}

# A bookworm base cached before bases/<suite> existed is moved, not rebuilt.
adopt_legacy_base() {
  [[ $BASE_SUITE == bookworm && -f $LEGACY_BASE_DIR/.oslab-base && ! -e $BASE_DIR ]] || return 0
  # shellcheck disable=SC2153 # BASES_DIR comes from lib.sh
  mkdir -p "$BASES_DIR"
  mv "$LEGACY_BASE_DIR" "$BASE_DIR"
  log "base: moved the cached bookworm base to $BASE_DIR"
}

# Settings every host inherits. Hosts have no init system and no route out.
base_configure() {
  local root=$1
  # per-host identity is generated at first boot (host-init.sh / host-boot.sh)
  rm -f "$root"/etc/ssh/ssh_host_* "$root/etc/hostname" "$root/var/lib/dbus/machine-id"
  : >"$root/etc/machine-id"
  printf '# no DNS in the lab: hosts resolve each other through /etc/hosts\n' >"$root/etc/resolv.conf"
  # postinst scripts must not start services: there is no init system to
  # manage them, and the program starts every service itself
  printf '#!/bin/sh\n# openstack-lab: never start services from maintainer scripts\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  # apt goes through the proxy on the management bridge; small installs;
  # downloaded .debs are dropped so no host keeps a private copy; package
  # lists stay compressed and there is no source cache (saves ~100 MB/host)
  cat >"$root/etc/apt/apt.conf.d/90openstack-lab" <<EOF
Acquire::http::Proxy "$PROXY_URL";
Acquire::http::Timeout "30";
Acquire::Retries "3";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "gz";
Dir::Cache::srcpkgcache "";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };
EOF
  # a lab disk: skip dpkg's fsyncs (much faster installs on the overlay)
  echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/90openstack-lab"
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $(debian_mirror)
Suites: $BASE_SUITE $BASE_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $(security_mirror)
Suites: $BASE_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$root/etc/ssh/sshd_config.d/openstack-lab.conf" <<'EOF'
# openstack-lab: root logs in with the lab's key only
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
# no PAM: no login sessions/loginuid to set up in a namespace host
UsePAM no
UseDNS no
# the program runs many steps in parallel over SSH
MaxStartups 100:30:200
MaxSessions 100
EOF
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
}

# Build the base unless a current one is cached. Builds next to the cache and
# renames at the end, so an interrupted build never looks like a valid cache.
base_ensure() {
  local tmp=$BASE_DIR.new log=$LAB_DIR/logs/debootstrap-$BASE_SUITE.log includes t0
  adopt_legacy_base
  if base_is_current; then
    log "base: cached $BASE_DIR ($BASE_SUITE)"
    return 0
  fi
  if [[ -d $BASE_DIR ]]; then
    [[ -z $(hosts_on_this_base) ]] ||
      die "the base recipe changed but host disks in $HOSTS_DIR still use the old base; run: npm run lab:down (without LAB_KEEP_HOSTS) or npm run lab:clean"
    log "base: recipe changed, rebuilding"
  fi
  t0=$(date +%s.%N)
  includes=$(
    IFS=,
    echo "${BASE_PACKAGES[*]}"
  )
  log "base: debootstrap $BASE_SUITE from $(debian_mirror) (a few minutes; log: $log)"
  mkdir -p "$LAB_DIR/logs" "$BASES_DIR"
  safe_remove "$tmp"
  debootstrap --variant=minbase --include="$includes" "$BASE_SUITE" "$tmp" "$(debian_mirror)" >"$log" 2>&1 ||
    die "debootstrap failed; last lines of $log:
$(tail -n 15 "$log")"
  base_configure "$tmp"
  base_stamp >"$tmp/.oslab-base"
  safe_remove "$BASE_DIR"
  mv "$tmp" "$BASE_DIR"
  log "base: built in $(elapsed "$t0")s ($(du -sh "$BASE_DIR" | cut -f1))"
}
