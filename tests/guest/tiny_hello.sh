#!/bin/bash
# Serial output, boot timer and i8042 reset, through both loaders.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_tiny hello "$1"
	case $1 in
	*.elf) expect_out "Hello from tiny (PVH entry)" ;;
	*) expect_out "Hello from tiny (64-bit boot protocol entry)" ;;
	esac
	expect_err "guest boot time:"
	# default run: no tiny.test at all also runs hello
	run_vm --kernel "$1" --cmdline "console=ttyS0"
	expect_out "TINY PASS hello"
	expect_rc 0
}
for_both_images check
echo "PASS"
