#!/bin/bash
# Command line: every bad argument gives one line on stderr and a non-zero exit.
. "$(dirname "$0")/lib.sh"
[ -x "$VMM" ] || { echo "FAIL: $VMM not built"; exit 1; }

# bad ARGS... -- EXPECTED_TEXT
bad() {
	local args=() want
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	want=$2
	run_vm "${args[@]}"
	[ "$rc" -ne 0 ] || fail "exit status 0 for: ${args[*]}"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected exactly one line on stderr for: ${args[*]}"
	grep -qF -- "$want" "$ERR" || fail "stderr lacks '$want' for: ${args[*]}"
	[ ! -s "$OUT" ] || fail "unexpected stdout for: ${args[*]}"
}

k=${TINY_ELF}
[ -e "$k" ] || k="$0" # any readable file for the argument checks
bad -- "no kernel given"
bad --kernel /nonexistent/bzImage -- "cannot read kernel '/nonexistent/bzImage'"
bad --kernel "$k" --initrd /nonexistent/initrd -- "cannot read initrd"
bad --kernel "$k" --mem 0 -- "--mem must not be 0"
bad --kernel "$k" --mem lots -- "--mem 'lots' is not a size"
bad --kernel "$k" --mem 12Q -- "is not a size"
bad --kernel "$k" --mem 100000000G -- "--mem '100000000G'"
bad --kernel "$k" --mem 99999999999999999999999 -- "is too large"
bad --kernel "$k" -m 1K -- "too small"
bad --kernel "$k" --mem 4097K -- "multiple of 4K"
bad --kernel "$k" --cpus 0 -- "--cpus '0' must be a number from 1 to 32"
bad --kernel "$k" -c 33 -- "from 1 to 32"
bad --kernel "$k" --cpus two -- "must be a number"
bad --kernel "$k" --log-level loud -- "--log-level 'loud'"
bad --kernel "$k" --bogus -- "unknown option '--bogus'"
bad --kernel "$k" -z -- "unknown option '-z'"
bad --kernel "$k" stray -- "unexpected argument 'stray'"
bad --kernel -- "needs a value"

run_vm --help
expect_rc 0
expect_out "Usage: vmm --kernel FILE"
expect_out "--no-host-decompress"
run_vm --version
expect_rc 0
expect_out "vmm "

# Kernel checks happen on the way to boot: they need /dev/kvm.
require_kvm
require_tiny
printf 'this is not a kernel\n%.0s' $(seq 100) >"$work/text"
bad --kernel "$work/text" -- "vmm: "
bad --kernel "$work" -- "not a regular file"
: >"$work/empty"
bad --kernel "$work/empty" -- "is empty"
bad --kernel "$TINY_ELF" --cmdline "$(head -c 5000 /dev/zero | tr '\0' a)" -- "vmm: "
cp "$TINY_BZ" "$work/old.bzImage"
printf '\011\002' | dd of="$work/old.bzImage" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null # protocol 2.09
bad --kernel "$work/old.bzImage" -- "vmm: "
grep -qiE "protocol|2\.09|0x209|too old" "$ERR" || fail "old boot protocol not named: $(cat "$ERR")"
head -c $((8 << 20)) /dev/zero >"$work/big-initrd"
bad --kernel "$TINY_BZ" --mem 4M --initrd "$work/big-initrd" -- "vmm: "
echo "PASS"
