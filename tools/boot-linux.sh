#!/bin/sh
# Set everything up and boot Debian's cloud kernel with a busybox initramfs:
# installs the build dependencies (apt-get), builds vmm, fetches the kernel
# (apt-get download, no install), builds the initramfs, then runs
#   ./vmm --kernel guest/linux/out/bzImage --initrd guest/linux/out/initramfs.cpio.gz --mem 512M
# Extra arguments go to vmm (e.g. --cpus 2, --cmdline "...").
set -e
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
guest/linux/fetch-kernel.sh guest/linux/out >/dev/null
[ -s guest/linux/out/initramfs.cpio.gz ] || guest/linux/build-initramfs.sh guest/linux/out/initramfs.cpio.gz >/dev/null
# On KVM-PVM hosts (no VT-x/AMD-V, see README) the kernel dies at CMPXCHG16B
# before its console comes up; show its early output and get further.
if [ -d /sys/module/kvm_pvm ] && [ -z "${VMM_CMDLINE:-}" ]; then
	echo "boot-linux: KVM-PVM host: adding earlyprintk=ttyS0 noxsave clearcpuid=cx16 (the guest will stop at its int3 self-test)" >&2
	VMM_CMDLINE="console=ttyS0 earlyprintk=ttyS0 reboot=k panic=1 noxsave clearcpuid=cx16"
fi
[ -n "${VMM_CMDLINE:-}" ] && set -- --cmdline "$VMM_CMDLINE" "$@"
exec ./vmm --kernel guest/linux/out/bzImage --initrd guest/linux/out/initramfs.cpio.gz --mem 512M "$@"
