# Helpers for the virtio tests (sourced after lib.sh).

# make_disk PATH SECTORS: a zero-filled raw image.
make_disk() {
	rm -f "$1"
	dd if=/dev/zero of="$1" bs=512 count="$2" status=none || fail "cannot create $1"
}

# sector_is PATH N CHAR: sector N of the image holds only CHAR (a letter, or 0 for zero bytes).
sector_is() {
	local bytes rest
	bytes=$(dd if="$1" bs=512 skip="$2" count=1 status=none | wc -c)
	[ "$bytes" -eq 512 ] || return 1
	if [ "$3" = 0 ]; then
		rest=$(dd if="$1" bs=512 skip="$2" count=1 status=none | tr -d '\000' | wc -c)
	else
		rest=$(dd if="$1" bs=512 skip="$2" count=1 status=none | tr -d "$3" | wc -c)
	fi
	[ "$rest" -eq 0 ]
}

# check_pattern PATH: what the tiny 'blk' test writes: sector s (1..8) is all
# the letter 'a' + s, sectors 0 and 9 stay zero.
check_pattern() {
	local s letters=bcdefghi
	for s in 1 2 3 4 5 6 7 8; do
		sector_is "$1" "$s" "$(echo "$letters" | cut -c"$s")" ||
			fail "image sector $s does not hold the guest's pattern ('$(echo "$letters" | cut -c"$s")')"
	done
	sector_is "$1" 0 0 || fail "image sector 0 changed"
	sector_is "$1" 9 0 || fail "image sector 9 changed"
}
