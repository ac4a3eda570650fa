#!/bin/bash
# The bad-input table: every row of cases.txt runs ./vmm once and must give
# the documented exit status, exactly one line on stderr containing the row's
# phrase, nothing on stdout, no crash (no signal, no sanitizer report), no hang
# (each run under `timeout`), and no change to any fixture (all read-only for
# the user: size, mtime, ctime and, below 64 MiB, the SHA-256 are compared).
# Prints one line per row; fails if any row fails. Also checks that the table
# in README.md is the one table.sh generates from cases.txt.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$here/../.." && pwd)}"
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
VMM="$top_builddir/vmm"
CASES="$here/cases.txt"
TIMEOUT=${BAD_INPUT_TIMEOUT:-30}
[ -x "$VMM" ] || { echo "FAIL: $VMM not built"; exit 1; }
for f in "$top_builddir/guest/tiny/tiny.elf" "$top_builddir/guest/tiny/tiny.bzImage"; do
	[ -e "$f" ] || { echo "FAIL: $f not built"; exit 1; }
done
if [ ! -e /dev/kvm ]; then
	echo "SKIP: /dev/kvm is absent on this machine (rows past the command line need it)"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-bad.XXXXXX")
huge_host=
immutable=
fifo_holder=
cleanup() {
	[ -z "$fifo_holder" ] || kill "$fifo_holder" 2>/dev/null
	[ -z "$lock_holder" ] || kill "$lock_holder" 2>/dev/null
	[ -z "$immutable" ] || chattr -i "$immutable"
	chmod -R u+w "$work" 2>/dev/null
	rm -rf "$work"
	[ -z "$huge_host" ] || rm -f "$huge_host"
}
trap cleanup EXIT
fx="$work/fixtures"
mkdir "$fx"
cp "$top_builddir/guest/tiny/tiny.elf" "$fx/tiny.elf"
cp "$top_builddir/guest/tiny/tiny.bzImage" "$fx/tiny.bzImage"
: >"$fx/empty"
mkdir "$fx/dir"
mkfifo "$fx/fifo" "$fx/fifo-held"
head -c 65536 /dev/urandom >"$fx/random"
head -c 1000 "$fx/tiny.elf" >"$fx/trunc.elf"
head -c 1000 "$fx/tiny.bzImage" >"$fx/trunc.bzImage"
# The bzImage's setup sectors (header says how many) and nothing after them.
setup_sects=$(od -An -tu1 -j 0x1f1 -N1 "$fx/tiny.bzImage" | tr -d ' ')
[ "$setup_sects" -gt 0 ] || setup_sects=4
head -c $(((setup_sects + 1) * 512)) "$fx/tiny.bzImage" >"$fx/hollow.bzImage"
truncate -s 64G "$fx/huge"
cp "$fx/tiny.bzImage" "$fx/huge.bzImage"
truncate -s 64G "$fx/huge.bzImage"
# More than a 47-bit address space can map: only tmpfs takes a sparse file that
# big (ext4 stops at 16 TiB). Rows that need it are skipped without /dev/shm.
huge_host=
if [ -d /dev/shm ] && truncate -s 200T "/dev/shm/vmm-bad-huge.$$" 2>/dev/null; then
	huge_host=/dev/shm/vmm-bad-huge.$$
	chmod 0444 "$huge_host"
fi
echo "plain file" >"$fx/file"
truncate -s 1M "$fx/disk.img"
truncate -s 1M "$fx/immutable.img"
chattr +i "$fx/immutable.img" 2>/dev/null && immutable=$fx/immutable.img
# Images in other formats (by their magic) and one another process holds a write lock on.
{ printf 'QFI\373\0\0\0\3'; head -c 65528 /dev/zero; } >"$fx/qcow2.img"
truncate -s 64K "$fx/iso.img"
printf 'CD001' | dd of="$fx/iso.img" bs=1 seek=$((0x8001)) conv=notrunc status=none
head -c 65536 /dev/zero | gzip -c >"$fx/gzip.img"
truncate -s 1M "$fx/locked.img"
chmod 0444 "$fx"/tiny.elf "$fx"/tiny.bzImage "$fx"/empty "$fx"/random "$fx"/trunc.* "$fx"/hollow.bzImage \
	"$fx"/huge "$fx"/file "$fx"/fifo "$fx"/fifo-held "$fx"/huge.bzImage "$fx"/disk.img \
	"$fx"/qcow2.img "$fx"/iso.img "$fx"/gzip.img "$fx"/locked.img
longcmd=$(printf 'x%.0s' $(seq 3000))

# A process holding the FIFO open for writing (and never writing) makes a
# blocking read wait forever rather than see EOF; nobody has the other one open, so a
# blocking open would wait forever: the VMM must do neither.
sleep 100000 3<>"$fx/fifo-held" &
fifo_holder=$!
# An open-file-description write lock on locked.img, held until the end (python3's fcntl
# knows F_OFD_SETLK; rows that need it are skipped without python3).
locked=
lock_holder=
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
print("locked", flush=True)
time.sleep(100000)' "$fx/locked.img" >"$work/lock-ready" 2>/dev/null &
	lock_holder=$!
	for _ in $(seq 50); do
		grep -q locked "$work/lock-ready" 2>/dev/null && { locked=$fx/locked.img; break; }
		sleep 0.1
	done
