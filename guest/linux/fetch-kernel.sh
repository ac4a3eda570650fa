#!/bin/sh
# Fetch Debian's cloud kernel (linux-image-cloud-amd64) without installing it:
# apt-get download + dpkg -x. Leaves OUT/bzImage and OUT/vmlinux (the kernel's
# ELF, extracted from the bzImage payload) and prints their paths.
# Usage: fetch-kernel.sh [OUTDIR]   (default: guest/linux/out)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Extract the ELF vmlinux from a bzImage's compressed payload (setup header
# fields setup_sects at 0x1f1, payload_offset at 0x248, payload_length at 0x24c).
extract_vmlinux() {
	img=$1 dst=$2
	u8() { od -An -tu1 -j "$1" -N1 "$img" | tr -d ' '; }
	u32() { od -An -tu4 -j "$1" -N4 "$img" | tr -d ' '; }
	ss=$(u8 497); [ "$ss" -eq 0 ] && ss=4
	po=$(u32 584); pl=$(u32 588)
	start=$(( (ss + 1) * 512 + po ))
	tail -c +$((start + 1)) "$img" | head -c "$pl" > "$dst.payload"
	magic=$(od -An -tx1 -N4 "$dst.payload" | tr -d ' ')
	case "$magic" in
	1f8b*) dec="gzip -dc" ;;
	fd377a58) dec="xz -dc" ;;
	5d00*) dec="xz --format=lzma -dc" ;;
	02214c18) dec="lz4 -dc" ;;
	28b52ffd) dec="zstd -dc" ;;
	425a68*) dec="bzip2 -dc" ;;
	*) echo "fetch-kernel: unknown payload magic $magic" >&2; rm -f "$dst.payload"; return 1 ;;
	esac
	# Trailing bytes (the kernel appends the decompressed size) make some
	# decompressors complain after writing everything; check the result instead.
	$dec < "$dst.payload" > "$dst" 2>/dev/null || true
	rm -f "$dst.payload"
	[ "$(od -An -tx1 -N4 "$dst" | tr -d ' ')" = 7f454c46 ] || { echo "fetch-kernel: payload did not decompress to an ELF" >&2; return 1; }
}
if [ -s "$out/bzImage" ]; then
	[ -s "$out/vmlinux" ] || extract_vmlinux "$out/bzImage" "$out/vmlinux"
	echo "$out/bzImage"
	exit 0
fi
command -v apt-get >/dev/null || { echo "fetch-kernel: apt-get is needed" >&2; exit 1; }
# The metapackage depends on the versioned image package; resolve it.
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1)
if [ -z "$pkg" ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve linux-image-cloud-amd64 (run apt-get update)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
dpkg -x "$tmp"/*.deb "$tmp/root"
cp "$tmp"/root/boot/vmlinuz-* "$out/bzImage"
extract_vmlinux "$out/bzImage" "$out/vmlinux"
echo "$pkg" > "$out/kernel-package"
echo "$out/bzImage"
