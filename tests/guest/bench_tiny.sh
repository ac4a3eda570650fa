#!/bin/sh
# make bench: wall time of a whole tiny-guest run (start, boot, test, reset, exit)
# through ./vmm and, side by side, through QEMU -M microvm on the same
# /dev/kvm with the same tiny.elf. Prints BENCH and RATIO lines
# (RATIO = our time per run / QEMU's, lower is better).
set -u
here=$(cd "$(dirname "$0")" && pwd)
b=${top_builddir:-$(pwd)}
vmm="$b/vmm"
elf="$b/guest/tiny/tiny.elf"
bz="$b/guest/tiny/tiny.bzImage"
runs=${BENCH_RUNS:-10}
[ -c /dev/kvm ] || { echo "bench_tiny: /dev/kvm absent, skipped"; exit 0; }
[ -x "$vmm" ] && [ -e "$elf" ] || { echo "bench_tiny: build first (make)"; exit 1; }

now_ns() { date +%s%N; }

# time_runs NAME CMD...: average wall ms of $runs runs that must print TINY PASS
time_runs() {
	name=$1
	shift
	t0=$(now_ns)
	i=0
	while [ $i -lt "$runs" ]; do
		out=$(timeout 60 "$@" </dev/null 2>/dev/null | tr -d '\r')
		case $out in
		*"TINY PASS"*) ;;
		*) echo "bench_tiny: $name run failed: $out" >&2; return 1 ;;
		esac
		i=$((i + 1))
	done
	t1=$(now_ns)
	echo $(( (t1 - t0) / runs / 1000 ))
}

status=0
report() { # suite.name us
	printf 'BENCH tiny.%s %d.%03d ms\n' "$1" $(($2 / 1000)) $(($2 % 1000))
}

for t in hello smp; do
	us=$(time_runs "vmm $t" "$vmm" --kernel "$elf" --cpus 4 --mem 256M --log-level error --cmdline "tiny.test=$t") || { status=1; continue; }
	report "vmm_${t}_elf" "$us"
	usb=$(time_runs "vmm $t bz" "$vmm" --kernel "$bz" --cpus 4 --mem 256M --log-level error --cmdline "tiny.test=$t") || { status=1; continue; }
	report "vmm_${t}_bzimage" "$usb"
	if command -v qemu-system-x86_64 >/dev/null 2>&1; then
		uq=$(time_runs "qemu $t" qemu-system-x86_64 -M microvm -enable-kvm -cpu host,-arch-capabilities \
			-smp 4 -m 256M -nodefaults -no-user-config -display none -serial stdio -no-reboot \
			-kernel "$elf" -append "tiny.test=$t") || { status=1; continue; }
		report "qemu_microvm_${t}_elf" "$uq"
		[ "$uq" -gt 0 ] && awk -v a="$us" -v b="$uq" -v n="$t" 'BEGIN { printf "RATIO tiny.%s_vs_qemu_microvm %.3f\n", n, a / b }'
	else
		echo "bench_tiny: qemu-system-x86_64 not installed, no ratio"
	fi
done
exit $status
