#!/bin/sh
# Build L1's initramfs for the nested bed from Debian packages only: the cloud
# kernel package (its vmlinuz for L1 and L2, the extracted vmlinux for PVH,
# irqbypass/kvm/kvm-amd for L1's /dev/kvm), busybox-static, the static ./vmm.
# Usage: build-l1.sh SRCDIR BUILDDIR CACHE   -> CACHE/l1.cpio.gz, CACHE/l1-vmlinuz
# Exit 77 with a message when a package cannot be fetched.
set -eu
src=$1 build=$2 cache=$3
mkdir -p "$cache"
if [ ! -s "$cache/bzImage" ] || [ ! -d "$cache/root/lib/modules" ]; then
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1)
	[ -n "$pkg" ] || { echo "cannot resolve linux-image-cloud-amd64 (apt-get update?)"; exit 77; }
	ls "$cache"/"$pkg"_*.deb >/dev/null 2>&1 ||
		(cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "apt-get download $pkg failed"; exit 77; }
	rm -rf "$cache/root"
	dpkg -x "$cache"/"$pkg"_*.deb "$cache/root"
	cp "$cache"/root/boot/vmlinuz-* "$cache/bzImage"
fi
[ -s "$cache/vmlinux" ] || sh "$src/guest/linux/fetch-kernel.sh" "$cache" >/dev/null || { echo "cannot extract vmlinux"; exit 77; }
bb=/bin/busybox
[ -x "$bb" ] && ! file "$bb" | grep -q dynamic || { echo "needs busybox-static (/bin/busybox)"; exit 77; }
mods=$(ls -d "$cache"/root/lib/modules/*)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# L2's initramfs.
mkdir -p "$tmp/l2/bin" "$tmp/l2/proc" "$tmp/l2/sys" "$tmp/l2/dev"
cp "$bb" "$tmp/l2/bin/busybox"
for a in $("$bb" --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/l2/bin/$a"; done
cp "$src/tests/nested/l2-init.sh" "$tmp/l2/init"
chmod 755 "$tmp/l2/init"
mkdir -p "$tmp/l2/mod"
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_mmio drivers/block/virtio_blk drivers/char/hw_random/virtio-rng; do
	cp "$mods/kernel/$m.ko" "$tmp/l2/mod/"
done
# The ext4 root disk (mke2fs -d: no loop mount) with root-init.sh as /init.
mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/dev" "$tmp/rootfs/proc"
cp "$bb" "$tmp/rootfs/bin/busybox"
for a in sh echo sync poweroff mount cat sleep; do ln -s busybox "$tmp/rootfs/bin/$a"; done
cp "$src/tests/nested/root-init.sh" "$tmp/rootfs/init"
chmod 755 "$tmp/rootfs/init"
command -v mke2fs >/dev/null || PATH=$PATH:/sbin:/usr/sbin
mke2fs -q -F -t ext4 -d "$tmp/rootfs" "$tmp/root.img" 16M || { echo "mke2fs -d failed (e2fsprogs)"; exit 77; }
# L1's initramfs.
r=$tmp/l1
mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/l1mod" "$r/l2"
cp "$bb" "$r/bin/busybox"
for a in $("$bb" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
	cp "$mods/kernel/$m.ko" "$r/l1mod/"
done
cp "$build/vmm" "$r/vmm"
cp "$cache/bzImage" "$cache/vmlinux" "$tmp/root.img" "$r/l2/"
# debugfs and e2fsck (dynamic) with the libraries ldd lists, to check disks in L1.
for b in debugfs e2fsck; do
	p=$(command -v $b) || { echo "$b not found (e2fsprogs)"; exit 77; }
	cp "$p" "$r/bin/$b"
	for l in $(ldd "$p" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
		mkdir -p "$r$(dirname "$l")"
		cp -L "$l" "$r$l"
	done
done
(cd "$tmp/l2" && find . | cpio -o -H newc --quiet | gzip -1) > "$r/l2/init.cpio.gz"
cp "$src/tests/nested/l1-init.sh" "$r/init"
chmod 755 "$r/init"
cp "$src/tests/nested/cases" "$r/cases"
(cd "$r" && find . | cpio -o -H newc --quiet) > "$cache/l1.cpio.new"
mv "$cache/l1.cpio.new" "$cache/l1.cpio"
cp "$cache/bzImage" "$cache/l1-vmlinuz"
