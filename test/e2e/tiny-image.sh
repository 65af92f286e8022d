#!/usr/bin/env bash
# tiny-image.sh OUTDIR — build a ~10 MB bootable guest image from Debian packages only
# (Debian has no cirros): one qcow2 disk = MBR + FAT partition + syslinux + the Debian
# kernel + a busybox initramfs. The guest prints LAB-GUEST-UP on the serial console,
# loads virtio-net, asks DHCP for an address, prints LAB-GUEST-NET <addr>, then tries
# the metadata service (LAB-GUEST-METADATA <instance-id> or "none"), takes its host name
# and SSH public key from there, starts dropbear (Debian's dropbear-bin with the libraries
# it links, key logins for root only: Tempest's validation SSH, image_ssh_user = root),
# prints LAB-GUEST-SSH up|none and keeps a shell on the console.
# For what Tempest's smoke tests run in a guest over SSH (tempest/scenario/
# test_server_basic_ops.py, tempest/lib/common/utils/linux/remote_client.py) it has small
# stand-ins for the tools busybox lacks: `curl [-X M] [-d DATA] URL` (plain HTTP over nc,
# the body printed as received), `sudo CMD` (everything runs as root) and
# `blkid -L LABEL -o device` (the config drive by its label), plus the modules that show
# an IDE or SATA CD-ROM with an ISO 9660 file system (nova's config drive).
# Cached: an existing OUTDIR/tiny.qcow2 is reused. Needs root (apt-get) and a mirror.
set -euo pipefail
out=${1:?usage: tiny-image.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The cache is keyed by this script's content: a changed recipe rebuilds the image.
recipe=$(sha256sum "$0" | cut -d' ' -f1)
[ -s "$out/tiny.qcow2" ] && [ "$(cat "$out/tiny.qcow2.recipe" 2>/dev/null)" = "$recipe" ] && { echo "$out/tiny.qcow2 (cached)"; exit 0; }

need=(syslinux syslinux-common mtools dosfstools qemu-utils busybox-static cpio fdisk dropbear-bin)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Kernel: the current Debian kernel package, extracted (never installed).
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
apt-get download -q "$pkg" >/dev/null
dpkg-deb -x "${pkg}"_*.deb kpkg
cp kpkg/boot/vmlinuz-* vmlinuz
kmods="kpkg/lib/modules/$(ls kpkg/lib/modules)/kernel"

# Initramfs: busybox + the virtio-net module chain (built as modules in Debian).
mkdir -p initrd/{bin,proc,sys,dev,etc,lib/modules,tmp,mnt,root/.ssh,etc/dropbear,var/log}
cp /bin/busybox initrd/bin/busybox
# dropbear and dropbearkey with every library they link (glibc's loader included)
for b in /usr/sbin/dropbear /usr/bin/dropbearkey; do
  cp "$b" initrd/bin/
  for lib in $(ldd "$b" | grep -oE '/[^ ]+\.so[^ ]*'); do
    mkdir -p "initrd$(dirname "$lib")"; cp -L "$lib" "initrd$lib"
  done
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > initrd/etc/passwd
printf 'root:x:0:\n' > initrd/etc/group
printf '/bin/sh\n' > initrd/etc/shells
chmod 0700 initrd/root initrd/root/.ssh
modules=(drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev
         drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/core/failover
         drivers/net/net_failover drivers/net/virtio_net drivers/net/ethernet/intel/e1000/e1000
         drivers/scsi/scsi_common drivers/scsi/scsi_mod drivers/cdrom/cdrom drivers/scsi/sr_mod
         drivers/ata/libata drivers/ata/ata_piix drivers/ata/libahci drivers/ata/ahci fs/isofs/isofs)
for m in "${modules[@]}"; do
  f="$kmods/$m.ko"; [ -f "$f" ] || f="$kmods/$m.ko.xz"
  cp "$f" initrd/lib/modules/
done
cat > initrd/etc/udhcpc.script <<'HOOK'
#!/bin/sh
[ "$1" = bound ] || [ "$1" = renew ] || exit 0
ip addr flush dev "$interface"
ip addr add "$ip/${mask:-24}" dev "$interface"
# the network's MTU (DHCP option 26: 1450 on a VXLAN network); at 1500 every full-size
# segment the guest sends is dropped on the way and SSH sessions stall on longer output
[ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
[ -n "$router" ] && ip route replace default via "${router%% *}"
exit 0
HOOK
# Stand-ins for the guest commands Tempest runs (see the header).
cat > initrd/bin/sudo <<'SH'
#!/bin/sh
exec "$@"
SH
cat > initrd/bin/blkid <<'SH'
#!/bin/sh
# blkid -L LABEL [-o device]: the device whose file system carries LABEL. An ISO 9660
# volume ID is 32 bytes at offset 32808 (primary volume descriptor at 32 KiB, field at 40).
label=
while [ $# -gt 0 ]; do case $1 in -L) label=$2; shift 2 ;; -o) shift 2 ;; *) shift ;; esac; done
[ -n "$label" ] || exit 2
for d in /dev/sr* /dev/sd* /dev/vd* /dev/hd*; do
  [ -b "$d" ] || continue
  v=$(dd if="$d" bs=1 skip=32808 count=32 2>/dev/null | tr -d ' \000')
  [ "$v" = "$label" ] && { echo "$d"; exit 0; }
done
findfs "LABEL=$label" 2>/dev/null || exit 2
SH
cat > initrd/bin/curl <<'SH'
#!/bin/sh
# curl [-X METHOD] [-d DATA] [-s…] http://HOST[:PORT]/PATH: HTTP/1.0 over nc, the body
# printed exactly as received; exit 7 when nothing answered (curl's "failed to connect").
method='' data='' url=''
while [ $# -gt 0 ]; do
  case $1 in
    -X) method=$2; shift 2 ;;
    -d|--data) data=$2; shift 2 ;;
    -*) shift ;;
    *) url=$1; shift ;;
  esac
