#!/bin/bash
# Option errors of --disk/--rng/--net/--console: one clear line, exit 1.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
bad() { # expected-message args...
	local want=$1
	shift
	run_vm --kernel "$TINY_ELF" "$@"
	expect_rc 1
	expect_err "$want"
}
bad "cannot open disk '$work/none.img': No such file or directory" --disk "$work/none.img"
bad "cannot open disk '$work/none.img' (read-only): No such file or directory" --disk "$work/none.img,ro"
mkdir "$work/dir"
bad "disk '$work/dir'" --disk "$work/dir,ro"
bad "unknown option after ','" --disk "$work/x,rw"
bad "no file name" --disk ",ro"
bad "is not a unicast MAC" --net tap=t0,mac=01:02:03:04:05:06
bad "is not a unicast MAC" --net tap=t0,mac=zz
bad "expected tap=NAME" --net foo=bar
bad "no tap=NAME" --net mac=52:54:00:12:34:56
bad "expected 'virtio' or 'serial'" --console vga
disks=()
for i in 1 2 3 4 5 6 7 8 9; do disks+=(--disk "$work/d$i"); done
bad "at most 8 disks" "${disks[@]}"
run_vm --help
expect_out "--disk PATH[,ro]"
expect_out "--console virtio"
echo "PASS"
