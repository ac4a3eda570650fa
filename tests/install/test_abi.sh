#!/bin/sh
# ABI check: the built libvmm-mem.so.N against the dump committed for that
# soname, mem/abi/libvmm-mem.so.N.abi (made with abidw at the release).
# Added symbols pass (an ABI-compatible addition); any change to an existing
# symbol or to a type it reaches (struct gm_fastview, struct gm_vslice, ...)
# or a removed symbol fails. An intended break bumps the soname (libtool
# -version-info) and commits a new dump: see mem/README.md "ABI".
# Exit 77 when abidiff/abidw (Debian: abigail-tools) are absent or the
# library is not built shared.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
command -v abidiff >/dev/null 2>&1 || { echo "SKIP: abidiff not found (install abigail-tools)"; exit 77; }
so=$(readlink -f "$top_builddir/mem/.libs/libvmm-mem.so" 2>/dev/null || true)
[ -n "$so" ] && [ -f "$so" ] || { echo "SKIP: shared libvmm-mem not built"; exit 77; }
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
dump="$top_srcdir/mem/abi/$soname.abi"
[ -f "$dump" ] || {
	echo "FAIL: no ABI dump for $soname: a new soname needs a new dump ($dump);"
	echo "      make it with: abidw --no-corpus-path --no-comp-dir-path --headers-dir mem/include/vmm-mem --out-file $dump mem/.libs/$soname"
	exit 1
}
rc=0
abidiff --no-added-syms --headers-dir2 "$top_srcdir/mem/include/vmm-mem" "$dump" "$so" || rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: ABI of $soname differs from $dump (abidiff exit $rc)."
	echo "      Either undo the change, or announce the break: bump -version-info in"
	echo "      mem/Makefile.inc and commit a new dump (mem/README.md, ABI)."
	exit 1
fi
echo "ok: $soname matches $dump (added symbols allowed)"
