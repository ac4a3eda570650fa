#!/bin/bash
# seccomp-table.sh VMM: the markdown table of the per-thread seccomp allow-lists,
# from `VMM --print-seccomp` (README.md holds it between the seccomp-table
# markers; tests/guest/seccomp_print.sh checks they match).
set -eu
echo "| thread | syscalls | allowed system calls | ioctl requests (ioctl only with these) |"
echo "|---|---|---|---|"
"$1" --print-seccomp | while read -r kind count rest; do
	calls=
	ioctls=
	for w in $rest; do
		case $w in
		ioctl\(*) r=${w#ioctl(}; ioctls="${ioctls:+$ioctls, }${r%)}" ;;
		*) calls="${calls:+$calls, }$w" ;;
		esac
	done
	echo "| $kind | $count | $calls | ${ioctls:--} |"
done
