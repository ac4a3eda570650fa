#!/bin/sh
# make bench, density: start 20 VMs (1 vCPU, 128 MiB, tiny guest) at once.
# 1. tiny.test=hello: wall time from the first start until every one has
#    printed TINY PASS, reset and exited; vms_per_core_s = VMs / (wall s * nproc).
# 2. tiny.test=idle: once every guest has printed "TINY INFO idle", the sum of
#    the processes' VmRSS (guest RAM the guests touched included) and of their
#    Rss without guest RAM (smaps, as mem_overhead.sh), and of their Pss
#    (shared library pages split between the processes: the memory the host
#    really spends); then they are stopped.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_need_kvm density
NVM=${BENCH_DENSITY_VMS:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-bench.XXXXXX")
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
status=0
cores=$(nproc)

start_all() { # TEST: start NVM VMs, pids in $pids
	pids=
	i=0
	while [ $i -lt "$NVM" ]; do
		"$VMM" --kernel "$TINY_ELF" --mem 128M --cpus 1 --log-level debug --cmdline "tiny.test=$1" \
			</dev/null >"$work/$1.$i.out" 2>"$work/$1.$i.err" &
		pids="$pids $!"
		i=$((i + 1))
	done
}

t0=$(date +%s%N)
start_all hello
for p in $pids; do wait "$p" || status=1; done
t1=$(date +%s%N)
pids=
ok=$(cat "$work"/hello.*.out | grep -c "TINY PASS hello")
echo "density: $ok of $NVM VMs printed TINY PASS hello and exited"
[ "$ok" -eq "$NVM" ] || status=1
wall_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
echo "BENCH density.vms $NVM VMs"
echo "BENCH density.all_done $wall_ms ms"
echo "BENCH density.vms_per_core_s $(awk -v n="$NVM" -v ms="$wall_ms" -v c="$cores" 'BEGIN { printf "%.1f", n / (ms / 1000) / c }') VMs/core/s"

start_all idle
n=0
while [ "$(cat "$work"/idle.*.out 2>/dev/null | grep -c "TINY INFO idle")" -lt "$NVM" ]; do
	n=$((n + 1))
	[ $n -gt 1200 ] && { echo "density: not every idle VM came up in 60 s"; status=1; break; }
	sleep 0.05
done
sleep 0.5
rss=0 own=0 pss=0 i=0
for p in $pids; do
	r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")
	ps=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup")
	pss=$((pss + ps))
	ex=$(sed -n 's/.*guest RAM slot [0-9]*: guest 0x[0-9a-f]*, \([0-9]*\) bytes, host mapping \(0x[0-9a-f]*\).*/\2 \1/p' "$work/idle.$i.err")
	set -- $(smaps_rss "$p" $ex)
	rss=$((rss + r)) own=$((own + $1)) i=$((i + 1))
done
for p in $pids; do kill "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
pids=
echo "BENCH density.total_rss $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') MiB"
echo "BENCH density.total_rss_without_guest_ram $(awk -v k="$own" 'BEGIN { printf "%.1f", k / 1024 }') MiB"
echo "BENCH density.total_pss $(awk -v k="$pss" 'BEGIN { printf "%.1f", k / 1024 }') MiB"
echo "BENCH density.rss_per_vm $((rss / NVM)) KiB"
exit $status
