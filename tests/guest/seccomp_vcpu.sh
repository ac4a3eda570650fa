#!/bin/bash
# seccomp: (1) a vCPU thread (and the main thread) making a system call outside
# its allow-list is stopped by the real filter: monitor/vmm-testhooks, the same
# program built with VMM_TEST_HOOKS, makes the first thread of the kind named
# in VMM_TEST_SECCOMP_VIOLATE call openat("/") right after installing its
# filter; the SIGSYS handler must name the call and the thread kind and the VMM
# exit with 1 before the guest runs. (2) Every tiny test boots and passes (or
# fails exactly as it does without filters) with the filters on, on 2 vCPUs.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
HOOKS="$top_builddir/monitor/vmm-testhooks"
[ -x "$HOOKS" ] || fail "$HOOKS not built"

run_vm --kernel "$TINY_ELF" --cmdline tiny.test=hello --log-level debug
if grep -qF "seccomp filters are not available" "$ERR"; then
	echo "SKIP: no seccomp filters in this build (sanitizers or no libseccomp)"
	exit 77
fi

for kind in vcpu main; do
	rm -f "$OUT" "$ERR"
	VMM_TEST_SECCOMP_VIOLATE=$kind timeout "$VM_TIMEOUT" "$HOOKS" --kernel "$TINY_ELF" --cmdline tiny.test=idle \
		--cpus 2 >"$OUT" 2>"$ERR" </dev/null
	rc=$?
	echo "forbidden openat from a $kind thread -> exit $rc: $(grep seccomp "$ERR")"
	expect_rc 1
	expect_err "seccomp blocked system call 257 (openat) on a '$kind' thread; stopping"
	! grep -qF "was not blocked" "$ERR" || fail "the forbidden call went through"
	[ "$kind" != vcpu ] || expect_no_out "TINY START" # stopped before its first KVM_RUN
done

# The virtio event loop, when this build has one (--rng starts it).
if "$HOOKS" --help | grep -q -- "--rng"; then
	VMM_TEST_SECCOMP_VIOLATE=event timeout "$VM_TIMEOUT" "$HOOKS" --kernel "$TINY_ELF" --cmdline tiny.test=idle \
		--rng >"$OUT" 2>"$ERR" </dev/null
	rc=$?
	echo "forbidden openat from the event thread -> exit $rc: $(grep seccomp "$ERR")"
	expect_rc 1
	expect_err "seccomp blocked system call 257 (openat) on a 'event' thread; stopping"
fi

# Control: the same binary without the variable runs the guest normally, so the
# stop above came from the filter, not from the test build.
run_vm --kernel "$TINY_ELF" --cmdline tiny.test=hello
expect_rc 0
expect_out "TINY PASS hello"
run_vm --kernel "$TINY_ELF" --cmdline tiny.test=hello --no-seccomp
expect_rc 0
VMM=$HOOKS
VMM_TEST_SECCOMP_VIOLATE=vcpu run_vm --kernel "$TINY_ELF" --cmdline tiny.test=hello --no-seccomp
expect_rc 0
expect_out "TINY PASS hello"
VMM="$top_builddir/vmm"

# Every tiny test under the filters (the program as installed), both images.
check_all() {
	local img=$1 t
	for t in hello bootinfo acpi pio smp reset; do
		run_tiny "$t" "$img" --cpus 2 --log-level debug
		expect_err "seccomp filter installed for the main thread"
		expect_err "seccomp filter installed for vCPU 1"
	done
	run_vm --kernel "$img" --cmdline tiny.test=poweroff --cpus 2
	expect_rc 0
	expect_err "guest powered off (ACPI S5)"
	run_vm --kernel "$img" --cmdline tiny.test=triplefault --cpus 2
	expect_out "TINY START triplefault"
	expect_rc 0
	# The error report (KVM_GET_REGS, KVM_GET_SREGS, KVM_TRANSLATE, guest
	# memory) runs on the vCPU thread under its filter.
	run_vm --kernel "$img" --cmdline tiny.test=int3
	if [ "$rc" -ne 0 ]; then
		expect_rc 2
		expect_err "instruction bytes: cc"
	fi
	! grep -qF "seccomp blocked" "$ERR" || fail "a filter stopped a normal run"
}
for_both_images check_all
(sleep 1; printf 'typed-line\n') | timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_BZ" --cmdline tiny.test=echo >"$OUT" 2>"$ERR"
rc=$?
expect_rc 0
expect_out "TINY PASS echo"

# On a terminal (a pty from script(1)): raw mode set before, restored after, Ctrl-A x.
if command -v script >/dev/null; then
	(sleep 1; printf '\001x') | timeout "$VM_TIMEOUT" script -qec "$VMM --kernel $TINY_ELF --cmdline tiny.test=idle" /dev/null >"$OUT" 2>&1
	rc=$?
	expect_rc 0
	expect_out "Ctrl-A x"
	! grep -qF "seccomp blocked" "$OUT" || fail "a filter stopped a run on a terminal"
fi
echo "PASS"
