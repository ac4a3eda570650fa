# Shared by the Linux early-boot tests: fetch Debian's cloud kernel and a
# busybox initramfs (cached in the build tree), boot it under ./vmm with
# --mem 256M --cpus 2, and assert the early-boot lines from the serial log.
# On machines like ours (KVM-PVM, ENVIRONMENT.md) the kernel stops at an
# instruction /dev/kvm cannot emulate: we then require the VMM's clean
# emulation-failure report; on real VT-x/AMD-V we require the /init marker.

VMM="$top_builddir/vmm"
STAMP="$top_builddir/tests/tools/serial_stamp"
CACHE="$top_builddir/guest/linux/out"
MEM_MB=256
# earlyprintk: on KVM-PVM the kernel stops (CMPXCHG16B, right after the Memory:
# line) before its console registers, so the early console must carry the log.
CMDLINE="console=ttyS0 earlyprintk=ttyS0 reboot=k panic=1 vmm.test=linux-early-boot"

fail() { echo "FAIL: $*"; exit 1; }

linux_prepare() {
	[ -e /dev/kvm ] || { echo "SKIP: /dev/kvm is not available"; exit 77; }
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no permission to open /dev/kvm"; exit 77; }
	mkdir -p "$CACHE"
	# One fetch at a time: the two Linux tests may run in parallel.
	(
		flock 9
		[ -s "$CACHE/bzImage" ] && [ -s "$CACHE/vmlinux" ] ||
			sh "$top_srcdir/guest/linux/fetch-kernel.sh" "$CACHE" >/dev/null ||
			exit 1
		[ -s "$CACHE/initramfs.cpio.gz" ] ||
			sh "$top_srcdir/guest/linux/build-initramfs.sh" "$CACHE/initramfs.cpio.gz" >/dev/null ||
			exit 1
	) 9>"$CACHE/.lock" || {
		echo "SKIP: could not fetch Debian's kernel or build the initramfs (apt-get download, busybox-static)"
		exit 77
	}
}

# linux_boot KERNEL: boots and checks; exits the test.
linux_boot() {
	kernel=$1
	log=$(mktemp)
	stamps=$(mktemp)
	trap 'rm -f "$log" "$stamps"' EXIT
	# One Linux guest at a time: two emulated early boots on two cores slow
	# each other down towards the 120 s bound.
	exec 8>"$CACHE/.boot-lock"
	flock 8
	start=$(date +%s)
	"$STAMP" -t 120 -o "$log" -p "Linux version" -p "Memory:" -- \
		"$VMM" --kernel "$kernel" --initrd "$CACHE/initramfs.cpio.gz" \
		--mem ${MEM_MB}M --cpus 2 --cmdline "$CMDLINE" > "$stamps" || true
	end=$(date +%s)
	flock -u 8
	# The 8250 output carries CR LF line ends.
	tr -d '\r' < "$log" > "$log.lf" && mv "$log.lf" "$log"
	cat "$stamps"
	echo "--- serial log (last 60 lines)"
	tail -60 "$log"
	echo "---"
	grep -q '^TIMEOUT' "$stamps" && fail "the VMM did not exit within 120 s"
	status=$(sed -n 's/^EXIT \([0-9]*\) .*/\1/p' "$stamps")
	echo "VMM exit status $status after $((end - start)) s"

	grep -q 'Linux version 6\.' "$log" || fail "no kernel banner"
	grep -q "Command line: $CMDLINE\$" "$log" || fail "the kernel did not see our command line"
	# e820 as the VM was built (DESIGN.md layout): RAM below 640 KiB, the BIOS
	# area reserved, RAM from 1 MiB to the top, the 3-4 GiB MMIO hole reserved.
	top=$(printf '%016x' $((MEM_MB * 1024 * 1024 - 1)))
	for want in \
		"BIOS-e820: \[mem 0x0000000000000000-0x000000000009fbff\] usable" \
		"BIOS-e820: \[mem 0x000000000009fc00-0x00000000000fffff\] reserved" \
		"BIOS-e820: \[mem 0x0000000000100000-0x$top\] usable" \
		"BIOS-e820: \[mem 0x00000000c0000000-0x00000000ffffffff\] reserved"; do
		grep -q "$want" "$log" || fail "e820 entry missing: $want"
	done
	[ "$(grep -c 'BIOS-e820:' "$log")" -eq 4 ] || fail "the kernel saw extra e820 entries"
	initrd=$(sed -n 's/^vmm: initrd at 0x\([0-9a-f]*\),.*/\1/p' "$log")
	[ -n "$initrd" ] || fail "the VMM did not report where it put the initrd"
	initrd=$(printf '%08x' "0x$initrd")
	grep -q "RAMDISK: \[mem 0x$initrd-" "$log" || fail "RAMDISK not at our initrd address 0x$initrd"
	grep -q 'ACPI: RSDP 0x00000000000E0000' "$log" || fail "ACPI RSDP not found at 0xe0000"
	grep -q 'ACPI: APIC 0x' "$log" || fail "MADT not found"
	grep -q 'smpboot: Allowing 2 CPUs' "$log" || fail "the kernel did not allow 2 CPUs"
	grep -q 'Memory: [0-9]*K/[0-9]*K available' "$log" || fail "no Memory: line"

	if grep -q 'VMM-INIT-MARKER' "$log"; then
		[ "$status" = 0 ] || fail "init ran but the VMM exited with $status (poweroff must exit 0)"
		echo "PASS: reached /init and powered off"
		exit 0
	fi
	# Our machines: the clean emulation-failure report and a non-zero exit.
	grep -q 'KVM_EXIT_INTERNAL_ERROR, suberror 1 (emulation failure)' "$log" ||
		fail "neither the init marker nor a clean emulation-failure report"
	grep -q 'instruction bytes:' "$log" || fail "the report lacks the instruction bytes"
	grep -q 'vmm:   rip 0x' "$log" || fail "the report lacks RIP"
	[ "$status" != 0 ] || fail "the VMM exited 0 after an emulation failure"
	echo "PASS: early boot checked; stopped at an instruction /dev/kvm cannot emulate (reported cleanly)"
	exit 0
}