done
[ -n "$method" ] || { [ -n "$data" ] && method=POST || method=GET; }
rest=${url#http://}; hostport=${rest%%/*}; path=${rest#"$hostport"}; path=/${path#/}
host=${hostport%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=80
out=/tmp/curl.$$
{ printf '%s %s HTTP/1.0\r\nHost: %s\r\n' "$method" "$path" "$hostport"
  [ -n "$data" ] && printf 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %s\r\n' "${#data}"
  printf '\r\n%s' "$data"; } | nc -w 10 "$host" "$port" > "$out" 2>/dev/null
[ -s "$out" ] || { rm -f "$out"; exit 7; }
cr=$(printf '\r')
{ IFS= read -r _; while IFS= read -r h; do [ -z "${h%"$cr"}" ] && break; done; cat; } < "$out"
rm -f "$out"
SH
chmod +x initrd/bin/sudo initrd/bin/blkid initrd/bin/curl
cat > initrd/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "LAB-GUEST-UP kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net e1000 \
  scsi_common scsi_mod cdrom sr_mod libata ata_piix libahci ahci isofs; do
  f=/lib/modules/$m.ko; [ -f "$f" ] || f=$f.xz; insmod "$f" 2>/dev/null
done
ip link set lo up
if ip link set eth0 up 2>/dev/null; then
  udhcpc -i eth0 -n -q -t 6 -T 2 -O mtu -s /etc/udhcpc.script >/dev/null 2>&1
  echo "LAB-GUEST-NET $(ip -4 -o addr show eth0 | awk '{print $4}') mtu=$(cat /sys/class/net/eth0/mtu) uptime=$(cut -d' ' -f1 /proc/uptime)"
  # busybox-static's wget segfaults (static glibc cannot load NSS): plain HTTP over nc.
  md() { printf 'GET /latest/meta-data/%s HTTP/1.0\r\nHost: 169.254.169.254\r\n\r\n' "$1" |
    nc -w 5 169.254.169.254 80 2>/dev/null | tr -d '\r' | sed -n '1{/ 200 /!q};/^$/,${/^$/d;p}'; }
  id=
  for _ in 1 2 3 4 5 6; do
    id=$(md instance-id)
    [ -n "$id" ] && break
    sleep 2
  done
  echo "LAB-GUEST-METADATA ${id:-none}"
  if [ -n "$id" ]; then
    name=$(md hostname); [ -n "$name" ] && hostname "${name%%.*}"
    md public-keys/0/openssh-key > /root/.ssh/authorized_keys
    chmod 0600 /root/.ssh/authorized_keys
  fi
  if dropbearkey -t ed25519 -f /etc/dropbear/dropbear_ed25519_host_key >/dev/null 2>&1 &&
    dropbear -s -r /etc/dropbear/dropbear_ed25519_host_key -p 22 2>/dev/null; then
    echo "LAB-GUEST-SSH up keys=$(grep -c . /root/.ssh/authorized_keys 2>/dev/null || echo 0)"
  else
    echo "LAB-GUEST-SSH none"
  fi
else
  echo "LAB-GUEST-NET none"
fi
while true; do setsid cttyhack sh -l </dev/ttyS0 >/dev/ttyS0 2>&1 || sleep 5; done
INIT
chmod +x initrd/init initrd/etc/udhcpc.script
(cd initrd && find . | cpio -o -H newc 2>/dev/null | gzip -9) > initrd.gz

# One bootable disk, built without loop devices or mounts: MBR boot code, a FAT16
# partition at 1 MiB, the kernel and initramfs copied with mtools, syslinux installed
# into the partition by offset.
mib=$(( ($(stat -c%s vmlinuz) + $(stat -c%s initrd.gz)) / 1048576 + 4 ))
truncate -s $((mib + 1))M tiny.raw
echo 'start=2048, type=6, bootable' | sfdisk -q tiny.raw
dd if=/usr/lib/syslinux/mbr/mbr.bin of=tiny.raw conv=notrunc bs=440 count=1 status=none
offset=$((2048 * 512))
mkfs.vfat -n TINY --offset 2048 tiny.raw $((mib * 1024)) >/dev/null
cat > syslinux.cfg <<'CFG'
DEFAULT lab
PROMPT 0
TIMEOUT 0
SERIAL 0 115200
LABEL lab
  LINUX /vmlinuz
  INITRD /initrd.gz
  APPEND console=tty0 console=ttyS0,115200 quiet
CFG
export MTOOLS_SKIP_CHECK=1
mcopy -i "tiny.raw@@$offset" vmlinuz initrd.gz syslinux.cfg ::/
syslinux --offset "$offset" --install tiny.raw
qemu-img convert -c -O qcow2 tiny.raw "$out/tiny.qcow2"
echo "$recipe" > "$out/tiny.qcow2.recipe"
echo "$out/tiny.qcow2 $(stat -c%s "$out/tiny.qcow2") bytes"
