#!/bin/sh
# Debian's cloud kernel as the extracted ELF vmlinux (PVH entry) through early boot.
. "$top_srcdir/tests/linux/lib.sh"
linux_prepare
linux_boot "$CACHE/vmlinux"
