#!/bin/sh
# Boot L1 (QEMU TCG, nested SVM) once with CACHE/l1.cpio and write its serial
# log to OUT.log and host-time stamps (ms since QEMU started) to OUT.stamps.
# Usage: run-l1.sh BUILDDIR CACHE OUT   (hard bound: NESTED_TIMEOUT s, default 600)
set -eu
build=$1 cache=$2 out=$3
ncases=$(grep -cv '^#' "$cache/../cases" 2>/dev/null || echo 0)
set -- -p "NESTED l1 ready"
i=1
while [ "$i" -le 30 ]; do set -- "$@" -p "NESTED start $i "; i=$((i + 1)); done
set -- "$@" -p "NESTED done"
"$build/tests/tools/serial_stamp" -t "${NESTED_TIMEOUT:-600}" -o "$out.log" "$@" -- \
	qemu-system-x86_64 -accel tcg,thread=multi -M pc -cpu qemu64,+svm,+npt -smp 2 -m 2G \
	-nographic -no-reboot -nodefaults -serial stdio -net none \
	-kernel "$cache/l1-vmlinuz" -initrd "$cache/l1.cpio" \
	-append "console=ttyS0 reboot=k panic=1 quiet" > "$out.stamps" || true
tr -d '\r' < "$out.log" > "$out.log.lf" && mv "$out.log.lf" "$out.log"
: "$ncases"
