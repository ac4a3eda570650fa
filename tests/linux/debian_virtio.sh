#!/bin/sh
# Debian's cloud kernel (ELF vmlinux, PVH) with --disk and --rng, through early
# boot: the kernel's command line carries one virtio_mmio.device= entry per
# device, and the DSDT it finds has the LNRO0005 nodes (its length is the one
# the tiny guest measures with the same devices, and larger than without).
# The kernel stops long before it enumerates ACPI devices on these machines
# (ENVIRONMENT.md), so the DSDT is checked through its length line.
. "$top_srcdir/tests/linux/lib.sh"
linux_prepare
TINY="$top_builddir/guest/tiny/tiny.elf"
[ -e "$TINY" ] || fail "$TINY not built"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
disk="$work/disk.img"
dd if=/dev/zero of="$disk" bs=1M count=1 status=none || fail "cannot create the disk image"

# DSDT length as the tiny guest sees it, with and without the two devices.
dsdt_len() {
	"$VMM" --kernel "$TINY" --cmdline "tiny.test=acpi" --cpus 2 --mem ${MEM_MB}M "$@" </dev/null 2>/dev/null |
		tr -d '\r' | sed -n 's/.*dsdt_len=\([0-9]*\).*/\1/p'
}
with=$(dsdt_len --disk "$disk" --rng)
without=$(dsdt_len)
[ -n "$with" ] && [ -n "$without" ] || fail "the tiny guest did not report the DSDT length"
[ "$with" -gt "$without" ] || fail "DSDT did not grow with two virtio devices ($without -> $with bytes)"
echo "tiny guest: DSDT $without bytes without devices, $with with --disk and --rng"

log="$work/log"
# One Linux guest at a time (the lock lib.sh's linux_boot takes).
exec 8>"$CACHE/.boot-lock"
flock 8
"$STAMP" -t 120 -o "$log" -p "Linux version" -p "Memory:" -- \
	"$VMM" --kernel "$CACHE/vmlinux" --initrd "$CACHE/initramfs.cpio.gz" --mem ${MEM_MB}M --cpus 2 \
	--cmdline "$CMDLINE" --disk "$disk" --rng > "$work/stamps" || true
flock -u 8
tr -d '\r' < "$log" > "$log.lf"
log="$log.lf"
cat "$work/stamps"
echo "--- what the kernel printed about them"
grep -E 'Command line:|ACPI: (DSDT|XSDT|FACP|APIC)|virtio' "$log"
echo "---"
grep -q '^TIMEOUT' "$work/stamps" && fail "the VMM did not exit within 120 s"
grep -q 'Linux version 6\.' "$log" || fail "no kernel banner"
want="Command line: $CMDLINE virtio_mmio.device=4K@0xc0000000:5 virtio_mmio.device=4K@0xc0001000:6"
grep -qF "$want" "$log" || fail "the kernel's command line lacks the virtio_mmio.device= entries"
grep -q "virtio-blk0 at 0xc0000000 (4K), GSI 5" "$log" || fail "the VMM did not place the disk at 0xc0000000"
grep -q "virtio-rng at 0xc0001000 (4K), GSI 6" "$log" || fail "the VMM did not place the rng at 0xc0001000"
hex=$(printf '%06X' "$with")
grep -Eq "ACPI: DSDT 0x[0-9A-F]{16} $hex " "$log" ||
	fail "the kernel's DSDT is not $with bytes (0x$hex) long, as with the two LNRO0005 nodes"
echo "PASS: command line has both entries; the kernel's DSDT is 0x$hex bytes (0x$(printf '%06X' "$without") without the devices)"
