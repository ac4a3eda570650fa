#!/bin/sh
# make check: the tiny guest's exit-cost loops (guest/tiny/exits.c) that
# exits.sh times in make bench work, briefly (tiny.exits=200): each test passes,
# CPL3 included, and the vmm stamps the boot timer before and after the loop.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP: /dev/kvm is not usable"
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
for t in exits_pio exits_pio_miss exits_mmio exits_pio_cpl3 exits_mmio_cpl3; do
	for k in "$TINY_ELF" "$TINY_BZ"; do
		timeout 60 "$VMM" --kernel "$k" --mem 128M --cmdline "tiny.test=$t tiny.exits=200" </dev/null \
			>"$work/out" 2>"$work/err"
		rc=$?
		n=$(grep -c "guest boot time" "$work/err")
		if [ $rc -ne 0 ] || ! grep -q "TINY PASS $t" "$work/out" ||
			! grep -q "TINY INFO exits $t n=200 " "$work/out" || [ "$n" -ne 3 ]; then
			echo "FAIL: $t ($(basename "$k")): exit $rc, $n boot-timer stamps (want 3)"
			cat "$work/out" "$work/err"
			fail=1
		else
			echo "ok: $t ($(basename "$k"))"
		fi
	done
done
exit $fail
