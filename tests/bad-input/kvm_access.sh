#!/bin/bash
# /dev/kvm that this user may not open: one line that says what to do, exit 1.
# Run as root, the test drops to nobody (setpriv) where /dev/kvm is not world-writable.
. "$top_srcdir/tests/guest/lib.sh"
require_tiny
[ -c /dev/kvm ] || { echo "SKIP: no /dev/kvm"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (to drop to an unprivileged user)"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "SKIP: no setpriv(1)"; exit 77; }
setpriv --reuid 65534 --regid 65534 --clear-groups test -r /dev/kvm -a -w /dev/kvm &&
	{ echo "SKIP: nobody may open /dev/kvm here"; exit 77; }
setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$VMM" -a -r "$TINY_ELF" ||
	{ echo "SKIP: nobody cannot run $VMM or read $TINY_ELF"; exit 77; }
setpriv --reuid 65534 --regid 65534 --clear-groups "$VMM" --kernel "$TINY_ELF" >"$OUT" 2>"$ERR" </dev/null
rc=$?
expect_rc 1
expect_err 'cannot open /dev/kvm: Permission denied (run as root, join the kvm group, or grant access: setfacl -m u:$USER:rw /dev/kvm)'
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected one line on stderr"
echo "PASS"
