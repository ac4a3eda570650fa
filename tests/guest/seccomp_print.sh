#!/bin/bash
# `vmm --print-seccomp` lists each thread kind's allow-list from the code; the
# README's table is generated from it (tests/bad-input/seccomp-table.sh) and
# must match, and no list may hold a call that opens files, runs programs,
# makes sockets or processes, or changes privileges.
. "$(dirname "$0")/lib.sh"
[ -x "$VMM" ] || fail "$VMM not built"
"$VMM" --print-seccomp >"$OUT" 2>"$ERR"
rc=$?
expect_rc 0
[ ! -s "$ERR" ] || fail "--print-seccomp wrote to stderr"
cat "$OUT" | cut -c1-100
for kind in main vcpu event; do
	grep -q "^$kind [0-9]* " "$OUT" || fail "no allow-list for the $kind thread"
done
for bad in open openat execve execveat fork vfork clone clone3 socket connect bind ptrace setuid setgid \
	chroot mount kill process_vm_writev; do
	! grep -qw -- "$bad" "$OUT" || fail "an allow-list holds $bad"
done
# The count is the number of distinct system calls listed.
while read -r kind count rest; do
	n=$(printf '%s\n' $rest | grep -v '^ioctl(' | sort -u | wc -l)
	[ "$n" -eq "$count" ] || fail "$kind: count $count, but $n system calls listed"
done <"$OUT"
want=$("$top_srcdir/tests/bad-input/seccomp-table.sh" "$VMM")
have=$(sed -n '/<!-- seccomp-table:begin -->/,/<!-- seccomp-table:end -->/p' "$top_srcdir/README.md" | sed '1d;$d')
if [ "$want" != "$have" ]; then
	diff <(echo "$want") <(echo "$have")
	fail "README.md's seccomp table differs from --print-seccomp (regenerate: tests/bad-input/seccomp-table.sh vmm)"
fi
echo "PASS"
