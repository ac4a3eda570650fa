#!/bin/sh
# Install the tree into a temporary DESTDIR, then build tests/install/consumer.c
# against the INSTALLED libvmm-mem using only `pkg-config --cflags --libs
# vmm-mem` (shared) and `--static` (static archive), and run both programs.
# Works from make check and make distcheck (read-only srcdir, VPATH build).
set -eu

: "${top_srcdir:?}" "${top_builddir:?}"
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: pkg-config not found"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmm-mem-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The compiler and sanitizer flags this tree was configured with: a
# sanitizer-built library needs the same runtime in the consumer.
mkvar() { sed -n "s/^$1 = //p" "$top_builddir/Makefile" | head -n 1; }
CC=$(mkvar CC)
SAN_CFLAGS=$(mkvar SAN_CFLAGS)
SAN_LDFLAGS=$(mkvar SAN_LDFLAGS)

# A recursive make must not inherit the jobserver of the make running us.
unset MAKEFLAGS MFLAGS MAKELEVEL || true
${MAKE:-make} -C "$top_builddir" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log"; echo "FAIL: make install"; exit 1; }

pcfile=$(find "$tmp/root" -name vmm-mem.pc | head -n 1)
[ -n "$pcfile" ] || { echo "FAIL: vmm-mem.pc was not installed"; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pcfile")
PKG_CONFIG_SYSROOT_DIR="$tmp/root"
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
cflags=$(pkg-config --cflags vmm-mem)
libs=$(pkg-config --libs vmm-mem)
slibs=$(pkg-config --static --libs vmm-mem)
# pkgconf applies the sysroot to --variable, classic pkg-config does not.
inroot() { case "$1" in "$PKG_CONFIG_SYSROOT_DIR"/*) echo "$1" ;; *) echo "$PKG_CONFIG_SYSROOT_DIR$1" ;; esac; }
libdir=$(inroot "$(pkg-config --variable=libdir vmm-mem)")
incdir=$(inroot "$(pkg-config --variable=includedir vmm-mem)")
echo "cflags: $cflags"
echo "libs:   $libs"

for h in mem.h addr.h memory.h region.h mmap.h vslice.h bitmap.h endian.h atomic.h iommu.h; do
	[ -f "$incdir/vmm-mem/$h" ] ||
		{ echo "FAIL: header vmm-mem/$h not installed"; exit 1; }
done
[ -f "$libdir/libvmm-mem.a" ] || { echo "FAIL: static library not installed"; exit 1; }

# Shared: only the installed tree may be used (no -I into the sources).
$CC -std=gnu11 -Wall -Wextra -Werror $SAN_CFLAGS $cflags \
	-o "$tmp/consumer" "$top_srcdir/tests/install/consumer.c" $SAN_LDFLAGS $libs
LD_LIBRARY_PATH="$libdir" "$tmp/consumer"
LD_LIBRARY_PATH="$libdir" ldd "$tmp/consumer" 2>/dev/null | grep -q "$libdir/libvmm-mem.so" ||
	{ echo "FAIL: consumer did not link the installed shared library"; exit 1; }

# Static: same program against libvmm-mem.a.
$CC -std=gnu11 -Wall -Wextra -Werror $SAN_CFLAGS $cflags \
	-o "$tmp/consumer-static" "$top_srcdir/tests/install/consumer.c" $SAN_LDFLAGS \
	-Wl,-Bstatic $(echo "$slibs" | sed 's/-pthread//') -Wl,-Bdynamic -pthread
"$tmp/consumer-static"
# The address space (vmm-mem/as.h) through the same flags.
$CC -std=gnu11 -Wall -Wextra -Werror $SAN_CFLAGS $cflags \
	-o "$tmp/consumer_as" "$top_srcdir/tests/install/consumer_as.c" $SAN_LDFLAGS $libs
LD_LIBRARY_PATH="$libdir" "$tmp/consumer_as"
echo "PASS: installed library works through pkg-config (shared and static)"
