#!/bin/bash
# e820, command line and initrd as the guest sees them.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
initrd="$work/initrd.bin"
head -c 5000 /dev/urandom >"$initrd"
# The guest's hash: h = h * 31 + byte (mod 2^32) over the whole initrd.
want_hash=$(od -An -v -tu1 "$initrd" | awk '{ for (i = 1; i <= NF; i++) h = (h * 31 + $i) % 4294967296 } END { printf "0x%x", h }')
check() {
	run_tiny bootinfo "$1" --mem 128M --initrd "$initrd" --cmdline "tiny.test=bootinfo foo=bar"
	expect_out "TINY INFO cmdline=tiny.test=bootinfo foo=bar"
	expect_out "TINY INFO e820 0x0-0x9fbff type 1"
	expect_out "ram_end=0x8000000"
	expect_out "size=5000 hash=$want_hash"
	# the address the VMM logged is the one the guest found
	addr=$(sed -n 's/.*initrd at \(0x[0-9a-f]*\).*/\1/p' "$ERR")
	[ -n "$addr" ] || fail "vmm did not log the initrd address"
	expect_out "TINY INFO initrd addr=$addr size=5000"
	run_tiny bootinfo "$1" --mem 64M
	expect_out "ram_end=0x4000000"
	expect_out "TINY INFO initrd none"
}
for_both_images check
# More than 3 GiB: RAM continues above 4 GiB, the hole stays reserved.
run_tiny bootinfo "$TINY_ELF" --mem 3200M
expect_out "TINY INFO e820 0xc0000000-0xffffffff type 2"
expect_out "ram_end=0x108000000"
echo "PASS"
