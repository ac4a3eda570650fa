# Shared by the VMM-level benchmark scripts (sourced, not run).
# Finds the build tree, the real vmm binary (not libtool's wrapper script: a
# benchmark must not time a shell), the tiny guest and QEMU.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
B=$top_builddir
TINY_ELF="$B/guest/tiny/tiny.elf"
TINY_BZ="$B/guest/tiny/tiny.bzImage"
STAMP="$B/tests/tools/serial_stamp"
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_CPU=${QEMU_CPU:-host,-arch-capabilities}

# ./vmm is the real binary: monitor/Makefile.inc links it with -all-static or
# -static, so libtool never puts a wrapper script there.
VMM="$B/vmm"

bench_need_kvm() { # NAME: exit 0 (not a failure of make bench) without /dev/kvm
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "$1: /dev/kvm not usable, skipped"
		exit 0
	fi
	[ -x "$VMM" ] && [ -e "$TINY_ELF" ] || { echo "$1: build first (make)"; exit 1; }
}

have_qemu() { command -v "$QEMU" >/dev/null 2>&1; }

# median of the numbers on stdin (one per line)
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ratio A B: A / B with 3 decimals ("n/a" when B is 0 or empty)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "") printf "%.3f\n", a / b; else print "n/a" }'; }

# smaps_rss PID [EXCLUDE_START_HEX EXCLUDE_LEN]...: KiB of Rss (field 2) and of
# private Rss (Private_Clean + Private_Dirty), as "RSS PRIVATE", summed over the
# mappings of PID that do not overlap any excluded [start, start + len).
smaps_rss() {
	pid=$1
	shift
	awk -v ex="$*" '
	function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
		return v }
	BEGIN { n = split(ex, e, " "); for (i = 1; i + 1 <= n; i += 2) { xs[i] = hex(e[i]); xe[i] = xs[i] + e[i + 1] } }
	/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); s = hex(r[1]); t = hex(r[2]); skip = 0
		for (i in xs) if (s < xe[i] && xs[i] < t) skip = 1
		next }
	/^Rss:/ { if (!skip) rss += $2 }
	/^Private_(Clean|Dirty):/ { if (!skip) priv += $2 }
	END { printf "%d %d\n", rss, priv }' "/proc/$pid/smaps"
}
