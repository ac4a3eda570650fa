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

# ---- boot/ targets ----
# little-endian fields as hex bytes
le() { # value bytes
	awk -v v="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) { printf "%02x ", v % 256; v = int(v / 256) } }'
}
# patch file at offset with hex bytes
patch() { # file offset hex...
	f=$1 off=$2
	shift 2
	hex "$@" | dd of="$f" bs=1 seek=$((off)) conv=notrunc 2>/dev/null
}
zeros() { dd if=/dev/zero bs=1 count="$1" 2>/dev/null; }

# A minimal x86_64 ELF vmlinux: two PT_LOADs (the second crosses the 2.5 MiB
# region end into the guest's hole only when moved) and a PVH note.
mkelf() { # out pvh(0/1)
	out=$1
	zeros 288 >"$out"
	patch "$out" 0 7f 45 4c 46 02 01 01 00
	patch "$out" 16 $(le 2 2) $(le 62 2) $(le 1 4) $(le 1048592 8) $(le 64 8)
	patch "$out" 52 $(le 64 2) $(le 56 2) $(le 3 2)
	# PT_LOAD: file 0xe8..0x108 -> 0x100000, memsz 0x2000
	patch "$out" 64 $(le 1 4) $(le 5 4) $(le 232 8) $(le 1048576 8) $(le 1048576 8) \
		$(le 32 8) $(le 8192 8) $(le 4096 8)
	# PT_LOAD: file 0x108..0x110 -> 0x200000, memsz 8
	patch "$out" 120 $(le 1 4) $(le 6 4) $(le 264 8) $(le 2097152 8) $(le 2097152 8) \
		$(le 8 8) $(le 8 8) $(le 4096 8)
	# PT_NOTE at 0x110, 20 bytes: "Xen" type 18, entry 0x100010
	patch "$out" 176 $(le 4 4) $(le 4 4) $(le 272 8) $(le 0 8) $(le 0 8) $(le 20 8) \
		$(le 20 8) $(le 4 8)
	patch "$out" 232 f3 90 eb fc 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 01 02 03 04 05
	patch "$out" 264 de ad be ef 01 02 03 04
	if [ "$2" = 1 ]; then
		patch "$out" 272 $(le 4 4) $(le 4 4) $(le 18 4) 58 65 6e 00 $(le 1048592 4)
	else
		patch "$out" 272 $(le 4 4) $(le 4 4) $(le 1 4) 58 65 6e 00 $(le 0 4)
	fi
}
mkdir -p "$dir/fuzz_elf" "$dir/fuzz_bzimage" "$dir/fuzz_decompress"
mkelf "$dir/fuzz_elf/pvh" 1
mkelf "$dir/fuzz_elf/no-pvh" 0
cp "$dir/fuzz_elf/pvh" "$dir/fuzz_elf/pvh-flags"
patch "$dir/fuzz_elf/pvh-flags" 15 08 # e_ident padding: BOOT_F_NO_PVH

# A bzImage: one setup sector, protocol 2.15, 64-bit, relocatable, loaded at
# 1 MiB; its protected-mode part is the payload (or 512 plain bytes).
mkbz() { # out payload-file-or-empty
	out=$1
	zeros 1024 >"$out"
	if [ -n "$2" ]; then cat "$2" >>"$out"; plen=$(wc -c <"$2"); else prng 99 512 >>"$out"; plen=0; fi
	pm=$(($(wc -c <"$out") - 1024))
	patch "$out" 0x1f1 01
	patch "$out" 0x1f4 $(le $(((pm + 15) / 16)) 4)
	patch "$out" 0x1fe 55 aa eb 66 48 64 72 53 0f 02
	patch "$out" 0x211 01
	patch "$out" 0x22c $(le 2147483647 4) $(le 4096 4) 01 00 03 00 $(le 2047 4)
	patch "$out" 0x248 $(le 0 4) $(le "$plen" 4)
	patch "$out" 0x258 $(le 1048576 8) $(le 65536 4)
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkbz "$dir/fuzz_bzimage/classic" ""
if command -v gzip >/dev/null; then
	gzip -n -9 -c "$dir/fuzz_elf/pvh" >"$tmp/elf.gz"
	mkbz "$dir/fuzz_bzimage/gzip-elf" "$tmp/elf.gz"
	cp "$dir/fuzz_bzimage/gzip-elf" "$dir/fuzz_bzimage/gzip-elf-classic"
	patch "$dir/fuzz_bzimage/gzip-elf-classic" 0x1f0 01 # BOOT_F_NO_HOST_DECOMPRESS
	cp "$tmp/elf.gz" "$dir/fuzz_decompress/gzip"
fi
# the other formats carry the uncompressed size in 4 trailing bytes
isize=$(le $(wc -c <"$dir/fuzz_elf/pvh") 4)
for fmt in "xz:xz -c --check=crc32" "lzma:lzma -c" "bzip2:bzip2 -c" "lz4:lz4 -l -c" "zstd:zstd -q -c"; do
	name=${fmt%%:*} cmd=${fmt#*:}
	command -v "${cmd%% *}" >/dev/null || continue
	$cmd <"$dir/fuzz_elf/pvh" >"$dir/fuzz_decompress/$name"
	hex $isize >>"$dir/fuzz_decompress/$name"
done

# table builders and the command line: byte programs
for t in fuzz_acpi fuzz_fdt fuzz_cmdline; do
	mkdir -p "$dir/$t"
	prng 3${#t} 64 >"$dir/$t/random-64"
	prng 4${#t} 300 >"$dir/$t/random-300"
done
hex 00 04 02 00 01 >"$dir/fuzz_acpi/4cpus-2virtio"        # MADT + 2 LNRO0005
hex 01 20 00 >"$dir/fuzz_acpi/32cpus-irq9"
{ hex 01 02 03 00 01 00 00 01 10 00 01 00 01 01; hex 02 00 00 05 00 01 00 06; printf 'console=ttyS0 root=/dev/vda'; } \
	>"$dir/fuzz_fdt/2cpus-e820-virtio"
{ hex 00 00 10; printf 'console=ttyS0 panic=1'; } >"$dir/fuzz_cmdline/write"
{ hex 01 80 00 02 00 01 05 04 02 07; printf 'quiet'; } >"$dir/fuzz_cmdline/append"
{ hex 02 03 00 00 00 9f 01 00 00 00 00 01 01 00 f0 00 00 00 10 00 10 00; } >"$dir/fuzz_cmdline/initrd"

# fuzz_cli: byte 0 odd = argv (NUL-separated), even = a --mem size string
mkdir -p "$dir/fuzz_cli"
{ hex 01 50; printf -- '--kernel\0/dev/null\0--mem\0002G\0--cpus\0004\0--fdt'; } >"$dir/fuzz_cli/long"
{ hex 01 30; printf -- '-k/dev/null\0-m512M\0-c2\0-p\0console=ttyS0\0--log-level=debug'; } >"$dir/fuzz_cli/short"
{ hex 01 20; printf -- '-Vk\0/dev/null'; } >"$dir/fuzz_cli/version-cluster"
{ hex 01 08; printf -- '--kernel=/dev/null\0--mem\00099999999999999999999'; } >"$dir/fuzz_cli/bad-mem"
for s in 512M 2GiB 65536K 1024 18446744073709551615G 7MB; do
	{ hex 00; printf '%s' "$s"; } >"$dir/fuzz_cli/size-$s"
done
