#!/bin/sh
# make bench, boot: time from start to the Linux banner ("Linux version") and to
# the "Memory:" line, Debian's cloud kernel (guest/linux/fetch-kernel.sh: the
# bzImage and the ELF vmlinux extracted from it), the busybox initramfs, 1 vCPU,
# 128 MiB, the same command line everywhere:
#   vmm  --kernel bzImage   (64-bit boot protocol; the vmm decompresses on the host)
#   vmm  --kernel vmlinux   (PVH)
#   qemu-system-x86_64 -M microvm -enable-kvm -cpu host,-arch-capabilities -kernel vmlinux (PVH)
# Timestamps: tests/tools/serial_stamp, as the serial lines arrive on the
# process's stdout, from its fork of the command. vmm runs BENCH_BOOT_RUNS times
# (default 3, median), QEMU BENCH_QEMU_BOOT_RUNS times (default 1: ~60 s each
# here, firmware copying the 53 MB vmlinux under CPL0 emulation).
#
# KVM-PVM (ENVIRONMENT.md): the kernel stops at the first instruction /dev/kvm
# cannot emulate (xsave, cmpxchg16b, int3); `noxsave clearcpuid=cx16` takes it
# past those to its int3 self-test and `earlyprintk=ttyS0` makes the early
# lines visible before the console registers. vmm then exits with its
# emulation-failure report, QEMU pauses: stop_after.sh ends both after "Memory:".
# RATIO boot.banner_vs_qemu / boot.memory_line_vs_qemu compare like with like
# (vmlinux PVH both); the *_bzimage_vs_qemu ratios use our bzImage time.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_need_kvm boot_linux
CACHE="$B/guest/linux/out"
CMDLINE=${BENCH_BOOT_CMDLINE:-console=ttyS0 earlyprintk=ttyS0 noxsave clearcpuid=cx16}
RUNS=${BENCH_BOOT_RUNS:-3}
QRUNS=${BENCH_QEMU_BOOT_RUNS:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$CACHE"
(
	flock 9
	[ -s "$CACHE/bzImage" ] && [ -s "$CACHE/vmlinux" ] ||
		sh "$top_srcdir/guest/linux/fetch-kernel.sh" "$CACHE" >/dev/null || exit 1
	[ -s "$CACHE/initramfs.cpio.gz" ] ||
		sh "$top_srcdir/guest/linux/build-initramfs.sh" "$CACHE/initramfs.cpio.gz" >/dev/null || exit 1
) 9>"$CACHE/.lock" || {
	echo "boot_linux: no Debian kernel or initramfs (apt-get download, busybox-static): skipped"
	exit 0
}
[ -x "$STAMP" ] || { echo "boot_linux: $STAMP not built (make check builds it)"; exit 1; }
INITRD="$CACHE/initramfs.cpio.gz"
echo "boot_linux: kernel $(cat "$CACHE/kernel-package" 2>/dev/null), command line: $CMDLINE"
status=0

# stamp NAME TIMEOUT CMD...: one run; appends "banner_ms memory_ms" to $work/NAME
stamp() {
	name=$1 to=$2
	shift 2
	"$STAMP" -t "$to" -o "$work/$name.log" -p "Linux version" -p "Memory:" -- "$@" >"$work/$name.st"
	b=$(awk '$1 == "STAMP" && $3 == "Linux" { print $2 }' "$work/$name.st")
	m=$(awk '$1 == "STAMP" && $3 == "Memory:" { print $2 }' "$work/$name.st")
	if [ -z "$b" ] || [ -z "$m" ]; then
		echo "boot_linux: $name: banner or Memory: line missing" >&2
		cat "$work/$name.st" >&2
		tail -20 "$work/$name.log" >&2
		return 1
	fi
	echo "$b $m" >>"$work/$name"
}

med() { awk -v c="$2" '{ print $c }' "$work/$1" | median; }

i=0
while [ $i -lt "$RUNS" ]; do # bzImage and vmlinux alternate: the same machine load for both
	for kind in bzImage vmlinux; do
		stamp "vmm_$kind" 120 sh "$here/stop_after.sh" "Memory:" "$VMM" --kernel "$CACHE/$kind" --initrd "$INITRD" --mem 128M --cpus 1 \
			--cmdline "$CMDLINE" || status=1
	done
	i=$((i + 1))
done
if have_qemu; then
	i=0
	while [ $i -lt "$QRUNS" ]; do
		stamp qemu_vmlinux 300 sh "$here/stop_after.sh" "Memory:" "$QEMU" -M microvm -enable-kvm \
			-cpu "$QEMU_CPU" -smp 1 -m 128M -nodefaults -no-user-config -display none -serial stdio \
			-no-reboot -kernel "$CACHE/vmlinux" -initrd "$INITRD" -append "$CMDLINE" || status=1
		i=$((i + 1))
	done
else
	echo "boot_linux: $QEMU not installed, no ratios"
fi

# What dominates: KVM's count of instructions it emulated (kvm:kvm_emulate_insn)
# from start to the banner, one extra run each, when perf can count it.
# BENCH_BOOT_PERF=0 skips this.
emulated() { # NAME CMD...: prints the count
	n=$1
	shift
	perf stat -x, -e kvm:kvm_emulate_insn -o "$work/$n.perf" -- sh "$here/stop_after.sh" "Linux version" "$@" \
		>/dev/null 2>&1
	awk -F, '/kvm_emulate_insn/ { print $1 }' "$work/$n.perf"
}
if [ "${BENCH_BOOT_PERF:-1}" = 1 ] && command -v perf >/dev/null 2>&1 &&
	perf stat -e kvm:kvm_emulate_insn true >/dev/null 2>&1; then
	e=$(emulated vmm "$VMM" --kernel "$CACHE/vmlinux" --initrd "$INITRD" --mem 128M --cpus 1 --cmdline "$CMDLINE")
	[ -n "$e" ] && echo "BENCH boot.vmm_vmlinux_emulated_insns_to_banner $e insns"
	if have_qemu; then
		eq=$(emulated qemu "$QEMU" -M microvm -enable-kvm -cpu "$QEMU_CPU" -smp 1 -m 128M -nodefaults \
			-no-user-config -display none -serial stdio -no-reboot -kernel "$CACHE/vmlinux" -initrd "$INITRD" \
			-append "$CMDLINE")
		[ -n "$eq" ] && echo "BENCH boot.qemu_vmlinux_emulated_insns_to_banner $eq insns"
		[ -n "$e" ] && [ -n "$eq" ] && echo "RATIO boot.emulated_insns_to_banner_vs_qemu $(ratio "$e" "$eq")"
	fi
else
	echo "boot_linux: perf cannot count kvm:kvm_emulate_insn here, no emulation counts"
fi

for r in vmm_bzImage vmm_vmlinux qemu_vmlinux; do
	[ -s "$work/$r" ] || continue
	case $r in vmm_bzImage) n=vmm_bzimage ;; *) n=$r ;; esac
	eval "${n}_b=$(med "$r" 1) ${n}_m=$(med "$r" 2)"
	eval "echo \"BENCH boot.${n}_banner \$${n}_b ms\"; echo \"BENCH boot.${n}_memory_line \$${n}_m ms\""
done
if [ -n "${qemu_vmlinux_b:-}" ]; then
	[ -n "${vmm_vmlinux_b:-}" ] && echo "RATIO boot.banner_vs_qemu $(ratio "$vmm_vmlinux_b" "$qemu_vmlinux_b")" &&
		echo "RATIO boot.memory_line_vs_qemu $(ratio "$vmm_vmlinux_m" "$qemu_vmlinux_m")"
	[ -n "${vmm_bzimage_b:-}" ] && echo "RATIO boot.banner_bzimage_vs_qemu $(ratio "$vmm_bzimage_b" "$qemu_vmlinux_b")" &&
		echo "RATIO boot.memory_line_bzimage_vs_qemu $(ratio "$vmm_bzimage_m" "$qemu_vmlinux_m")"
fi
exit $status
