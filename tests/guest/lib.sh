# Shared helpers for the tiny-guest tests (sourced, not run).
# Each test runs ./vmm on /dev/kvm under `timeout` and asserts its output
# and exit status; without /dev/kvm it exits 77 (SKIP) with a message.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$here/../.." && pwd)}"
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
VMM="$top_builddir/vmm"
TINY_ELF="$top_builddir/guest/tiny/tiny.elf"
TINY_BZ="$top_builddir/guest/tiny/tiny.bzImage"
VM_TIMEOUT=${VM_TIMEOUT:-60}
work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
OUT="$work/out"
ERR="$work/err"
rc=0

require_kvm() {
	if [ ! -e /dev/kvm ]; then
		echo "SKIP: /dev/kvm is absent on this machine"
		exit 77
	fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "SKIP: /dev/kvm is not accessible (need read/write permission)"
		exit 77
	fi
}

require_tiny() {
	for f in "$VMM" "$TINY_ELF" "$TINY_BZ"; do
		[ -e "$f" ] || { echo "FAIL: $f not built"; exit 1; }
	done
}

now_ms() { date +%s%3N; }

# run_vm ARGS...: run the VMM with stdin from /dev/null; sets rc, OUT, ERR, ms.
run_vm() {
	local t0
	t0=$(now_ms)
	timeout "$VM_TIMEOUT" "$VMM" "$@" >"$OUT" 2>"$ERR" </dev/null
	rc=$?
	ms=$(($(now_ms) - t0))
	echo "ran: vmm $* -> exit $rc in $ms ms"
	[ "$rc" -ne 124 ] || fail "the VMM did not stop within ${VM_TIMEOUT}s"
}

fail() {
	echo "FAIL: $*"
	echo "--- guest output (stdout)"
	cat "$OUT" 2>/dev/null
	echo "--- vmm log (stderr)"
	cat "$ERR" 2>/dev/null
	exit 1
}

expect_rc() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1"; }
expect_out() { tr -d '\r' <"$OUT" | grep -qF -- "$1" || fail "guest output lacks '$1'"; }
expect_no_out() { ! tr -d '\r' <"$OUT" | grep -qF -- "$1" || fail "guest output has '$1'"; }
expect_err() { grep -qF -- "$1" "$ERR" || fail "vmm log lacks '$1'"; }

# run_tiny NAME IMAGE [VMM ARGS...]: boot a tiny test and check it passed and
# the guest reset the VM (exit 0).
run_tiny() {
	local name=$1 image=$2
	shift 2
	run_vm --kernel "$image" --cmdline "tiny.test=$name" "$@"
	expect_out "TINY START $name"
	expect_no_out "TINY FAIL"
	expect_out "TINY PASS $name"
	expect_rc 0
	expect_err "guest reset through the i8042"
}

# for_both_images FUNC: call FUNC with each image path (ELF, then bzImage).
for_both_images() {
	local f=$1 img
	for img in "$TINY_ELF" "$TINY_BZ"; do
		"$f" "$img"
	done
}
