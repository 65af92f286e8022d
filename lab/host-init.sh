#!/bin/bash
# lab/host-init.sh HOST — PID 1 of a fresh PID + mount + UTS namespace, started
# by hosts.sh inside the host's network namespace. It builds the host's root:
#
#   overlay  lower = $LAB_DIR/bases/<suite> (shared, read-only; the suite
#            hosts.sh recorded in $LAB_DIR/hosts/HOST/suite)
#            upper = $LAB_DIR/hosts/HOST/upper (this host's disk)
#   proc     this PID namespace only: the host sees only its own processes
#   sysfs    this network namespace's /sys/class/net
#   /dev     rbind of the machine's /dev (/dev/net/tun, /dev/kvm, ptys for
#            libvirt/qemu later) with a private /dev/shm
#   /run     private tmpfs, like a real boot
#
# then pivots into it (pivot_root, not chroot: the old root is detached, so
# nothing of the machine's filesystem stays reachable, and mount-namespace
# users such as libvirt see a normal root) and execs tini, which runs
# host-boot.sh. Everything mounted here lives in this private mount namespace
# and disappears with it: the root namespace never sees these mounts.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

h=$1
dir=$(host_dir "$h")
root=$dir/merged
base=$(base_dir_for "$(<"$dir/suite")")

hostname "$h"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$dir/upper,workdir=$dir/work" "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t sysfs -o nosuid,nodev,noexec sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs "$root/run"
install -d -m 1777 "$root/run/lock"

# identity: name, the lab's host table, a machine-id of its own, the lab key
echo "$h" >"$root/etc/hostname"
install -m 644 "$LAB_DIR/etc-hosts" "$root/etc/hosts"
[[ -s $root/etc/machine-id ]] || tr -d - </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
install -d -m 700 "$root/root/.ssh"
install -m 600 "$KEY_FILE.pub" "$root/root/.ssh/authorized_keys"
install -m 755 "$LAB_ROOT/host-boot.sh" "$root/run/host-boot.sh"
# `service` as a systemd host runs it: the service gets the system's locale (C.UTF-8,
# systemd's default where none is set), never the caller's LC_ALL/LANG (see host-boot.sh)
install -m 755 "$LAB_ROOT/service-wrapper.sh" "$root/usr/local/sbin/service"

# switch root: put the old root on /mnt, then detach it
cd "$root"
pivot_root . mnt
cd /
umount -l /mnt
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LANG=C.UTF-8 TERM=dumb /usr/bin/tini -- /run/host-boot.sh
