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
# own exit (~tens of us over N exits). BENCH_EXITS_REPS (3) rounds of raw_exits
# then the vmm runs, interleaved; the figures are medians over the rounds.
#
#   exits_pio        OUT to port 0x80, a registered device (DeviceManager hit)
#   exits_pio_miss   OUT to port 0x510, no device (DeviceManager miss path)
#   exits_mmio       byte write to 0xfd000000, no device (miss path; vmm has no
#                    MMIO device on that path yet)
# Prints BENCH exits.vmm_* (ns per exit) and RATIO exits.*_vs_raw.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_need_kvm exits
N=${BENCH_EXITS_N:-100000}
REPS=${BENCH_EXITS_REPS:-3}
RAW="$B/tests/bench/raw_exits"
[ -x "$RAW" ] || { echo "exits: $RAW not built"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0

# vmm_exits TEST: ns per exit from the last two boot-timer stamps (stdout);
# the guest's own TSC line goes to stderr
vmm_exits() {
	$TIMER timeout 600 "$VMM" --kernel "$TINY_ELF" --mem 128M --cpus 1 --cmdline "tiny.test=$1 tiny.exits=$N" \
		</dev/null >"$work/$1.out" 2>"$work/$1.err"
	[ -n "$TIMER" ] && case $1 in *_cpl3) ;; *) cat "$work/time" >>"$work/user.$1" ;; esac
	if ! grep -q "TINY PASS $1" "$work/$1.out"; then
		echo "exits: $1 failed:" >&2
		cat "$work/$1.out" "$work/$1.err" >&2
		return 1
	fi
	grep "TINY INFO exits" "$work/$1.out" | tr -d '\r' | sed 's/^/exits: /' >&2
	sed -n 's/.*guest boot time: \([0-9.]*\) ms.*/\1/p' "$work/$1.err" | tail -2 |
		awk -v n="$N" 'NR == 1 { a = $1 } NR == 2 { printf "%.0f\n", ($1 - a) * 1e6 / n }'
}

# The vmm's user-space CPU time (/usr/bin/time %U, 10 ms resolution) over the
# whole run, per exit: what the VMM itself spends, independent of machine load
# (CPL0 guest code is emulated in the kernel: system time). CPL0 runs only:
# KVM-PVM runs CPL3 guest code as the process's user time.
TIMER=
[ -x /usr/bin/time ] && TIMER="/usr/bin/time -f %U -o $work/time"

# REPS rounds, each: raw_exits (all four variants), then the vmm variants.
# Interleaved so both sides see the same machine load; medians at the end.
r=0
while [ $r -lt "$REPS" ]; do
	"$RAW" "$N" >>"$work/raw" || status=1
	for t in pio mmio pio_cpl3 mmio_cpl3 pio_miss; do
		v=$(vmm_exits "exits_$t") || { status=1; continue; }
		echo "$v" >>"$work/vmm.$t"
	done
	r=$((r + 1))
done
sed 's/^/exits: raw_exits: /' "$work/raw"
for t in pio mmio pio_cpl3 mmio_cpl3 pio_miss; do
	[ -s "$work/vmm.$t" ] && echo "exits: vmm $t per-round ns: $(tr '\n' ' ' <"$work/vmm.$t")"
done

raw() { # VARIANT: median of the raw_exits rounds
	awk -v k="exits.raw_$1" '$2 == k { print $3 }' "$work/raw" | median
}
for t in pio mmio pio_cpl3 mmio_cpl3 pio_miss; do
	[ -s "$work/vmm.$t" ] || continue
	v=$(median <"$work/vmm.$t")
	case $t in *_cpl3) name=$t ;; *) name=${t}_cpl0 ;; esac
	echo "BENCH exits.vmm_$name $v ns"
	eval "vmm_$t=$v"
done
for t in pio mmio pio_cpl3 mmio_cpl3; do
	case $t in *_cpl3) rv=$(raw "$t") ;; *) rv=$(raw "${t}_cpl0") ;; esac
	eval "v=\${vmm_$t:-}"
	[ -n "$v" ] && [ -n "$rv" ] && echo "BENCH exits.raw_median_$t $rv ns" && echo "RATIO exits.${t}_vs_raw $(ratio "$v" "$rv")"
done
for t in pio mmio pio_miss; do
	[ -s "$work/user.exits_$t" ] &&
		echo "BENCH exits.vmm_user_cpu_per_exit_$t $(awk -v n="$N" '{ s += $1 } END { printf "%.0f", s / NR * 1e9 / n }' "$work/user.exits_$t") ns"
done
[ -n "${vmm_pio_miss:-}" ] && echo "RATIO exits.pio_miss_vs_raw $(ratio "$vmm_pio_miss" "$(raw pio_cpl0)")"
exit $status
