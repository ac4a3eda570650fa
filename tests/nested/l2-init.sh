#!/bin/sh
# L2's /init: report the CPU count and the command line. With nested.root=vda
# on the command line: load the virtio modules, mount /dev/vda (read-only if
# the disk is) and switch_root into it (root-init.sh runs there); else power off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
echo "L2-INIT cpus=$(grep -c ^processor /proc/cpuinfo) cmdline=$(cat /proc/cmdline)"
case " $(cat /proc/cmdline) " in
*" nested.root=vda "*)
	for m in virtio_ring virtio virtio_mmio virtio_blk; do insmod /mod/$m.ko || echo "L2 insmod $m failed"; done
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	mkdir -p /newroot
	mount -t ext4 /dev/vda /newroot 2>/dev/null || mount -t ext4 -o ro /dev/vda /newroot || echo "L2 mount /dev/vda failed"
	umount /proc /sys
	mount --move /dev /newroot/dev 2>/dev/null || umount /dev
	exec switch_root /newroot /init
	;;
esac
poweroff -f
