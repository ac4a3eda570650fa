#!/bin/bash
# --chroot DIR --user UID:GID: after setup the VMM runs as that user, inside
# that directory, with no supplementary groups, NoNewPrivs and no way back to
# root, and the guest still boots and passes. Checked from outside through
# /proc/PID while the tiny `idle` test runs. Needs root (exit 77 otherwise).
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: --chroot/--user need root"
	exit 77
fi
# In ASan builds LeakSanitizer's exit-time scan reads /proc/PID/task, which an
# empty chroot does not have: leaks are checked by every other test.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
jail=$(mktemp -d "${TMPDIR:-/tmp}/vmm-jail.XXXXXX")
trap 'rm -rf "$work" "$jail"' EXIT

# wait_for FILE TEXT: up to 20 s
wait_for() {
	for _ in $(seq 200); do
		[ -e "$1" ] && tr -d '\r' <"$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --cmdline tiny.test=idle --cpus 2 \
	--chroot "$jail" --user 65534:65534 >"$OUT" 2>"$ERR" </dev/null &
tpid=$!
wait_for "$OUT" "TINY INFO idle" || fail "guest did not reach idle"
pid=$(pgrep -P "$tpid" | head -1)
[ -n "$pid" ] || fail "cannot find the vmm process"
status=$(cat /proc/"$pid"/status)
root=$(readlink /proc/"$pid"/root)
threads=$(ls /proc/"$pid"/task | wc -l)
tuids=$(cat /proc/"$pid"/task/*/status | sed -n 's/^Uid:[[:space:]]*//p' | sort -u)
kill -TERM "$pid"
wait "$tpid"
rc=$?
echo "$status" | grep -E '^(Uid|Gid|Groups|NoNewPrivs|CapEff|CapPrm):'
echo "root: $root; $threads threads with Uid: $tuids"
echo "$status" | grep -qP '^Uid:\t65534\t65534\t65534\t65534$' || fail "not running as uid 65534 (real, effective, saved, fs)"
echo "$status" | grep -qP '^Gid:\t65534\t65534\t65534\t65534$' || fail "not running as gid 65534"
echo "$status" | grep -qP '^Groups:\s*$' || fail "supplementary groups left"
echo "$status" | grep -qP '^NoNewPrivs:\t1$' || fail "NoNewPrivs is not set"
echo "$status" | grep -qP '^CapEff:\t0+$' || fail "effective capabilities left"
echo "$status" | grep -qP '^CapPrm:\t0+$' || fail "permitted capabilities left"
[ "$root" = "$jail" ] || fail "root directory is '$root', expected '$jail'"
[ "$tuids" = "$(printf '65534\t65534\t65534\t65534')" ] || fail "some thread is not uid 65534: $tuids"
expect_rc 143
expect_err "privileges dropped: uid 65534 gid 65534, root directory $jail"

# A whole tiny test passes inside the jail, with both images.
check() {
	run_tiny smp "$1" --cpus 2 --chroot "$jail" --user 65534:65534
	expect_err "privileges dropped: uid 65534 gid 65534"
}
for_both_images check

# --user alone and --chroot alone work too.
run_tiny hello "$TINY_ELF" --user 65534:65534
expect_err "root directory unchanged"
run_tiny hello "$TINY_ELF" --chroot "$jail"
expect_err "privileges dropped: uid 0 gid 0, root directory $jail"
[ -z "$(ls -A "$jail")" ] || fail "the VMM left files in the jail"

# Without the capabilities (root minus CAP_SYS_CHROOT, minus CAP_SETUID/SETGID):
# a clear refusal, exit 1, and the guest never runs.
if command -v setpriv >/dev/null; then
	nocap() {
		local drop=$1 want=$2
		shift 2
		timeout "$VM_TIMEOUT" setpriv --bounding-set="$drop" "$VMM" --kernel "$TINY_ELF" --cmdline tiny.test=hello "$@" \
			>"$OUT" 2>"$ERR" </dev/null
		rc=$?
		echo "without $drop: exit $rc: $(tail -1 "$ERR")"
		expect_rc 1
		expect_err "$want"
		expect_no_out "TINY START"
	}
	nocap -sys_chroot "--chroot: chroot failed: Operation not permitted (needs root or CAP_SYS_CHROOT)" --chroot "$jail"
	nocap -setgid,-setuid "--user: setgroups failed: Operation not permitted (needs root or CAP_SETGID)" \
		--user 65534:65534
	nocap -setuid "--user: setresuid failed: Operation not permitted (needs root or CAP_SETUID)" --user 65534:65534
fi
echo "PASS"
