#!/usr/bin/env bash
# Builds a tiny bootable Debian 12 guest as a VMware Workstation VM (monolithicSparse VMDK and .vmx)
# for the full virt-v2v test: debootstrap from Debian's archive, a kernel, GRUB (BIOS), one ext4
# partition. Cached: prints the folder holding guest.vmx and guest.vmdk; builds only when missing.
# Needs root (a loop device, mounts, chroot). About 3-4 minutes the first time.
#
# The guest is what a migration must keep: a static address (ifupdown, eth0 10.0.0.200/24, on the
# loopback cloud's "private" subnet) on a NIC with a fixed MAC. It writes its console to the serial
# port and shows its address beside the login prompt, so a test can read both from Nova's console log.
set -euo pipefail
cache="${FERRY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ferry}/debian-guest-v2"
if [[ -f "$cache/guest.vmdk" && -f "$cache/guest.vmx" ]]; then echo "$cache"; exit 0; fi
mirror="${FERRY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d /var/tmp/ferry-guest.XXXXXX)"
root="$work/root"
mnt="$work/mnt"
disk="$work/disk.raw"
loop=""
cleanup() {
  set +e
  for m in dev proc sys; do umount "$mnt/$m" 2>/dev/null; done
  umount "$mnt" 2>/dev/null
  if [[ -n "$loop" ]]; then partx -d "$loop" 2>/dev/null; losetup -d "$loop"; fi
  rm -rf "$work"
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
debootstrap --variant=minbase --include=linux-image-amd64,grub-pc,systemd-sysv,udev,initramfs-tools,ifupdown bookworm "$root" "$mirror" >&2

truncate -s 2G "$disk"
parted -s "$disk" mklabel msdos mkpart primary ext4 1MiB 100% set 1 boot on
loop="$(losetup --show -f "$disk")"
# In a container losetup -P makes no partition nodes; partx does.
partx -a "$loop" 2>/dev/null || true
part="${loop}p1"
[[ -b "$part" ]] || { echo "no partition device $part" >&2; exit 1; }
mkfs.ext4 -q -L root "$part"
mkdir -p "$mnt"
mount "$part" "$mnt"
cp -a "$root/." "$mnt/"
uuid="$(blkid -s UUID -o value "$part")"
echo "UUID=$uuid / ext4 errors=remount-ro 0 1" >"$mnt/etc/fstab"
echo "ferry-guest" >"$mnt/etc/hostname"
cat >"$mnt/etc/network/interfaces" <<'IFACES'
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
    address 10.0.0.200/24
    gateway 10.0.0.1
IFACES
printf 'Debian GNU/Linux 12 \\n \\l eth0 \\4{eth0}\n\n' >"$mnt/etc/issue"
# Serial console (Nova's console log), no splash, the classic eth0 name under VMware and KVM alike.
cat >>"$mnt/etc/default/grub" <<'GRUB'
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8 net.ifnames=0"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_TIMEOUT=1
GRUB
mount --bind /dev "$mnt/dev"
mount -t proc proc "$mnt/proc"
mount -t sysfs sys "$mnt/sys"
chroot "$mnt" grub-install --target=i386-pc --modules="part_msdos ext2" "$loop" >&2
chroot "$mnt" update-grub >&2
# update-grub saw the loop device; the guest will see its own disk: point the kernel at the UUID.
sed -i "s#root=/dev/loop[0-9]*p1#root=UUID=$uuid#g" "$mnt/boot/grub/grub.cfg"
for m in dev proc sys; do umount "$mnt/$m"; done
umount "$mnt"
partx -d "$loop" 2>/dev/null || true
losetup -d "$loop"
loop=""

mkdir -p "$cache.tmp"
qemu-img convert -f raw -O vmdk -o subformat=monolithicSparse "$disk" "$cache.tmp/guest.vmdk"
cat >"$cache.tmp/guest.vmx" <<'VMX'
.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "19"
displayName = "ferry-debian-guest"
guestOS = "debian12-64"
memsize = "1024"
numvcpus = "1"
scsi0.present = "TRUE"
scsi0.virtualDev = "lsilogic"
scsi0:0.present = "TRUE"
scsi0:0.fileName = "guest.vmdk"
ethernet0.present = "TRUE"
ethernet0.connectionType = "nat"
ethernet0.virtualDev = "e1000"
ethernet0.addressType = "static"
ethernet0.address = "00:50:56:12:34:56"
VMX
rm -rf "$cache"
mv "$cache.tmp" "$cache"
echo "$cache"
