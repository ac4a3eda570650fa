#!/bin/sh
# make bench, memory overhead: resident memory of the VMM process itself, guest
# RAM excluded, with the tiny guest idle (tiny.test=idle), 1 vCPU, 128 MiB;
# the same for QEMU -M microvm with the same tiny.elf.
#
# Sum of Rss over /proc/PID/smaps mappings that do not overlap guest RAM.
# vmm: the guest RAM mappings are the ones it logs at debug level ("guest RAM
# slot N: ... BYTES bytes, host mapping ADDR"). QEMU: the anonymous mapping(s)
# of 128 MiB .. 128 MiB + 4 MiB (its RAM block, maybe with alignment slack).
# Rss counts shared library pages in full; Private (clean + dirty) is printed
# too. Prints BENCH mem_overhead.* and RATIO mem_overhead.vs_qemu.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_need_kvm mem_overhead
work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-bench.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
MEM_MB=128

# wait_for FILE TEXT SECONDS
wait_for() {
	n=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt $(($3 * 20)) ] && return 1
		sleep 0.05
	done
}

stop() { # stop the process we started and reap it
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

status=0
"$VMM" --kernel "$TINY_ELF" --mem ${MEM_MB}M --cpus 1 --log-level debug --cmdline tiny.test=idle \
	</dev/null >"$work/vmm.out" 2>"$work/vmm.err" &
pid=$!
if wait_for "$work/vmm.out" "TINY INFO idle" 30; then
	sleep 0.5
	ex=$(sed -n 's/.*guest RAM slot [0-9]*: guest 0x[0-9a-f]*, \([0-9]*\) bytes, host mapping \(0x[0-9a-f]*\).*/\2 \1/p' "$work/vmm.err")
	if [ -z "$ex" ]; then
		echo "mem_overhead: vmm did not log its guest RAM mapping (needs --log-level debug)"
		status=1
	else
		set -- $(smaps_rss "$pid" $ex)
		vmm_rss=$1 vmm_priv=$2
		set -- $(smaps_rss "$pid")
		echo "mem_overhead: vmm pid $pid total Rss $1 KiB, guest RAM mapping(s) excluded: $ex"
		echo "BENCH mem_overhead.vmm $vmm_rss KiB"
		echo "BENCH mem_overhead.vmm_private $vmm_priv KiB"
		echo "BENCH mem_overhead.vmm_guest_ram_rss $(($1 - vmm_rss)) KiB"
		echo "mem_overhead: vmm's largest mappings (Rss / private dirty, KiB, guest RAM included):"
		awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6 == "" ? "[anon]" : $6 } /^Rss:/ { r[n] += $2 }
			/^Private_Dirty:/ { d[n] += $2 } END { for (n in r) if (r[n]) printf "%d %d %s\n", r[n], d[n], n }' \
			"/proc/$pid/smaps" | sort -rn | head -8 | sed 's/^/mem_overhead:   /'
	fi
else
	echo "mem_overhead: vmm idle guest did not come up"; cat "$work/vmm.out" "$work/vmm.err"
	status=1
fi
stop

if have_qemu; then
	"$QEMU" -M microvm -enable-kvm -cpu "$QEMU_CPU" -smp 1 -m ${MEM_MB}M -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot -kernel "$TINY_ELF" -append tiny.test=idle \
		</dev/null >"$work/qemu.out" 2>&1 &
	pid=$!
	if wait_for "$work/qemu.out" "TINY INFO idle" 120; then
		sleep 0.5
		lo=$((MEM_MB * 1048576)) hi=$(((MEM_MB + 4) * 1048576))
		ex=$(awk -v lo=$lo -v hi=$hi '
			function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
			/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); len = hex(r[2]) - hex(r[1]); if (len >= lo && len <= hi && NF <= 5) printf "0x%s %d ", r[1], len }' \
			"/proc/$pid/smaps")
		if [ -z "$ex" ]; then
			echo "mem_overhead: no QEMU mapping of guest RAM size found"
			status=1
		else
			set -- $(smaps_rss "$pid" $ex)
			q_rss=$1 q_priv=$2
			set -- $(smaps_rss "$pid")
			echo "mem_overhead: qemu pid $pid total Rss $1 KiB, guest RAM mapping(s) excluded: $ex"
			echo "BENCH mem_overhead.qemu_microvm $q_rss KiB"
			echo "BENCH mem_overhead.qemu_microvm_private $q_priv KiB"
			[ -n "${vmm_rss:-}" ] && echo "RATIO mem_overhead.vs_qemu $(ratio "$vmm_rss" "$q_rss")"
			[ -n "${vmm_priv:-}" ] && echo "RATIO mem_overhead.private_vs_qemu $(ratio "$vmm_priv" "$q_priv")"
		fi
	else
		echo "mem_overhead: QEMU idle guest did not come up"; cat "$work/qemu.out"
		status=1
	fi
	stop
else
	echo "mem_overhead: $QEMU not installed, no ratio"
fi
exit $status
