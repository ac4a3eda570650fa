#!/bin/sh
# Set everything up and boot Debian's cloud kernel with a busybox initramfs:
# installs the build dependencies (apt-get), builds vmm, fetches the kernel
# (apt-get download, no install), builds the initramfs, then runs
#   ./vmm/vmm --kernel guest/linux/out/bzImage --initrd guest/linux/out/initramfs.cpio.gz --mem 512M
# Extra arguments go to vmm (e.g. --cpus 2, --cmdline "...").
set -e
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
guest/linux/fetch-kernel.sh guest/linux/out >/dev/null
[ -s guest/linux/out/initramfs.cpio.gz ] || guest/linux/build-initramfs.sh guest/linux/out/initramfs.cpio.gz >/dev/null
exec ./vmm/vmm --kernel guest/linux/out/bzImage --initrd guest/linux/out/initramfs.cpio.gz --mem 512M "$@"
