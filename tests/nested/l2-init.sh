#!/bin/sh
# L2's /init: report the CPU count and the command line. With nested.root=vda
# on the command line: load the virtio modules, mount /dev/vda (read-only if
# the disk is) and switch_root into it (root-init.sh runs there). With
# nested.rng=1: load virtio-rng and read 64 bytes of /dev/hwrng. Then
# nested.end=reboot reboots, anything else powers off.
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
case " $(cat /proc/cmdline) " in
*" nested.rng=1 "*)
	for m in virtio_ring virtio virtio_mmio virtio-rng; do insmod /mod/$m.ko || echo "L2 insmod $m failed"; done
	echo "L2-RNG current=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null) bytes=$(head -c 64 /dev/hwrng | wc -c)"
	;;
esac
case " $(cat /proc/cmdline) " in
*" nested.end=reboot "*) reboot -f ;;
esac
poweroff -f
