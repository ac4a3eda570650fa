#!/bin/sh
# libvmm-mem's export list, checked on the built shared library:
#   - every dynamic symbol it defines starts with gm_ and not gm__ (the
#     version node VMM_MEM_1 itself, an absolute symbol, is skipped);
#   - every function a public header declares with GM_API is exported (a
#     declaration without GM_API would be hidden by -fvisibility=hidden);
#   - every exported symbol carries the version VMM_MEM_1;
#   - no call from the library to one of its own gm_ functions goes through
#     the PLT (no JUMP_SLOT relocation names a gm_ symbol).
# Exit 77 when nm/readelf are missing or the library is not built shared.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
so="$top_builddir/mem/.libs/libvmm-mem.so"
command -v nm >/dev/null 2>&1 || { echo "SKIP: nm not found"; exit 77; }
command -v readelf >/dev/null 2>&1 || { echo "SKIP: readelf not found"; exit 77; }
[ -f "$so" ] || { echo "SKIP: $so not built (static-only build?)"; exit 77; }

fail=0
syms=$(nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sed 's/@.*//')
[ -n "$syms" ] || { echo "FAIL: no exported symbols in $so"; exit 1; }
for s in $syms; do
	case "$s" in
	gm__*) echo "FAIL: internal symbol exported: $s"; fail=1 ;;
	gm_*) ;;
	*) echo "FAIL: exported symbol without the gm_ prefix: $s"; fail=1 ;;
	esac
done

# Functions declared GM_API in the installed headers (the declaration may
# wrap: the name is the first gm_ identifier followed by '(').
decl=$(cat "$top_srcdir"/mem/include/vmm-mem/*.h | grep '^GM_API ' |
	grep -o 'gm_[a-zA-Z0-9_]*(' | sed 's/($//' | sort -u)
for d in $decl; do
	printf '%s\n' $syms | grep -qx "$d" || { echo "FAIL: declared GM_API but not exported: $d"; fail=1; }
done

unver=$(nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | grep -v '@@VMM_MEM_1$' || true)
[ -z "$unver" ] || { echo "FAIL: exported without version VMM_MEM_1: $unver"; fail=1; }

plt=$(readelf -rW "$so" | awk '/JUMP_SLOT/ { print $5 }' | grep '^gm_' || true)
[ -z "$plt" ] || { echo "FAIL: intra-library calls through the PLT: $plt"; fail=1; }

n=$(printf '%s\n' $syms | wc -l)
nd=$(printf '%s\n' $decl | wc -l)
[ $fail -eq 0 ] && echo "ok: $n exported gm_ symbols, $nd GM_API declarations, all VMM_MEM_1, no PLT self-calls"
exit $fail
