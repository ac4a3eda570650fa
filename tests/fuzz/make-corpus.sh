#!/bin/sh
# Regenerate the seed corpora in tests/fuzz/corpus/<target>/ (committed; run
# this only after changing an input format). Deterministic: the same files on
# every machine (plain POSIX sh + awk, no random source).
#
# usage: tests/fuzz/make-corpus.sh [CORPUS_DIR]   (default: next to this script)
set -eu
dir=${1:-$(cd "$(dirname "$0")" && pwd)/corpus}

# hex "0a ff 00 ..." -> bytes on stdout
hex() {
	printf "$(echo "$*" | awk '{ for (i = 1; i <= NF; i++) {
		v = 0; h = tolower($i)
		for (j = 1; j <= length(h); j++) v = v * 16 + index("0123456789abcdef", substr(h, j, 1)) - 1
		printf "\\%03o", v } }')"
}

# n pseudo-random bytes from a seed (Park-Miller, exact in awk's doubles)
prng() {
	printf "$(awk -v s="$1" -v n="$2" 'BEGIN { x = s % 2147483646 + 1
		for (i = 0; i < n; i++) { x = (x * 16807) % 2147483647; printf "\\%03o", x % 256 } }')"
}

# op-list targets: random programs of a few sizes, plus hand-made openers
for t in fuzz_mem fuzz_devmgr fuzz_alloc fuzz_rangetree; do
	mkdir -p "$dir/$t"
	i=0
	for n in 24 96 400 1500; do
		i=$((i + 1))
		prng "$i$n${#t}" "$n" >"$dir/$t/random-$n"
	done
done

# fuzz_mem: 3 regions (one read-only, one tracked), base at the top of the
# space, then a write / read / iterate / fill / collect sequence.
{ hex 02 04 00 10 21 01 00 02 08 18 09 00 00 01; hex 01; prng 7 300; } >"$dir/fuzz_mem/top-3regions"
# fuzz_devmgr: every window configured, then register / dispatch / resources.
{ hex ff 00 00 00 02 10 00 10 00 00 20 00 00 00 10 05 10 20 03 10; prng 11 400; } \
	>"$dir/fuzz_devmgr/all-windows"
# fuzz_alloc: each of the four modes.
for m in 00 01 02 03; do
	{ hex "$m"; prng "5$m" 300; } >"$dir/fuzz_alloc/mode-$m"
done
