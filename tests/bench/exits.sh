#!/bin/sh
# make bench, exit cost: N (default 100000) PIO and MMIO exits from the tiny
# guest under the vmm, at CPL0 and CPL3, against tests/bench/raw_exits (the same
# loop, the same N, a bare KVM_RUN loop with no device layer), in the same run.
#
# The tiny guest (guest/tiny/exits.c) writes the boot-timer magic right before
# and right after its loop; the vmm stamps both writes with CLOCK_MONOTONIC
# ("guest boot time: X ms", 1 us resolution), so both sides are timed on the
# host's clock around the same instruction sequence: per exit = (t2 - t1) / N.
# The interval also holds the first marker's log line and the second marker's
# own exit (~tens of us over N exits). raw_exits runs before and after the vmm
# runs and its two results are averaged (the machine is shared; drift shows).
#
#   exits_pio        OUT to port 0x80, a registered device (DeviceManager hit)
#   exits_pio_miss   OUT to port 0x510, no device (DeviceManager miss path)
#   exits_mmio       byte write to 0xfd000000, no device (miss path; vmm has no
#                    MMIO device on that path yet)
# Prints BENCH exits.vmm_* (ns per exit) and RATIO exits.*_vs_raw.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_need_kvm exits
N=${BENCH_EXITS_N:-100000}
RAW="$B/tests/bench/raw_exits"
[ -x "$RAW" ] || { echo "exits: $RAW not built"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0

"$RAW" "$N" >"$work/raw1" || status=1

# vmm_exits TEST: ns per exit from the last two boot-timer stamps
vmm_exits() {
	timeout 600 "$VMM" --kernel "$TINY_ELF" --mem 128M --cpus 1 --cmdline "tiny.test=$1 tiny.exits=$N" \
		</dev/null >"$work/$1.out" 2>"$work/$1.err"
	if ! grep -q "TINY PASS $1" "$work/$1.out"; then
		echo "exits: $1 failed:" >&2
		cat "$work/$1.out" "$work/$1.err" >&2
		return 1
	fi
	grep "TINY INFO exits" "$work/$1.out" | tr -d '\r' >&2
	sed -n 's/.*guest boot time: \([0-9.]*\) ms.*/\1/p' "$work/$1.err" | tail -2 |
		awk -v n="$N" 'NR == 1 { a = $1 } NR == 2 { printf "%.0f\n", ($1 - a) * 1e6 / n }'
}

for t in pio mmio pio_cpl3 mmio_cpl3 pio_miss; do
	ns=$(vmm_exits "exits_$t" 2>&1 >"$work/ns.$t" | sed 's/^/exits: /'; cat "$work/ns.$t")
	echo "$ns" | grep -v '^[0-9]*$'
	v=$(echo "$ns" | grep '^[0-9][0-9]*$' | tail -1)
	[ -n "$v" ] || { status=1; continue; }
	case $t in *_cpl3) name=$t ;; *) name=${t}_cpl0 ;; esac
	echo "BENCH exits.vmm_$name $v ns"
	eval "vmm_$t=$v"
done

"$RAW" "$N" >"$work/raw2" || status=1
cat "$work/raw1" "$work/raw2" | sed 's/^/exits: raw_exits: /'

raw() { # VARIANT: mean of the two raw_exits runs
	cat "$work/raw1" "$work/raw2" | awk -v k="exits.raw_$1" '$2 == k { s += $3; n++ } END { if (n) printf "%.0f\n", s / n }'
}
for t in pio mmio pio_cpl3 mmio_cpl3; do
	case $t in *_cpl3) rv=$(raw "$t") ;; *) rv=$(raw "${t}_cpl0") ;; esac
	eval "v=\${vmm_$t:-}"
	[ -n "$v" ] && [ -n "$rv" ] && echo "RATIO exits.${t}_vs_raw $(ratio "$v" "$rv")"
done
[ -n "${vmm_pio_miss:-}" ] && echo "RATIO exits.pio_miss_vs_raw $(ratio "$vmm_pio_miss" "$(raw pio_cpl0)")"
exit $status
