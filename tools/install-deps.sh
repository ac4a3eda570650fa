#!/bin/sh
# Install everything vmm needs to build, test and benchmark on Debian 12.
# Run as root (or through sudo). Safe to run again. Usage: install-deps.sh [--bench]
set -e
PKGS="build-essential autoconf automake libtool pkg-config check libfdt-dev
device-tree-compiler libseccomp-dev acpica-tools busybox-static cpio
zlib1g-dev liblzma-dev liblz4-dev libzstd-dev libbz2-dev linux-libc-dev
clang libclang-rt-14-dev iproute2 git ca-certificates
lz4 xz-utils zstd bzip2 gzip file
libjansson-dev libhttp-parser-dev
curl"
# make check's nested-KVM bed (tests/nested): QEMU TCG as L1, e2fsprogs for the ext4 root disk.
PKGS="$PKGS qemu-system-x86 e2fsprogs"
# abigail-tools: abidiff/abidw for the libvmm-mem ABI check (tests/install/test_abi.sh)
PKGS="$PKGS abigail-tools"
# make lint: cppcheck and clang-tidy
PKGS="$PKGS cppcheck clang-tidy"
# --bench: also what make bench compares against (QEMU microvm) and uses (perf).
[ "${1:-}" = "--bench" ] && PKGS="$PKGS qemu-system-x86 linux-perf"
missing=""
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
