#!/bin/sh
# Debian's cloud bzImage (host-side decompression, PVH entry) through early boot.
. "$top_srcdir/tests/linux/lib.sh"
linux_prepare
linux_boot "$CACHE/bzImage"