fi

subst() {
	local s=$1
	s=${s//@ELF@/$fx/tiny.elf}
	s=${s//@BZ@/$fx/tiny.bzImage}
	s=${s//@EMPTY@/$fx/empty}
	s=${s//@DIR@/$fx/dir}
	s=${s//@FIFO_HELD@/$fx/fifo-held}
	s=${s//@FIFO@/$fx/fifo}
	s=${s//@RANDOM@/$fx/random}
	s=${s//@TRUNC_ELF@/$fx/trunc.elf}
	s=${s//@TRUNC_BZ@/$fx/trunc.bzImage}
	s=${s//@HOLLOW_BZ@/$fx/hollow.bzImage}
	s=${s//@HUGE_HOST@/$huge_host}
	s=${s//@HUGE_BZ@/$fx/huge.bzImage}
	s=${s//@HUGE@/$fx/huge}
	s=${s//@MISSING@/$fx/missing/nothing}
	s=${s//@FILE@/$fx/file}
	s=${s//@DISK@/$fx/disk.img}
	s=${s//@IMMUTABLE@/$immutable}
	s=${s//@QCOW2@/$fx/qcow2.img}
	s=${s//@ISO@/$fx/iso.img}
	s=${s//@GZIP@/$fx/gzip.img}
	s=${s//@LOCKED@/$locked}
	s=${s//@LONGCMD@/$longcmd}
	printf '%s' "$s"
}

# State of every fixture: name, type, size, mtime, ctime, mode, SHA-256 of small regular files.
snapshot() {
	local f
	for f in "$fx"/* "$fx"/dir/* $huge_host; do
		[ -e "$f" ] || continue
		stat -c '%n %F %s %Y %Z %a' "$f"
		if [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt $((64 << 20)) ]; then
			sha256sum <"$f"
		fi
	done
}

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

rows=0
failed=0
skipped=0
before=$(snapshot)
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	IFS='|' read -r name args want_rc phrase <<<"$line"
	name=$(trim "$name")
	args=$(subst "$(trim "$args")")
	want_rc=$(trim "$want_rc")
	phrase=$(subst "$(trim "$phrase")")
	rows=$((rows + 1))
	if [ -z "$huge_host" ] && [[ $line == *@HUGE_HOST@* ]]; then
		echo "skip $name: no tmpfs at /dev/shm for a 200 TiB sparse file"
		skipped=$((skipped + 1))
		continue
	fi
	if [ -z "$locked" ] && [[ $line == *@LOCKED@* ]]; then
		echo "skip $name: no python3 to hold an F_OFD_SETLK lock"
		skipped=$((skipped + 1))
		continue
	fi
	if [ -z "$immutable" ] && [[ $line == *@IMMUTABLE@* ]]; then
		echo "skip $name: chattr +i does not work here"
		skipped=$((skipped + 1))
		continue
	fi
	eval "argv=($args)"
	timeout -k 5 "$TIMEOUT" "$VMM" "${argv[@]}" >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	why=
	nlines=$(wc -l <"$work/err")
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="hung (killed after ${TIMEOUT}s)"
	elif [ "$rc" -gt 128 ]; then
		why="killed by signal $((rc - 128))"
	elif grep -q 'Sanitizer\|runtime error:' "$work/err"; then
		why="sanitizer report"
	elif [ "$rc" -ne "$want_rc" ]; then
		why="exit status $rc, expected $want_rc"
	elif [ "$nlines" -ne 1 ]; then
		why="$nlines lines on stderr, expected exactly 1"
	elif ! grep -qF -- "$phrase" "$work/err"; then
		why="stderr lacks '$phrase'"
	elif [ -s "$work/out" ]; then
		why="unexpected output on stdout"
	fi
	after=$(snapshot)
	if [ -z "$why" ] && [ "$after" != "$before" ]; then
		why="a read-only input changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -2 | tr '\n' ' ')"
	fi
	before=$after
	if [ -z "$why" ]; then
		echo "ok   $name: exit $rc: $(head -c 200 "$work/err")"
	else
		failed=$((failed + 1))
		echo "FAIL $name: $why"
		echo "     args: ${argv[*]:0:8}"
		sed 's/^/     stderr: /' "$work/err" | head -c 2000
	fi
done <"$CASES"

# The README's table is generated from cases.txt.
readme="$top_srcdir/README.md"
if ! diff <("$here/table.sh" "$CASES") <(sed -n '/<!-- bad-input-table:begin -->/,/<!-- bad-input-table:end -->/p' "$readme" | sed '1d;$d') >"$work/diff"; then
	failed=$((failed + 1))
	echo "FAIL README.md: the bad-input table differs from cases.txt (regenerate it with tests/bad-input/table.sh tests/bad-input/cases.txt):"
	head -20 "$work/diff"
else
	echo "ok   README.md bad-input table matches cases.txt"
fi

echo "bad-input: $rows rows, $failed failed, $skipped skipped"
[ "$rows" -ge 40 ] || { echo "FAIL: fewer than 40 rows"; exit 1; }
[ "$failed" -eq 0 ]
