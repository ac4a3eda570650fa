#!/bin/sh
# make bench: virtio-blk throughput of the tiny guest's driver (tiny.test=blkbench:
# 4 KiB random and 64 KiB sequential reads and writes at queue depth 1 and 32
# on a raw image in /dev/shm) under ./vmm and under QEMU -M microvm with
# the same tiny.elf, side by side, BENCH_ROUNDS rounds alternating, best round
# per row. The driver negotiates VIRTIO_RING_F_EVENT_IDX (tiny.event_idx=0 turns
# it off) and polls the used ring. The guest times each row with the TSC (the
# same host TSC under both VMMs): RATIO = our cycles per request / QEMU's (lower
# is better); MB/s uses the TSC rate the guest measured against the PIT under
# ./vmm. Both VMMs run with their default settings (ours: --poll-us 50).
#
# The driver loops run at CPL3 (tiny.cpl3=1): on KVM-PVM, CPL0 guest code is
# emulated one instruction at a time (~1 us each), which made the driver, not
# the device, the measured cost. The same rows with the driver at CPL0 follow
# as virtio.blk_<op>_qd<n>_cpl0 (BENCH_BLK_CPL0=0 skips them).
set -u
b=${top_builddir:-$(pwd)}
vmm="$b/vmm"
elf="$b/guest/tiny/tiny.elf"
n=${BENCH_BLK_REQS:-2000}
rounds=${BENCH_ROUNDS:-5}
[ -c /dev/kvm ] || { echo "virtio_blk: /dev/kvm absent, skipped"; exit 0; }
[ -x "$vmm" ] && [ -e "$elf" ] || { echo "virtio_blk: build first (make)"; exit 1; }
dir=/dev/shm
[ -d "$dir" ] && [ -w "$dir" ] || dir=${TMPDIR:-/tmp}
img=$(mktemp "$dir/vmm-bench-blk.XXXXXX")
work=$(mktemp -d)
trap 'rm -rf "$img" "$work"' EXIT
dd if=/dev/zero of="$img" bs=1M count=64 status=none || exit 1
cpl0=${BENCH_BLK_CPL0:-1}

# run_ours/run_qemu CPL SUFFIX: one run, its TINY BENCH lines appended to
# ours/qemu with SUFFIX added to each row name.
tag() { sed -n "s/^TINY BENCH \([^ ]*\)/TINY BENCH \1$1/p" "$work/out"; }
run_ours() {
	args="tiny.test=blkbench tiny.bench_n=$n tiny.cpl3=$1"
	timeout 300 "$vmm" --kernel "$elf" --mem 256M --log-level error --disk "$img" --cmdline "$args" </dev/null 2>"$work/err" |
		tr -d '\r' >"$work/out"
	grep -q "TINY PASS blkbench" "$work/out" || { echo "virtio_blk: ./vmm run failed:" >&2; cat "$work/out" "$work/err" >&2; return 1; }
	tag "$2" >>"$work/ours"
	sed -n 's/^TINY INFO tsc_per_ms=\([0-9]*\).*/\1/p' "$work/out" >>"$work/tsc"
}
run_qemu() {
	args="tiny.test=blkbench tiny.bench_n=$n tiny.cpl3=$1"
	timeout 300 qemu-system-x86_64 -M microvm -enable-kvm -cpu host,-arch-capabilities -m 256M -nodefaults \
		-no-user-config -display none -serial stdio -no-reboot -kernel "$elf" -append "$args" \
		-drive file="$img",if=none,id=d0,format=raw -device virtio-blk-device,drive=d0 \
		-global virtio-mmio.force-legacy=false </dev/null 2>"$work/err" | tr -d '\r' >"$work/out"
	grep -q "TINY PASS blkbench" "$work/out" || { echo "virtio_blk: QEMU run failed:" >&2; cat "$work/out" "$work/err" >&2; return 1; }
	tag "$2" >>"$work/qemu"
}

have_qemu=0
command -v qemu-system-x86_64 >/dev/null 2>&1 && have_qemu=1
[ $have_qemu = 1 ] || echo "virtio_blk: qemu-system-x86_64 not installed, no ratios"
: >"$work/ours"
: >"$work/qemu"
: >"$work/tsc"
status=0
i=0
while [ $i -lt "$rounds" ]; do
	run_ours 1 "" || status=1
	[ $have_qemu = 1 ] && { run_qemu 1 "" || status=1; }
	if [ "$cpl0" = 1 ]; then
		run_ours 0 _cpl0 || status=1
		[ $have_qemu = 1 ] && { run_qemu 0 _cpl0 || status=1; }
	fi
	i=$((i + 1))
done
[ -s "$work/ours" ] || exit 1
# best (fewest cycles) per row; TSC rate: the largest calibration seen (a
# PIT that ends early makes it smaller), else /proc/cpuinfo.
tsc=$(sort -n "$work/tsc" | tail -1)
[ -n "$tsc" ] && [ "$tsc" -gt 100000 ] ||
	tsc=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
awk -v tsc="$tsc" '
	function best(file, arr,   line, f, name, c, r, by) {
		while ((getline line < file) > 0) {
			split(line, f, " ")
			name = f[3]; sub(/^blk_/, "", name)
			r = f[4]; sub(/reqs=/, "", r); by = f[5]; sub(/bytes=/, "", by); c = f[6]; sub(/cycles=/, "", c)
			if (!(name in arr) || c + 0 < arr[name] + 0) { arr[name] = c; reqs[name] = r; bytes[name] = by }
			if (!(name in seen)) { seen[name] = 1; order[++n] = name }
		}
	}
	BEGIN {
		best(ARGV[1], ours); best(ARGV[2], qemu)
		for (i = 1; i <= n; i++) {
			k = order[i]
			secs = ours[k] / (tsc * 1000)
			printf "BENCH virtio.blk_%s %.2f MB/s\n", k, reqs[k] * bytes[k] / secs / 1e6
			if (k in qemu) {
				qsecs = qemu[k] / (tsc * 1000)
				printf "BENCH virtio.blk_%s_qemu %.2f MB/s\n", k, reqs[k] * bytes[k] / qsecs / 1e6
				printf "RATIO virtio.blk_%s_vs_qemu %.3f\n", k, ours[k] / qemu[k]
			}
		}
	}' "$work/ours" "$work/qemu" </dev/null
exit $status
